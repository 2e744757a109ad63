package org.rawsockets.socket;

/**
 * The network or the peer failed the operation: name resolution, connection refused or reset,
 * unreachable host, TLS handshake or certificate failure, an I/O error. The cause, when there is
 * one, is the operating system's or the TLS engine's exception.
 */
public class NetworkException extends RawSocketException {
    private static final long serialVersionUID = 1L;

    public NetworkException(String message, Throwable cause) {
        super(message, cause);
    }

    public NetworkException(String message) {
        super(message, null);
    }
}
