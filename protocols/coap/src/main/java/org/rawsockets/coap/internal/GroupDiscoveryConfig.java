package org.rawsockets.coap.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Multicast discovery's configuration (PID {@value #PID}, optional: defaults apply without it). */
@ObjectClassDefinition(id = GroupDiscoveryConfig.PID, name = "Raw Sockets CoAP multicast discovery",
        description = "CoAP resource discovery over multicast (RFC 7252 section 8, RFC 7390): GET /.well-known/core"
                + " sent to a group, the servers' unicast answers collected for a window. Registers the"
                + " CoapGroupDiscovery service.")
public @interface GroupDiscoveryConfig {

    String PID = "org.rawsockets.coap.discovery";

    @AttributeDefinition(description = "Multicast group, an IP literal: 224.0.1.187 (IPv4 All CoAP Nodes) or ff02::fd"
            + " (IPv6 link-local All CoAP Nodes), or another group the servers joined")
    String group() default GroupSettings.ALL_COAP_NODES_V4;

    @AttributeDefinition(min = "1", max = "65535", description = "UDP port of the group (5683: coap)")
    int port() default 5683;

    @AttributeDefinition(required = false, description = "Network interface the request leaves by, e.g. eth0; empty:"
            + " the system's default multicast interface")
    String multicastInterface() default "";

    @AttributeDefinition(min = "1", max = "255", description = "IP TTL / hop limit of the request; 1 keeps it on the"
            + " local link")
    int multicastTimeToLive() default 1;

    @AttributeDefinition(required = false, description = "Local address the discovery socket binds (ephemeral port),"
            + " an IP literal of the group's family; empty: 0.0.0.0 (or :: for an IPv6 group), which needs a"
            + " 'udp-bound 0.0.0.0 *' grant")
    String localAddress() default "";

    @AttributeDefinition(min = "100", max = "600000", description = "Default time answers are collected, milliseconds;"
            + " servers wait up to their Leisure (5 s by default) before answering a multicast request")
    long windowMillis() default 6000;

    @AttributeDefinition(min = "1", max = "1024", description = "Default number of servers after which a discovery"
            + " ends early")
    int maxResponses() default 64;

    @AttributeDefinition(min = "100", description = "Deadline of opening the UDP socket (policy check, bind)")
    long connectTimeoutMillis() default 10_000;

    @AttributeDefinition(min = "1", max = "256", description = "Discoveries running at once at most")
    int maxRunning() default 16;

    @AttributeDefinition(min = "16", max = "1024", description = "Block size (16, 32, ... 1024): below 1024 the multicast"
            + " request asks for blocks of this size (RFC 7959 early negotiation); a server whose answer has more"
            + " blocks is asked for the whole document by unicast (needs a udp-connected grant for it)")
    int blockSize() default 1024;
}
