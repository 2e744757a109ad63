package org.rawsockets.smtp;

import java.util.List;

/** The server answered with a 5xx reply: the operation failed and must not be retried unchanged. */
public class SmtpPermanentException extends SmtpException {
    private static final long serialVersionUID = 1L;

    public SmtpPermanentException(String message, SmtpReply reply, List<RecipientResult> recipients) {
        super(message, reply, recipients, null);
    }
}
