package org.rawsockets.smtp.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.rawsockets.smtp.AuthMechanism;
import org.rawsockets.smtp.Capabilities;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.ProgressListener;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpCapabilityException;
import org.rawsockets.smtp.SmtpPermanentException;
import org.rawsockets.smtp.SmtpReply;
import org.rawsockets.smtp.SmtpSession;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTransientException;
import org.rawsockets.smtp.internal.MessageTransfer.SourceOpenException;
import org.rawsockets.smtp.internal.Operation.IoCallable;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TlsInfo;

/**
 * The SMTP client session for one connection, and its lifecycle (open, close with QUIT, abort).
 * Every operation runs on the session's single worker thread ({@link SessionWorker}, a bounded
 * queue of {@value SessionWorker#QUEUE_LIMIT} operations), which owns all connection state (while a
 * small message takes the fast path, {@link FastSend}, the I/O thread's read callbacks act for it
 * and the worker waits); waits on the socket's stages are bounded by the configured timeouts
 * ({@link SmtpConnection}). Writes wait for the socket's acceptance (its high-water mark), so
 * message data is read from the source only as fast as the connection takes it
 * ({@link MessageTransfer}).
 *
 * <p>Opening is {@link SmtpHandshake}; sending is {@link SendPipeline}.
 *
 * <p>Deadlines: every wait is bounded by its own limit (a whole reply within the command or data
 * timeout, however slowly its bytes arrive) and by the running operation's overall deadline
 * ({@link SmtpSettings#timeout()} from the call, or the deadline the caller gave). A wait that hits
 * a limit fails the operation and closes the connection. A caller that completes an operation's
 * stage itself (cancel, {@code orTimeout}) aborts the session: the socket is closed and the worker
 * interrupted at once.
 */
public final class SmtpSessionImpl implements SmtpSession {

    private final SmtpSettings settings;
    private final String label;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final SmtpConnection conn;
    private final SmtpHandshake hello;
    private final SessionWorker worker;
    private final SendPipeline sender;

    private SmtpSessionImpl(SocketService sockets, SmtpSettings settings) {
        this.settings = settings;
        this.label = settings.serverLabel();
        this.conn = new SmtpConnection(settings);
        this.hello = new SmtpHandshake(sockets, settings, conn);
        this.worker = new SessionWorker(label, closing);
        this.sender = new SendPipeline(this, settings, conn, hello, worker);
    }

    /** Opens a session: connect, greeting, EHLO, STARTTLS, AUTH, within {@link SmtpSettings#timeout()}. */
    public static CompletionStage<SmtpSession> connect(SocketService sockets, SmtpSettings settings) {
        return create(sockets, settings).open(deadline(settings.timeout()), settings.timeout());
    }

    /** A session not yet connected: {@link #open} connects it. */
    static SmtpSessionImpl create(SocketService sockets, SmtpSettings settings) {
        return new SmtpSessionImpl(sockets, settings);
    }

    static long deadline(Duration limit) {
        return SmtpConnection.deadline(limit);
    }

    /** Connects, greets, upgrades and authenticates; all by {@code deadline} ({@code limit} from now, for messages). */
    CompletableFuture<SmtpSession> open(long deadline, Duration limit) {
        return submit("opening the session", deadline, limit, () -> {
            try {
                hello.run();
                return (SmtpSession) this;
            } catch (Throwable t) {
                breakConnection();
                throw t;
            }
        });
    }

    String label() {
        return label;
    }

    SmtpConnection connection() {
        return conn;
    }

    SendPipeline sender() {
        return sender;
    }

    // ---------------------------------------------------------------- public operations

    @Override
    public SmtpReply greeting() {
        return hello.greeting;
    }

    @Override
    public Capabilities capabilities() {
        return hello.capabilities;
    }

    @Override
    public Optional<TlsInfo> tls() {
        return Optional.ofNullable(hello.tlsInfo);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return hello.remoteAddress;
    }

