package org.rawsockets.coap;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * One server's answer to a multicast discovery ({@link CoapGroupDiscovery}): where the unicast
 * response came from and its {@code /.well-known/core} links.
 *
 * @param server the source address and port of the response (the server's unicast address)
 * @param links the links it answered with, in document order (with a query filter, only matching ones)
 */
public record CoapServerLinks(InetSocketAddress server, List<CoapLink> links) {

    public CoapServerLinks {
        Objects.requireNonNull(server, "server");
        links = List.copyOf(links);
    }

    /** {@code host:port} of the server ({@code [v6]:port} for IPv6). */
    public String address() {
        String host = server.getAddress() != null ? server.getAddress().getHostAddress() : server.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + server.getPort();
    }
}
