package org.rawsockets.irc;

/**
 * The server sent something this client does not accept: a line longer than the limits (512 bytes,
 * or the server's LINELEN, plus 8191 bytes of IRCv3 tags), a line without a command, a malformed
 * tag section. The connection it came on is closed; the client reconnects if it is configured to.
 */
public class IrcProtocolException extends IrcException {
    private static final long serialVersionUID = 1L;

    public IrcProtocolException(String message) {
        super(message, null);
    }

    public IrcProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
