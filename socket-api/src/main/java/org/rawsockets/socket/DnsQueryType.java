package org.rawsockets.socket;

/** Which address family a host name is resolved to. */
public enum DnsQueryType {
    /** Either family, in the resolver's order (the default). */
    ANY,
    /** A records only. */
    IPV4,
    /** AAAA records only. */
    IPV6
}
