package org.rawsockets.irc;

/**
 * A bounded resource of the client is full: the send queue (lines waiting for flood control), or
 * the commands waiting for their replies. Nothing was sent; try again later or raise the limit.
 */
public class IrcLimitException extends IrcException {
    private static final long serialVersionUID = 1L;

    public IrcLimitException(String message) {
        super(message, null);
    }
}
