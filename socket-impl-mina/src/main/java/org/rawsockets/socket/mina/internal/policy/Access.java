package org.rawsockets.socket.mina.internal.policy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One thing a bundle wants to do on the network, as the policy checks it: after name resolution,
 * with the exact address the implementation will then use.
 *
 * @param kind what
 * @param requestedHost what the bundle asked for (host name or literal); for endpoint opens the
 *            endpoint's host
 * @param endpointName the named endpoint used, or {@code null}
 * @param address the resolved address and port that will be used (for LISTEN/UDP_BIND/
 *            MULTICAST_JOIN the local address or group)
 * @param networkInterface for MULTICAST_JOIN the name of the interface joined on; {@code null}
 *            otherwise (grants restricted to an interface cover only joins on it)
 */
public record Access(AccessKind kind, String requestedHost, String endpointName, InetSocketAddress address,
        String networkInterface) {

    public Access {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(requestedHost, "requestedHost");
    }

    /** An access that involves no particular network interface. */
    public Access(AccessKind kind, String requestedHost, String endpointName, InetSocketAddress address) {
        this(kind, requestedHost, endpointName, address, null);
    }

    /**
     * The requested host as host-name grants compare it (lower-case ASCII, no trailing dot), or
     * {@code null} when the bundle asked for an IP literal (names never match a literal).
     */
    public String matchName() {
        return Addresses.literal(requestedHost) != null ? null : Addresses.normalizeName(requestedHost);
    }

    /** Human form for messages: {@code tcp connect example.org (93.184.216.34):443}. */
    public String describe() {
        String ip = address.getAddress() == null ? address.getHostString() : Addresses.text(address.getAddress());
        String asked = requestedHost.startsWith("[") && requestedHost.endsWith("]")
                ? requestedHost.substring(1, requestedHost.length() - 1) : requestedHost;
        java.net.InetAddress literal = Addresses.literal(asked);
        String host = asked.equals(ip) || (literal != null && literal.equals(address.getAddress())) ? ip
                : requestedHost + " (" + ip + ")";
        if (ip.indexOf(':') >= 0 && host.equals(ip)) {
            host = "[" + ip + "]";
        }
        String ep = endpointName == null ? "" : " via endpoint '" + endpointName + "'";
        String on = networkInterface == null ? "" : " on interface " + networkInterface;
        return kind.label() + " " + host + ":" + address.getPort() + ep + on;
    }
}
