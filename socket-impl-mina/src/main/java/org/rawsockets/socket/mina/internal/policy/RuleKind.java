package org.rawsockets.socket.mina.internal.policy;

import java.util.Locale;

/**
 * The kinds a declaration or grant names. Several {@link AccessKind}s map onto one rule kind:
 * {@code udp-bound} covers binding, every send destination and every receive source.
 */
public enum RuleKind {
    TCP("tcp"),
    TCP_LISTEN("tcp-listen"),
    TCP_BIND("tcp-bind"),
    UDP_CONNECTED("udp-connected"),
    UDP_BOUND("udp-bound"),
    MULTICAST("multicast");

    private final String token;

    RuleKind(String token) {
        this.token = token;
    }

    /** The name used in configuration lines: {@code tcp}, {@code tcp-listen}, ... */
    public String token() {
        return token;
    }

    /** The rule kind that covers an access kind. */
    public static RuleKind of(AccessKind kind) {
        return switch (kind) {
            case TCP_CONNECT -> TCP;
            case TCP_LISTEN -> TCP_LISTEN;
            case TCP_BIND -> TCP_BIND;
            case UDP_CONNECTED -> UDP_CONNECTED;
            case UDP_BIND, UDP_SEND, UDP_RECEIVE -> UDP_BOUND;
            case MULTICAST_JOIN -> MULTICAST;
        };
    }

    /**
     * Parses {@code tcp}, {@code tcp-listen}, {@code tcp-bind}, {@code udp-connected}, {@code udp-bound},
     * {@code multicast}, case-insensitively, also in enum form ({@code TCP_LISTEN}, {@code UDP_BOUND}).
     *
     * @throws IllegalArgumentException naming the accepted kinds
     */
    public static RuleKind parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (RuleKind k : values()) {
            if (k.token.equals(t)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kind '" + text + "': use one of tcp, tcp-listen, tcp-bind, udp-connected,"
                + " udp-bound, multicast" + " (or * in grants for every kind; any in policy:grant)");
    }
}
