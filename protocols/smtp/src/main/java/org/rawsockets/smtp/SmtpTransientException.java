package org.rawsockets.smtp;

import java.util.List;

/** The server answered with a 4xx reply: the operation failed for now and may succeed later. */
public class SmtpTransientException extends SmtpException {
    private static final long serialVersionUID = 1L;

    public SmtpTransientException(String message, SmtpReply reply, List<RecipientResult> recipients) {
        super(message, reply, recipients, null);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
