package org.rawsockets.smtp;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Sends mail through one configured mail server (one service per factory configuration
 * {@code org.rawsockets.smtp.server}, service property {@code name}). Each {@code send} opens a
 * connection, sends and quits; use {@link #openSession()} to send several messages over one
 * connection.
 */
@ProviderType
public interface MailSender {

    /** The service property holding the server's configured name. */
    String NAME_PROPERTY = "name";

    /** The configured name of this mail server. */
    String name();

    /** The settings in use (credentials redacted in {@code toString}). */
    SmtpSettings settings();

    /** Sends one message over a new connection. */
    CompletionStage<SendResult> send(Envelope envelope, MessageSource content, ProgressListener progress);

    /** Sends one composed message over a new connection. */
    default CompletionStage<SendResult> send(ComposedMessage message) {
        return send(message.envelope(), message.content(), ProgressListener.NONE);
    }

    /** Opens a session for several messages; the caller closes it. */
    CompletionStage<SmtpSession> openSession();

    /** Connects, reads greeting and capabilities (and TLS details), authenticates if configured, quits. */
    CompletionStage<ProbeResult> probe();
}
