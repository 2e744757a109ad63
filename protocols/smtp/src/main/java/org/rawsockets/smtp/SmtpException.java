package org.rawsockets.smtp;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * An SMTP operation failed. The message says what failed, at which server and why, so it can be
 * shown to a user as it is. When a server reply caused it, {@link #reply()} holds the reply code,
 * enhanced status code and text.
 *
 * <p>Subtypes: {@link SmtpTransientException} (4xx reply), {@link SmtpPermanentException} (5xx
 * reply), {@link SmtpProtocolException} (the server broke the protocol),
 * {@link SmtpCapabilityException} (refused locally: the server lacks something the message or the
 * settings need), {@link SmtpConfigurationException} (the settings cannot be used, e.g. a missing
 * secret). Transport failures are the socket API's
 * {@link org.rawsockets.socket.RawSocketException} subtypes, not this type.
 */
public abstract class SmtpException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient SmtpReply reply;
    private final transient List<RecipientResult> recipients;

    protected SmtpException(String message, SmtpReply reply, List<RecipientResult> recipients, Throwable cause) {
        super(message, cause);
        this.reply = reply;
        this.recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }

    /** The server reply that caused this, if one did. */
    public Optional<SmtpReply> reply() {
        return Optional.ofNullable(reply);
    }

    /** The reply code, or 0 when no reply caused this. */
    public int replyCode() {
        return reply == null ? 0 : reply.code();
    }

    /** The enhanced status code of the reply, if any. */
    public Optional<EnhancedStatusCode> enhancedStatus() {
        return reply == null ? Optional.empty() : Optional.ofNullable(reply.enhancedStatus());
    }

    /** The reply text, empty when no reply caused this. */
    public String replyText() {
        return reply == null ? "" : reply.text();
    }

    /**
     * The per-recipient results known when a message transaction failed (e.g. every recipient
     * refused, or the message refused after some recipients were accepted); empty otherwise.
     */
    public List<RecipientResult> recipients() {
        return recipients;
    }

    /** Whether trying again later may succeed (4xx replies, and only those). */
    public boolean isTransient() {
        return false;
    }
}
