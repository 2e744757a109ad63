package org.rawsockets.print;

/** The printer's protocol has no such operation (e.g. printer attributes over raw 9100). */
public class UnsupportedPrintOperationException extends PrintException {
    private static final long serialVersionUID = 1L;

    public UnsupportedPrintOperationException(String message) {
        super(message);
    }
}
