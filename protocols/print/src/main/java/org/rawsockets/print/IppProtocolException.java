package org.rawsockets.print;

/** The printer sent bytes that are not a valid IPP, HTTP, LPD or PJL message (truncated, lengths beyond the body, unknown structure, over a size limit). */
public class IppProtocolException extends PrintException {
    private static final long serialVersionUID = 1L;

    public IppProtocolException(String message) {
        super(message);
    }

    public IppProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
