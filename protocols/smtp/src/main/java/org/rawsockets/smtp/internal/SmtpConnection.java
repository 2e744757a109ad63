package org.rawsockets.smtp.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.rawsockets.smtp.RecipientResult;
import org.rawsockets.smtp.SmtpException;
import org.rawsockets.smtp.SmtpPermanentException;
import org.rawsockets.smtp.SmtpProtocolException;
import org.rawsockets.smtp.SmtpReply;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTransientException;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.TlsOptions;

/**
 * The wire of one SMTP session: the socket, the bytes received and not yet decoded, the one
 * outstanding write, and the running operation's deadline. Commands are written and whole replies
 * read here; every wait is bounded by its own limit and by the running operation's deadline.
 *
 * <p>Written by the session's worker thread (and, on the fast path, by the I/O thread's read
 * callbacks while the worker waits); volatile where other threads read it.
 */
final class SmtpConnection {

    private final SmtpSettings settings;
    private final String label;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    volatile TcpSocket socket;
    /** False once the server said 421 or the connection was closed or broken. */
    volatile boolean open;
    /** The replies of {@link #socket} (replaced with it at STARTTLS). */
    ReplyDecoder replies;
    /** The reply being read, kept across a timed-out wait. */
    CompletableFuture<SmtpReply> inflightReply;
    /** The write not yet waited for (at most one), and what it carries, for messages. */
    CompletableFuture<Void> lastWrite;
    String lastWriteWhat;
    /** The running operation's deadline (System.nanoTime), its limit and what it is, for messages. */
    private long opDeadline = Long.MAX_VALUE;
    private Duration opLimit;
    private String opWhat;

    SmtpConnection(SmtpSettings settings) {
        this.settings = settings;
        this.label = settings.serverLabel();
    }

    static long deadline(Duration limit) {
        return System.nanoTime() + limit.toNanos();
    }

    /** Makes {@code what} the running operation: every wait ends by {@code deadline} ({@code limit}, for messages). */
    void startOperation(long deadline, Duration limit, String what) {
        opDeadline = deadline;
        opLimit = limit;
        opWhat = what;
    }

    /** Takes the socket just opened, once its connection (and TLS handshake, if implicit) completed. */
    TcpOpenInfo connected(TcpSocket s) throws IOException {
        socket = s;
        replies = newDecoder(s);
        return await(s.opened(), settings.connectTimeout().plusSeconds(5), "accept the connection");
    }

    /** After STARTTLS got 220: the TLS handshake on the same connection; nothing read before it is kept. */
    TcpOpenInfo startTls(TlsOptions tls) throws IOException {
        if (replies.isMidReply()) {
            throw new SmtpProtocolException("SMTP server " + label
                    + " sent data after its STARTTLS reply, before the TLS handshake (a command injection"
                    + " attempt or a broken server); connection closed");
        }
        settleLastWrite();
        TcpSocket upgraded = socket.startTls(tls);
        socket = upgraded;
        replies = newDecoder(upgraded);
        inflightReply = null;
        return await(upgraded.opened(), settings.connectTimeout().plusSeconds(5),
                "complete the TLS handshake after STARTTLS");
    }

    // ---------------------------------------------------------------- commands and replies

    SmtpReply command(String line, String what) throws IOException {
        return command(line, US_ASCII, what);
    }

    SmtpReply command(String line, Charset cs, String what) throws IOException {
        writeLine(line, cs, what);
        return readReply(settings.commandTimeout(), what);
    }

    void writeLine(String line, Charset cs, String what) throws IOException {
        byte[] text = line.getBytes(cs);
        byte[] b = new byte[text.length + 2];
        System.arraycopy(text, 0, b, 0, text.length);
        b[text.length] = '\r';
        b[text.length + 1] = '\n';
        write(b, what);
    }

    /**
     * Writes a command (or the last, bounded block of a message) without waiting for the socket to
     * accept it: the reply that is read next proves it went out, and saves a thread hand-off per
     * round trip. At most one such write is outstanding; the next write first waits for it.
     */
    void write(byte[] bytes, String what) throws IOException {
        writeBuffer(ByteBuffer.wrap(bytes), what, false);
    }

    /** Writes message data, waiting until the socket accepts it (backpressure: bounded memory) if {@code wait}. */
    void writeBuffer(ByteBuffer buffer, String what, boolean wait) throws IOException {
        settleLastWrite();
        CompletableFuture<Void> w = wrap(socket.writable().write(buffer));
        if (wait) {
            await(w, settings.commandTimeout(), "take " + what);
        } else {
            lastWrite = w;
            lastWriteWhat = what;
        }
    }

