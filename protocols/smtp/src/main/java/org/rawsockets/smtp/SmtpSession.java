package org.rawsockets.smtp;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;
import org.rawsockets.socket.TlsInfo;

/**
 * One open SMTP connection, greeted, EHLO'd, upgraded to TLS and authenticated as the settings
 * say. Sends any number of messages one after the other (the connection is reused; after a failed
 * transaction the client sends RSET). Operations are queued (a bounded queue) and run in order on
 * the session's own worker thread. Stages complete on that thread or, for small messages, on the
 * socket's I/O thread: keep dependent actions short and use the {@code ...Async} variants for
 * blocking work, as with the socket API.
 *
 * <p>A stage fails with {@link SmtpException} for a server refusal (the session stays usable), or
 * with {@link SmtpProtocolException} / a {@link org.rawsockets.socket.RawSocketException} when the
 * connection broke (the session is then closed).
 */
@ProviderType
public interface SmtpSession {

    /** The server's 220 greeting. */
    SmtpReply greeting();

    /** What the server announced in its last EHLO (after STARTTLS and AUTH, the current one). */
    Capabilities capabilities();

    /** TLS details when the connection is TLS (implicit or after STARTTLS). */
    Optional<TlsInfo> tls();

    /** The server address actually connected. */
    InetSocketAddress remoteAddress();

    /** The mechanism used to authenticate, if the session authenticated. */
    Optional<AuthMechanism> authenticatedWith();

    /**
     * Sends one message: MAIL FROM, RCPT TO for each recipient (batched with PIPELINING), then the
     * content with DATA (dot-stuffed) or BDAT (CHUNKING), streamed from {@code content}.
     *
     * @return the outcome, with one result per recipient (some may be refused: a partial
     *         acceptance); fails with {@link SmtpCapabilityException} before anything is sent when
     *         the message exceeds the server's SIZE or needs an extension it lacks, with
     *         {@link SmtpTransientException}/{@link SmtpPermanentException} when the server refuses
     *         the sender, every recipient or the message
     */
    CompletionStage<SendResult> send(Envelope envelope, MessageSource content, ProgressListener progress);

    /** {@link #send(Envelope, MessageSource, ProgressListener)} without progress. */
    default CompletionStage<SendResult> send(Envelope envelope, MessageSource content) {
        return send(envelope, content, ProgressListener.NONE);
    }

    /** A composed message: its envelope and content. */
    default CompletionStage<SendResult> send(ComposedMessage message) {
        return send(message.envelope(), message.content(), ProgressListener.NONE);
    }

    /** RSET: abandons any transaction in progress. */
    CompletionStage<SmtpReply> reset();

    /** NOOP: checks the connection is alive. */
    CompletionStage<SmtpReply> noop();

    /** Whether the session can still be used (not closed, connection not broken). */
    boolean isOpen();

    /** QUIT, then closes the connection. Idempotent; completes when the connection is closed. */
    CompletionStage<Void> close();

    /** Closes the connection at once without QUIT (an unfinished message is not delivered). */
    void abort();
}
