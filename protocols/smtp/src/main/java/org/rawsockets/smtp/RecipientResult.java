package org.rawsockets.smtp;

import java.util.Objects;

/**
 * What the server said to one {@code RCPT TO}.
 *
 * @param address the recipient address
 * @param reply the server's reply
 */
public record RecipientResult(String address, SmtpReply reply) {

    public RecipientResult {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(reply, "reply");
    }

    /** Whether the server accepted this recipient (2xx). */
    public boolean accepted() {
        return reply.isPositive();
    }

    @Override
    public String toString() {
        return "<" + address + ">: " + reply;
    }
}
