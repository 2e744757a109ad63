package org.rawsockets.smtp;

/**
 * The client refused, before sending, because the server lacks what the settings or the message
 * need: STARTTLS required but not offered, no offered AUTH mechanism usable, the message larger than
 * the server's SIZE limit, SMTPUTF8 or 8BITMIME needed but not offered, credentials over a plain
 * connection without permission.
 */
public class SmtpCapabilityException extends SmtpException {
    private static final long serialVersionUID = 1L;

    public SmtpCapabilityException(String message) {
        super(message, null, null, null);
    }
}
