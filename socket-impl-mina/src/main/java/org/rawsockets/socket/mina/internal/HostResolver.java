package org.rawsockets.socket.mina.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import org.rawsockets.socket.DnsQueryType;

/**
 * Name resolution, pluggable so that tests can answer differently on each lookup (DNS rebinding).
 * The engine resolves exactly once per open (or per bound-mode send), checks the policy against the
 * result and connects to that exact address. Blocking: the engine calls it off the I/O threads.
 */
@FunctionalInterface
public interface HostResolver {

    /**
     * @return the addresses of {@code host} of the requested family, in preference order, never empty
     * @throws UnknownHostException when there is none
     */
    List<InetAddress> resolve(String host, DnsQueryType type) throws UnknownHostException;

    /**
     * The JDK resolver ({@link InetAddress#getAllByName(String)}), filtered by family. Names in the
     * {@code .invalid} domain are answered "unknown" without a query, as RFC 6761 section 6.4 asks
     * of name resolution APIs.
     */
    HostResolver JDK = (host, type) -> {
        if (isInvalidDomain(host)) {
            throw new UnknownHostException(host + " is in the .invalid domain, which never resolves (RFC 6761)");
        }
        InetAddress[] all = InetAddress.getAllByName(host);
        List<InetAddress> out = new java.util.ArrayList<>();
        for (InetAddress a : all) {
            boolean v4 = a instanceof java.net.Inet4Address;
            if (type == DnsQueryType.ANY || (type == DnsQueryType.IPV4) == v4) {
                out.add(a);
            }
        }
        if (out.isEmpty()) {
            throw new UnknownHostException(host + " has no " + (type == DnsQueryType.IPV4 ? "IPv4" : "IPv6") + " address");
        }
        return out;
    };

    /** Whether {@code host} is {@code invalid} or a name under it (case-insensitive, trailing dot allowed). */
    static boolean isInvalidDomain(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return h.equalsIgnoreCase("invalid") || h.regionMatches(true, h.length() - 8, ".invalid", 0, 8);
    }
}
