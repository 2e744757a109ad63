package org.rawsockets.socket;

/** What sort of socket a {@link SocketInfo} describes; also the kinds the policy grants. */
public enum SocketKind {
    /** An outgoing TCP connection. */
    TCP,
    /** A TCP connection accepted by a {@link TcpServerSocket}. */
    TCP_ACCEPTED,
    /** A TCP server socket. */
    TCP_LISTEN,
    /** A UDP socket with one fixed peer. */
    UDP_CONNECTED,
    /** A UDP socket bound to a local address, talking to any peer. */
    UDP_BOUND
}
