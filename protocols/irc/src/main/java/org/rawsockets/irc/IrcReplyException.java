package org.rawsockets.irc;

/**
 * The server refused a command with an error numeric (a JOIN refused with 475 "bad channel key", a
 * WHOIS of an unknown nick with 401...). {@link #reply()} is the server's reply.
 */
public class IrcReplyException extends IrcException {
    private static final long serialVersionUID = 1L;

    private final transient IrcMessage reply;

    public IrcReplyException(String message, IrcMessage reply) {
        super(message, null);
        this.reply = reply;
    }

    /** The error reply. */
    public IrcMessage reply() {
        return reply;
    }

    /** The error numeric (e.g. 475). */
    public int numeric() {
        return reply == null ? -1 : reply.numeric();
    }
}
