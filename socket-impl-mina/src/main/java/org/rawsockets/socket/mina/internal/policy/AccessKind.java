package org.rawsockets.socket.mina.internal.policy;

/** The kinds of network access the policy decides on. */
public enum AccessKind {
    TCP_CONNECT("tcp connect"),
    TCP_LISTEN("tcp listen"),
    /** The local address and port an outgoing TCP connection binds before connecting. */
    TCP_BIND("tcp bind"),
    UDP_CONNECTED("udp connected"),
    UDP_BIND("udp bound"),
    /** A datagram sent by a bound UDP socket to this destination. */
    UDP_SEND("udp send"),
    /** A datagram received by a bound UDP socket from this source. */
    UDP_RECEIVE("udp receive"),
    MULTICAST_JOIN("multicast join");

    private final String label;

    AccessKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
