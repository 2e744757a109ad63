package org.rawsockets.smtp;

/**
 * The server broke the SMTP protocol: a reply that does not follow the RFC 5321 grammar (bad code,
 * separator, line ending, continuation code), a reply longer than the configured limits, an
 * unexpected reply code, data sent ahead of a STARTTLS handshake, or the connection closed while a
 * reply was due. The session is unusable afterwards.
 */
public class SmtpProtocolException extends SmtpException {
    private static final long serialVersionUID = 1L;

    public SmtpProtocolException(String message) {
        super(message, null, null, null);
    }

    public SmtpProtocolException(String message, SmtpReply reply) {
        super(message, reply, null, null);
    }
}
