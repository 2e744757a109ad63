package org.rawsockets.print;

/** The connection to the printer could not be opened or broke; the cause is the socket service's exception (see its {@code reason()}). */
public class PrintConnectionException extends PrintException {
    private static final long serialVersionUID = 1L;

    public PrintConnectionException(String message) {
        super(message);
    }

    public PrintConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
