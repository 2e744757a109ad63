package org.rawsockets.print;

/** A printer did not answer, or did not take data, within the configured time. */
public class PrintTimeoutException extends PrintException {
    private static final long serialVersionUID = 1L;

    public PrintTimeoutException(String message) {
        super(message);
    }

    public PrintTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
