package org.rawsockets.dnssd.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The DNS-SD client's configuration (PID {@value #PID}, optional: defaults apply without it). */
@ObjectClassDefinition(id = DnsSdConfig.PID, name = "Raw Sockets DNS-SD client",
        description = "Multicast DNS / DNS-SD on one network interface (UDP 5353, group 224.0.0.251 and optionally"
                + " ff02::fb). The socket opens at the first browse, resolve or query.")
public @interface DnsSdConfig {

    String PID = "org.rawsockets.dnssd";

    @AttributeDefinition(required = false, description = "Network interface for multicast, e.g. eth0; empty: the"
            + " system's default multicast interface.")
    String multicastInterface() default "";

    @AttributeDefinition(required = false, description = "Also use IPv6 (ff02::fb on [::]:5353; needs a"
            + " 'udp-bound :: 5353' grant).")
    boolean ipv6() default false;

    @AttributeDefinition(min = "1", max = "255", description = "IP TTL / hop limit of sent packets; RFC 6762 says 255"
            + " (link-local multicast is not routed whatever the TTL).")
    int multicastTimeToLive() default 255;

    @AttributeDefinition(min = "1", description = "Default limit of resolve and query, milliseconds.")
    long timeoutMillis() default 5000;

    @AttributeDefinition(min = "1", max = "1000000", description = "Records cached at most; beyond, the one closest to"
            + " expiry is evicted (counted).")
    int maxCacheRecords() default 4096;

    @AttributeDefinition(min = "1", max = "10000", description = "Browses running at once at most.")
    int maxBrowses() default 64;

    @AttributeDefinition(min = "1", max = "1000000", description = "Events buffered per browse; beyond, events are"
            + " dropped and counted (the browse's list of services stays exact).")
    int maxEventsPerBrowse() default 1024;
}
