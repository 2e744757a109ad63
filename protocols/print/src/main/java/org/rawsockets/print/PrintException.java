package org.rawsockets.print;

import java.io.IOException;

/**
 * Every failure of this bundle's printing operations: the message names the printer, what was being
 * done and why. The subtypes say what kind of failure it was.
 */
public class PrintException extends IOException {
    private static final long serialVersionUID = 1L;

    public PrintException(String message) {
        super(message);
    }

    public PrintException(String message, Throwable cause) {
        super(message, cause);
    }
}
