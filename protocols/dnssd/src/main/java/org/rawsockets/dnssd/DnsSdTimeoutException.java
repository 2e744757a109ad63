package org.rawsockets.dnssd;

/** No answer within the time limit: the message says what was asked, what was missing and the limit. */
public class DnsSdTimeoutException extends DnsSdException {

    private static final long serialVersionUID = 1L;

    public DnsSdTimeoutException(String message) {
        super(message);
    }
}
