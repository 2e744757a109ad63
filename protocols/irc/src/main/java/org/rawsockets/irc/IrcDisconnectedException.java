package org.rawsockets.irc;

/**
 * The connection to the network ended, or was not there: the server sent ERROR (after a KILL, a
 * K-line, an excess-flood kill...), nothing arrived within the ping timeout, the client was closed,
 * or a command was sent while not connected. {@link #serverMessage()} holds the server's ERROR text
 * when there was one.
 */
public class IrcDisconnectedException extends IrcException {
    private static final long serialVersionUID = 1L;

    private final String serverMessage;

    public IrcDisconnectedException(String message, String serverMessage, Throwable cause) {
        super(message, cause);
        this.serverMessage = serverMessage;
    }

    public IrcDisconnectedException(String message) {
        this(message, null, null);
    }

    /** The text of the server's ERROR line, or null when the server did not send one. */
    public String serverMessage() {
        return serverMessage;
    }
}