    @Override
    public Optional<AuthMechanism> authenticatedWith() {
        return Optional.ofNullable(hello.authenticatedWith);
    }

    @Override
    public boolean isOpen() {
        return conn.open && !closing.get();
    }

    @Override
    public CompletionStage<SendResult> send(Envelope envelope, MessageSource content, ProgressListener progress) {
        return send(envelope, content, progress, deadline(settings.timeout()), settings.timeout());
    }

    /** A send that must complete by {@code deadline} ({@code limit} from the caller's start, for messages). */
    CompletableFuture<SendResult> send(Envelope envelope, MessageSource content, ProgressListener progress,
            long deadline, Duration limit) {
        java.util.Objects.requireNonNull(envelope, "envelope");
        java.util.Objects.requireNonNull(content, "content");
        ProgressListener p = progress == null ? ProgressListener.NONE : progress;
        SendTask task = new SendTask(this, envelope, content, p, deadline, limit);
        worker.enqueue(task);
        return task.future;
    }

    @Override
    public CompletionStage<SmtpReply> reset() {
        return submit("RSET", deadline(settings.timeout()), settings.timeout(),
                () -> guarded(() -> conn.expectPositive(conn.command("RSET", "RSET"), "RSET", null)));
    }

    @Override
    public CompletionStage<SmtpReply> noop() {
        return submit("NOOP", deadline(settings.timeout()), settings.timeout(),
                () -> guarded(() -> conn.expectPositive(conn.command("NOOP", "NOOP"), "NOOP", null)));
    }

    @Override
    public CompletionStage<Void> close() {
        return close(Long.MAX_VALUE);
    }

    /**
     * QUIT (waiting at most {@code min(commandTimeout, 10 s)} for its reply, and not past
     * {@code deadline}), then closes the connection.
     */
    CompletionStage<Void> close(long deadline) {
        if (closing.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    try {
                        if (conn.open) {
                            Duration quit = min(settings.commandTimeout(), Duration.ofSeconds(10));
                            conn.startOperation(Math.min(deadline, deadline(quit)), quit, "closing the session (QUIT)");
                            conn.writeLine("QUIT", US_ASCII, "QUIT");
                            conn.readReply(quit, "QUIT");
                        }
                    } catch (Exception ignored) {
                        // The server may close first; the connection is closed either way.
                    } finally {
                        conn.closeSocket();
                    }
                });
            } catch (RejectedExecutionException e) {
                conn.closeSocket();
            }
            worker.shutdown();
        }
        return conn.closed().thenApply(v -> v);
    }

    @Override
    public void abort() {
        closing.set(true);
        breakConnection();
        for (Runnable r : worker.shutdownNow()) {
            if (r instanceof Operation<?> op) {
                op.fail(new SocketClosedException("the SMTP session to " + label + " was aborted before this operation ran"));
            }
        }
    }

    @Override
    public String toString() {
        return "SmtpSession[" + label + ", open=" + isOpen() + ", tls=" + (hello.tlsInfo != null) + "]";
    }

    // ---------------------------------------------------------------- running operations

    private <T> CompletableFuture<T> submit(String what, long deadline, Duration limit, IoCallable<T> task) {
        Operation.Call<T> op = new Operation.Call<>(this, what, deadline, limit, task);
        worker.enqueue(op);
        return op.future;
    }

    /** Runs an operation; a failure other than a server refusal leaves the connection unusable: close it. */
    <T> T guarded(IoCallable<T> op) throws Exception {
        try {
            return op.call();
        } catch (SmtpTransientException | SmtpPermanentException | SmtpCapabilityException | SourceOpenException e) {
            if (!conn.open) {
                breakConnection();
            }
            throw e;
        } catch (Throwable t) {
            breakConnection();
            throw t;
        }
    }

    void ensureOpen() throws SocketClosedException {
        if (!conn.open || closing.get()) {
            throw new SocketClosedException("the SMTP session to " + label + " is closed");
        }
    }

    private void breakConnection() {
        conn.closeSocket();
        worker.shutdown();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
