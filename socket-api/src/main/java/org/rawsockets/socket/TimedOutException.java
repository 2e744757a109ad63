package org.rawsockets.socket;

/**
 * An operation did not complete within its time limit (connect, TLS handshake, a blocking read or
 * write). The message names the operation, the destination and the limit.
 */
public class TimedOutException extends RawSocketException {
    private static final long serialVersionUID = 1L;

    public TimedOutException(String message) {
        super(message, null);
    }
}
