package org.rawsockets.irc;

/**
 * The server does not offer what the operation needs (e.g. {@link IrcClient#request} without the
 * labeled-response capability). Nothing was sent.
 */
public class IrcUnsupportedException extends IrcException {
    private static final long serialVersionUID = 1L;

    public IrcUnsupportedException(String message) {
        super(message, null);
    }
}
