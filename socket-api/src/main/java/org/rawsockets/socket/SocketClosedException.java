package org.rawsockets.socket;

/**
 * The socket or stream is closed (or was closed while the operation was pending), or the operation
 * does not fit the socket's state. Raised, for instance, to pending opens when the owning bundle
 * releases the service, and to reads and writes of the old streams after {@code startTls}.
 */
public class SocketClosedException extends RawSocketException {
    private static final long serialVersionUID = 1L;

    public SocketClosedException(String message) {
        super(message, null);
    }

    public SocketClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
