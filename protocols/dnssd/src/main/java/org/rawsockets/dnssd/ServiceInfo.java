package org.rawsockets.dnssd;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A service instance as far as it is known.
 *
 * @param instanceName the full name, dots and backslashes inside the instance label escaped
 *            ({@code Office Printer 2\.1._ipp._tcp.local}); what {@link DnsSd#resolve} takes
 * @param name the instance label as published ({@code Office Printer 2.1})
 * @param type the service type ({@code _ipp._tcp})
 * @param domain the domain ({@code local})
 * @param host the SRV target host ({@code printer-7.local}), empty when not known yet
 * @param port the SRV port, 0 when not known yet
 * @param txt the TXT attributes (RFC 6763 §6: keys as sent, first occurrence wins; a key without
 *            {@code =} maps to the empty string)
 * @param addresses the host's IPv4 and IPv6 addresses (IP literals), IPv4 first
 */
public record ServiceInfo(String instanceName, String name, String type, String domain, String host, int port,
        Map<String, String> txt, List<String> addresses) {

    public ServiceInfo {
        Objects.requireNonNull(instanceName, "instanceName");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(host, "host");
        txt = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(txt));
        addresses = List.copyOf(addresses);
    }

    /** Whether host, port and at least one address are known. */
    public boolean resolved() {
        return !host.isEmpty() && port > 0 && !addresses.isEmpty();
    }

    @Override
    public String toString() {
        return instanceName + (host.isEmpty() ? "" : " -> " + host + ":" + port + " " + addresses) + (txt.isEmpty() ? ""
                : " " + txt);
    }
}
