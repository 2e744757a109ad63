package org.rawsockets.socket;

/** Life-cycle of a socket. */
public enum SocketState {
    /** Resolving, checking policy, connecting or handshaking: {@code opened()} not complete yet. */
    OPENING,
    /** {@code opened()} completed successfully. */
    OPEN,
    /** {@code close()} called or one direction done; {@code closed()} not complete yet. */
    CLOSING,
    /** Both directions done, resources released. */
    CLOSED,
    /** Opening failed, or the socket was errored; {@code closed()} failed with the error. */
    FAILED
}
