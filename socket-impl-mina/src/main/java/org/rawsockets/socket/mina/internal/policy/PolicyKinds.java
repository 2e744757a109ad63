package org.rawsockets.socket.mina.internal.policy;

import java.util.Locale;

/** The access kinds operators type ({@code policy:explain}, the console's explain form). */
public final class PolicyKinds {

    private PolicyKinds() {
    }

    /**
     * tcp, tcp-listen, tcp-bind, udp-connected, udp-bound (a send), udp-receive, udp-bind, multicast.
     *
     * @throws IllegalArgumentException any other word, naming the accepted ones
     */
    public static AccessKind accessKind(String kind) {
        return switch (kind == null ? "" : kind.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "tcp", "tcp-connect" -> AccessKind.TCP_CONNECT;
            case "tcp-listen" -> AccessKind.TCP_LISTEN;
            case "tcp-bind" -> AccessKind.TCP_BIND;
            case "udp-connected" -> AccessKind.UDP_CONNECTED;
            case "udp-bound", "udp-send" -> AccessKind.UDP_SEND;
            case "udp-receive" -> AccessKind.UDP_RECEIVE;
            case "udp-bind" -> AccessKind.UDP_BIND;
            case "multicast", "multicast-join" -> AccessKind.MULTICAST_JOIN;
            default -> throw new IllegalArgumentException("unknown kind '" + kind + "': use tcp, tcp-listen, tcp-bind, udp-connected,"
                    + " udp-bound (a send), udp-receive, udp-bind, multicast");
        };
    }
}
