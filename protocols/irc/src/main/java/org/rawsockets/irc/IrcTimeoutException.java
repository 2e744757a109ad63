package org.rawsockets.irc;

/** A command's reply did not arrive within the command timeout; the connection stays up. */
public class IrcTimeoutException extends IrcException {
    private static final long serialVersionUID = 1L;

    public IrcTimeoutException(String message) {
        super(message, null);
    }
}