    void settleLastWrite() throws IOException {
        CompletableFuture<Void> w = lastWrite;
        if (w != null) {
            lastWrite = null;
            await(w, settings.commandTimeout(), "take " + lastWriteWhat);
        }
    }

    private ReplyDecoder newDecoder(TcpSocket s) {
        return new ReplyDecoder(s.readable(), settings.maxReplyLineLength(), settings.maxReplyLines(), label);
    }

    /** Reads one whole reply within {@code timeout}, however its bytes trickle in. */
    SmtpReply readReply(Duration timeout, String what) throws IOException {
        if (inflightReply == null) {
            inflightReply = wrap(replies.next());
        }
        SmtpReply r = await(inflightReply, timeout, "reply to " + what);
        inflightReply = null;
        if (r == null) {
            throw new SmtpProtocolException("SMTP server " + label + " closed the connection while the reply to "
                    + what + " was due");
        }
        if (r.code() == 421) {
            open = false; // RFC 5321 3.8: the server is closing the connection
        }
        return r;
    }

    void rsetQuietly() throws IOException {
        if (open) {
            command("RSET", "RSET");
        }
    }

    SmtpReply expectPositive(SmtpReply r, String what, List<RecipientResult> recipients) throws SmtpException {
        if (!r.isPositive()) {
            throw replyError(what, r, recipients);
        }
        return r;
    }

    SmtpException replyError(String what, SmtpReply r, List<RecipientResult> recipients) {
        if (r.isTransientFailure()) {
            return new SmtpTransientException("SMTP server " + label + " refused " + what + ": " + r
                    + (r.code() == 421 ? " (the server is closing the connection)" : ""), r, recipients);
        }
        if (r.isPermanentFailure()) {
            return new SmtpPermanentException("SMTP server " + label + " refused " + what + ": " + r, r, recipients);
        }
        return new SmtpProtocolException("SMTP server " + label + " answered " + what + " with an unexpected reply: " + r,
                r);
    }

    // ---------------------------------------------------------------- bounded waits

    static <T> CompletableFuture<T> wrap(CompletionStage<T> stage) {
        CompletableFuture<T> f = new CompletableFuture<>();
        stage.whenComplete((v, t) -> {
            if (t != null) {
                f.completeExceptionally(t);
            } else {
                f.complete(v);
            }
        });
        return f;
    }

    <T> T await(CompletionStage<T> stage, Duration timeout, String what) throws IOException {
        return awaitUntil(stage, deadline(timeout), timeout, what);
    }

    /**
     * Waits until {@code until} (a limit of {@code limit}, for the message) and not past the running
     * operation's deadline.
     */
    <T> T awaitUntil(CompletionStage<T> stage, long until, Duration limit, String what) throws IOException {
        // Always wrap: a minimal stage (a CompletableFuture subclass) refuses get().
        CompletableFuture<T> f = wrap(stage);
        boolean overall = opDeadline - until < 0;
        long wait = Math.max(0, (overall ? opDeadline : until) - System.nanoTime());
        try {
            return f.get(wait, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (overall) {
                throw new TimedOutException("SMTP server " + label + " did not " + what + " in time: " + opWhat
                        + " must complete within " + seconds(opLimit) + " (setting timeout); the connection is closed");
            }
            throw new TimedOutException("SMTP server " + label + " did not " + what + " within " + seconds(limit));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c instanceof CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            // The socket's own failure names the address and the cause, not what the client was
            // doing: say it, keeping the type (and the reason) callers act on. (Exact classes: a
            // subtype is passed on as it is.)
            if (c instanceof NetworkException n && n.getClass() == NetworkException.class) {
                throw new NetworkException(n.reason(), "SMTP server " + label + " did not " + what + ": " + n.getMessage(),
                        n);
            }
            if (c instanceof SocketClosedException closed && closed.getClass() == SocketClosedException.class) {
                throw new SocketClosedException("SMTP server " + label + " did not " + what + ": " + closed.getMessage(),
                        closed);
            }
            if (c instanceof IOException io) {
                throw io;
            }
            throw new NetworkException("SMTP server " + label + ": waiting to " + what + " failed: " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for SMTP server " + label + " to " + what);
        }
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    // ---------------------------------------------------------------- closing

    /** Closes the socket (if any); {@link #closed()} completes when it is closed. */
    void closeSocket() {
        open = false;
        TcpSocket s = socket;
        if (s == null) {
            closed.complete(null);
            return;
        }
        s.close().whenComplete((v, t) -> closed.complete(null));
    }

    CompletableFuture<Void> closed() {
        return closed;
    }
}
