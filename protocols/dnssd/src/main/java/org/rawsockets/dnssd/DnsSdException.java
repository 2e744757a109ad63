package org.rawsockets.dnssd;

/**
 * Base of every DNS-SD failure: the message says what was asked, on which interface, and why it
 * failed. The network cause (a {@link org.rawsockets.socket.RawSocketException}) is attached when
 * there is one.
 */
public class DnsSdException extends Exception {

    private static final long serialVersionUID = 1L;

    public DnsSdException(String message) {
        super(message);
    }

    public DnsSdException(String message, Throwable cause) {
        super(message, cause);
    }
}
