package org.rawsockets.smtp;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of a message the server accepted for at least one recipient.
 *
 * @param messageReply the server's reply to the end of the message data (2xx)
 * @param recipients one result per envelope recipient, in order; some may be refused (a partial
 *            acceptance): check {@link #refused()}
 * @param bytesSent message bytes sent on the wire (after line-ending normalisation and dot-stuffing)
 */
public record SendResult(SmtpReply messageReply, List<RecipientResult> recipients, long bytesSent) {

    public SendResult {
        Objects.requireNonNull(messageReply, "messageReply");
        recipients = List.copyOf(recipients);
    }

    /** The recipients the server accepted. */
    public List<RecipientResult> accepted() {
        return recipients.stream().filter(RecipientResult::accepted).toList();
    }

    /** The recipients the server refused (the message was not sent to them). */
    public List<RecipientResult> refused() {
        return recipients.stream().filter(r -> !r.accepted()).toList();
    }

    /** Whether some recipients were refused. */
    public boolean isPartial() {
        return recipients.stream().anyMatch(r -> !r.accepted());
    }
}
