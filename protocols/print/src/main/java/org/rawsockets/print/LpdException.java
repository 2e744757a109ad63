package org.rawsockets.print;

/** An LPD daemon refused a command (RFC 1179 negative acknowledgement). */
public class LpdException extends PrintException {
    private static final long serialVersionUID = 1L;

    public LpdException(String message) {
        super(message);
    }

    public LpdException(String message, Throwable cause) {
        super(message, cause);
    }
}
