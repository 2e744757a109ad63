package org.rawsockets.smtp.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.rawsockets.smtp.AuthMechanism;
import org.rawsockets.smtp.Capabilities;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.ProgressListener;
import org.rawsockets.smtp.RecipientResult;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpCapabilityException;
import org.rawsockets.smtp.SmtpException;
import org.rawsockets.smtp.SmtpPermanentException;
import org.rawsockets.smtp.SmtpProtocolException;
import org.rawsockets.smtp.SmtpReply;
import org.rawsockets.smtp.SmtpSession;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;
import org.rawsockets.smtp.SmtpTransientException;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * The SMTP client state machine for one connection. Every operation runs on the session's single
 * worker thread (a bounded queue of {@value #QUEUE_LIMIT} operations), which owns all connection
 * state (while a small message takes the fast path, the I/O thread's read callbacks act for it and
 * the worker waits); waits on the socket's stages are bounded by the configured timeouts. Writes wait for the
 * socket's acceptance (its high-water mark), so message data is read from the source only as fast
 * as the connection takes it.
 *
 * <p>Deadlines: every wait is bounded by its own limit (a whole reply within the command or data
 * timeout, however slowly its bytes arrive) and by the running operation's overall deadline
 * ({@link SmtpSettings#timeout()} from the call, or the deadline the caller gave). A wait that hits
 * a limit fails the operation and closes the connection. A caller that completes an operation's
 * stage itself (cancel, {@code orTimeout}) aborts the session: the socket is closed and the worker
 * interrupted at once.
 */
public final class SmtpSessionImpl implements SmtpSession {

    static final int QUEUE_LIMIT = 64;
    /** Commands per pipelined batch (RFC 2920 leaves the size to the client; bounded for buffers). */
    static final int PIPELINE_BATCH = 100;
    /** Message chunks up to this size go out in one write with the commands before them. */
    static final int SMALL_WRITE = 64 * 1024;
    private static final byte[] CRLF = { '\r', '\n' };
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final SocketService sockets;
    private final SmtpSettings settings;
    private final String label;
    private final ThreadPoolExecutor worker;
    private final ReplyDecoder decoder;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    // Connection state: written by the worker thread; volatile where other threads read it.
    private volatile TcpSocket socket;
    /** The running operation's deadline (System.nanoTime), its limit and what it is, for messages. */
    private long opDeadline = Long.MAX_VALUE;
    private Duration opLimit;
    private String opWhat;
    private volatile boolean open;
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private CompletableFuture<ReadResult<ByteBuffer>> inflightRead;
    private CompletableFuture<Void> lastWrite;
    private String lastWriteWhat;
    private volatile SmtpReply greeting;
    private volatile Capabilities capabilities;
    private volatile TlsInfo tlsInfo;
    private volatile InetSocketAddress remoteAddress;
    private volatile AuthMechanism authenticatedWith;

    private SmtpSessionImpl(SocketService sockets, SmtpSettings settings) {
        this.sockets = sockets;
        this.settings = settings;
        this.label = settings.serverLabel();
        this.decoder = new ReplyDecoder(settings.maxReplyLineLength(), settings.maxReplyLines(), label);
        this.worker = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_LIMIT), r -> {
            Thread t = new Thread(r, "smtp-" + THREADS.incrementAndGet() + " " + label);
            t.setDaemon(true);
            return t;
        });
        this.worker.allowCoreThreadTimeOut(true);
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
        return System.nanoTime() + limit.toNanos();
    }

    /** Connects, greets, upgrades and authenticates; all by {@code deadline} ({@code limit} from now, for messages). */
    CompletableFuture<SmtpSession> open(long deadline, Duration limit) {
        return submit("opening the session", deadline, limit, () -> {
            try {
                handshake();
                return (SmtpSession) this;
            } catch (Throwable t) {
                breakConnection();
                throw t;
            }
        });
    }

    // ---------------------------------------------------------------- public operations

    @Override
    public SmtpReply greeting() {
        return greeting;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public Optional<TlsInfo> tls() {
        return Optional.ofNullable(tlsInfo);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Optional<AuthMechanism> authenticatedWith() {
        return Optional.ofNullable(authenticatedWith);
    }

    @Override
    public boolean isOpen() {
        return open && !closing.get();
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
        SendTask task = new SendTask(envelope, content, p, deadline, limit);
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            task.fail(rejected());
        }
        return task.future;
    }

    @Override
    public CompletionStage<SmtpReply> reset() {
        return submit("RSET", deadline(settings.timeout()), settings.timeout(),
                () -> guarded(() -> expectPositive(command("RSET", "RSET"), "RSET", null)));
    }

    @Override
    public CompletionStage<SmtpReply> noop() {
        return submit("NOOP", deadline(settings.timeout()), settings.timeout(),
                () -> guarded(() -> expectPositive(command("NOOP", "NOOP"), "NOOP", null)));
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
                        if (open) {
                            Duration quit = min(settings.commandTimeout(), Duration.ofSeconds(10));
                            opDeadline = Math.min(deadline, deadline(quit));
                            opLimit = quit;
                            opWhat = "closing the session (QUIT)";
                            writeLine("QUIT", US_ASCII, "QUIT");
                            readReply(quit, "QUIT");
                        }
                    } catch (Exception ignored) {
                        // The server may close first; the connection is closed either way.
                    } finally {
                        closeSocket();
                    }
                });
            } catch (RejectedExecutionException e) {
                closeSocket();
            }
            worker.shutdown();
        }
        return closed.thenApply(v -> v);
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
        return "SmtpSession[" + label + ", open=" + isOpen() + ", tls=" + (tlsInfo != null) + "]";
    }

    // ---------------------------------------------------------------- handshake

    private void handshake() throws IOException {
        // The secret first: a missing one fails before anything goes on the network.
        String secret = settings.credentials().isPresent() ? SmtpAuth.secretOf(settings.credentials().get(), label)
                : null;
        SmtpTlsMode mode = settings.tlsMode();
        TlsMode socketTls = switch (mode) {
            case IMPLICIT -> TlsMode.ON;
            case STARTTLS_REQUIRED, STARTTLS_OPPORTUNISTIC -> TlsMode.STARTTLS;
            case OFF -> TlsMode.OFF;
        };
        TlsOptions tls = settings.tls().toBuilder().mode(socketTls).build();
        TcpSocketOptions options = TcpSocketOptions.builder().noDelay(true).connectTimeout(settings.connectTimeout())
                .tls(tls).build();
        socket = settings.endpointName().isPresent() ? sockets.openTcpEndpoint(settings.endpointName().get(), options)
                : sockets.openTcp(settings.host().orElseThrow(), settings.port(), options);
        TcpOpenInfo info = await(socket.opened(), settings.connectTimeout().plusSeconds(5), "accept the connection");
        remoteAddress = info.remoteAddress();
        tlsInfo = info.tlsInfo();
        open = true;

        SmtpReply hello = readReply(settings.commandTimeout(), "the greeting");
        greeting = hello;
        if (hello.code() != 220) {
            throw replyError("the connection (greeting)", hello, null);
        }
        ehlo();
        if (socketTls == TlsMode.STARTTLS) {
            boolean required = mode == SmtpTlsMode.STARTTLS_REQUIRED;
            if (capabilities.has("STARTTLS")) {
                SmtpReply r = command("STARTTLS", "STARTTLS");
                if (r.code() == 220) {
                    if (pending.hasRemaining() || decoder.isMidReply()) {
                        throw new SmtpProtocolException("SMTP server " + label
                                + " sent data after its STARTTLS reply, before the TLS handshake (a command injection"
                                + " attempt or a broken server); connection closed");
                    }
                    settleLastWrite();
                    TcpSocket upgraded = socket.startTls(tls);
                    socket = upgraded;
                    pending = ByteBuffer.allocate(0);
                    inflightRead = null;
                    TcpOpenInfo ti = await(upgraded.opened(), settings.connectTimeout().plusSeconds(5),
                            "complete the TLS handshake after STARTTLS");
                    tlsInfo = ti.tlsInfo();
                    ehlo(); // RFC 3207: forget what was learnt before TLS
                } else if (required || !r.isTransientFailure() && !r.isPermanentFailure()) {
                    throw replyError("STARTTLS", r, null);
                }
            } else if (required) {
                throw new SmtpCapabilityException("SMTP server " + label
                        + " does not offer STARTTLS and the TLS mode is STARTTLS_REQUIRED: not continuing without TLS"
                        + " (its EHLO offers: " + capabilities.keywords().keySet()
                        + "; use IMPLICIT for port 465, or STARTTLS_OPPORTUNISTIC/OFF only on a trusted network)");
            }
        }
        if (settings.credentials().isPresent()) {
            SmtpAuth.Outcome auth = SmtpAuth.exchange(settings.credentials().get(), secret, capabilities, tlsInfo != null,
                    settings.allowAuthWithoutTls(), label, this::command);
            if (auth.reply().code() != 235) {
                throw replyError(auth.what(), auth.reply(), null);
            }
            authenticatedWith = auth.mechanism();
        }
    }


    private void ehlo() throws IOException {
        SmtpReply r = command("EHLO " + settings.clientName(), "EHLO");
        if (r.isPositive()) {
            capabilities = Capabilities.fromEhlo(r);
        } else if (r.isPermanentFailure()) {
            SmtpReply h = command("HELO " + settings.clientName(), "HELO");
            expectPositive(h, "HELO (after EHLO was refused: " + r + ")", null);
            capabilities = Capabilities.helo(h);
        } else {
            throw replyError("EHLO", r, null);
        }
    }

    // ---------------------------------------------------------------- sending

    /** A queued send. The worker runs it; its commands may already have gone out with the previous message. */
    private final class SendTask extends Operation<SendResult> {
        final Envelope env;
        final MessageSource content;
        final ProgressListener progress;
        Prepared prepared;
        Throwable prepareFailure;
        /** Its MAIL/RCPT/DATA were written behind the previous message's end of data (RFC 2920 3.1). */
        boolean batchWritten;
        /** The next send, taken from the queue while this one ended its data; runs right after it. */
        SendTask chained;

        SendTask(Envelope env, MessageSource content, ProgressListener progress, long deadline, Duration limit) {
            super("sending the message", deadline, limit);
            this.env = env;
            this.content = content;
            this.progress = progress;
        }

        @Override
        public void run() {
            runSends(this);
        }

        @Override
        boolean fail(Throwable reason) {
            closeSource();
            return super.fail(reason);
        }

        void closeSource() {
            Prepared p = prepared;
            if (p != null) {
                try {
                    p.in.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    /** A send checked against the capabilities, with its commands built and its source open. */
    private record Prepared(List<String> commands, Charset cs, boolean chunking, boolean pipelining, InputStream in,
            Transfer transfer) {

        /** Every command in one pipelined group, DATA included (only without CHUNKING, one batch). */
        boolean singleDataBatch() {
            return pipelining && !chunking && commands.size() <= PIPELINE_BATCH;
        }

        byte[] batch(int from, int to, boolean withData) {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64 * (to - from + 1));
            for (int k = from; k < to; k++) {
                b.writeBytes(commands.get(k).getBytes(cs));
                b.writeBytes(CRLF);
            }
            if (withData) {
                b.writeBytes("DATA\r\n".getBytes(US_ASCII));
            }
            return b.toByteArray();
        }
    }

    /** The source of a message could not be opened; nothing was sent, the session stays usable. */
    static final class SourceOpenException extends IOException {
        private static final long serialVersionUID = 1L;

        SourceOpenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void runSends(SendTask first) {
        SendTask t = first;
        while (t != null) {
            SendTask current = t;
            current.start();
            // Late but its commands already went out: it runs, and fails at its first wait.
            if (!current.batchWritten && current.expiredInQueue()) {
                current.closeSource();
                return; // nothing of it was sent, and no send was chained to it
            }
            try {
                current.succeed(guarded(() -> doSend(current)));
            } catch (Throwable e) {
                current.fail(e);
            } finally {
                current.closeSource();
            }
            t = current.chained;
            if (t != null && !isOpen()) {
                t.fail(new SocketClosedException("the SMTP session to " + label + " closed before this message was sent"));
                t = null;
            }
        }
    }

    /**
     * At the end of a message's data: takes the next queued send (if it is the next operation) and,
     * when it fits one pipelined group, returns its MAIL/RCPT/DATA to go out in the same write as the
     * end of data, saving a round trip per message.
     */
    private byte[] chainNext(SendTask current) {
        if (!current.prepared.pipelining()) {
            return null;
        }
        Runnable head = worker.getQueue().peek();
        if (!(head instanceof SendTask next) || !worker.getQueue().remove(next)) {
            return null;
        }
        current.chained = next;
        try {
            next.prepared = prepare(next.env, next.content, next.progress);
        } catch (Throwable e) {
            next.prepareFailure = e;
            return null;
        }
        if (!next.prepared.singleDataBatch()) {
            return null;
        }
        next.batchWritten = true;
        return next.prepared.batch(0, next.prepared.commands().size(), true);
    }

    private Prepared prepare(Envelope env, MessageSource content, ProgressListener progress) throws IOException {
        Capabilities caps = capabilities;
        OptionalLong size;
        try {
            size = content.size();
        } catch (RuntimeException e) {
            throw new SourceOpenException("cannot read the size of the message to send (" + e.getMessage()
                    + "); nothing was sent", e);
        }
        OptionalLong limit = caps.sizeLimit();
        if (size.isPresent() && limit.isPresent() && size.getAsLong() > limit.getAsLong()) {
            throw new SmtpCapabilityException("the message (" + size.getAsLong() + " bytes) is larger than the "
                    + limit.getAsLong() + " bytes SMTP server " + label + " accepts (SIZE); not sent");
        }
        if (env.smtpUtf8() && !caps.has("SMTPUTF8")) {
            throw new SmtpCapabilityException("the message needs SMTPUTF8 (a non-ASCII address or UTF-8 headers) but"
                    + " SMTP server " + label + " does not offer it; not sent");
        }
        if (env.eightBitMime() && !caps.has("8BITMIME")) {
            throw new SmtpCapabilityException("the message has 8-bit content (BODY=8BITMIME) but SMTP server " + label
                    + " does not offer 8BITMIME; not sent (encode it as quoted-printable or base64)");
        }
        boolean dsn = env.wantsDsn() && caps.has("DSN");
        boolean chunking = settings.chunking() && caps.has("CHUNKING");
        boolean pipelining = settings.pipelining() && caps.has("PIPELINING");
        Charset cs = env.smtpUtf8() ? UTF_8 : US_ASCII;

        List<String> commands = new ArrayList<>(env.recipients().size() + 1);
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(env.from()).append('>');
        if (size.isPresent() && caps.has("SIZE")) {
            mail.append(" SIZE=").append(size.getAsLong());
        }
        if (env.eightBitMime()) {
            mail.append(" BODY=8BITMIME");
        }
        if (env.smtpUtf8()) {
            mail.append(" SMTPUTF8");
        }
        if (dsn) {
            env.dsnReturn().ifPresent(r -> mail.append(" RET=").append(r.name()));
            env.envelopeId().ifPresent(id -> mail.append(" ENVID=").append(xtext(id)));
        }
        commands.add(mail.toString());
        for (String rcpt : env.recipients()) {
            StringBuilder sb = new StringBuilder("RCPT TO:<").append(rcpt).append('>');
            if (dsn && env.dsnNotify().isPresent()) {
                sb.append(" NOTIFY=").append(env.dsnNotify().get().stream().sorted().map(Enum::name)
                        .collect(Collectors.joining(",")));
            }
            if (dsn && rcpt.chars().allMatch(ch -> ch < 128)) {
                sb.append(" ORCPT=rfc822;").append(xtext(rcpt));
            }
            commands.add(sb.toString());
        }
        long total = size.orElse(-1);
        InputStream in;
        try {
            in = content.open();
        } catch (IOException | RuntimeException e) {
            throw new SourceOpenException("cannot open the message to send (" + e.getMessage() + "); nothing was sent", e);
        }
        return new Prepared(List.copyOf(commands), cs, chunking, pipelining, in, new Transfer(in, total, progress, chunking));
    }

    private SendResult doSend(SendTask task) throws IOException {
        ensureOpen();
        if (task.prepareFailure != null) {
            throw task.prepareFailure instanceof IOException io ? io : new IOException(task.prepareFailure);
        }
        if (task.prepared == null) {
            task.prepared = prepare(task.env, task.content, task.progress);
        }
        Prepared p = task.prepared;
        Envelope env = task.env;
        List<String> commands = p.commands();
        boolean chunking = p.chunking();
        Charset cs = p.cs();
        Transfer t = p.transfer();
        t.task = task;
        {
            List<SmtpReply> replies = new ArrayList<>(commands.size());
            SmtpReply dataReply = null; // DATA's reply, or the first BDAT chunk's reply
            if (fastEligible(task, p)) {
                FastOutcome o = runFast(task, p, t.encodeWhole());
                if (o.result() != null) {
                    return o.result();
                }
                replies.addAll(o.replies());
                dataReply = o.dataReply();
                if (o.finalReply() != null) {
                    List<RecipientResult> results = recipientResults(env, replies);
                    throw replyError("the message", o.finalReply(), results);
                }
                // A refusal before the data: handled below like any pipelined refusal.
            } else if (p.pipelining()) {
                for (int i = 0; i < commands.size(); i += PIPELINE_BATCH) {
                    int end = Math.min(commands.size(), i + PIPELINE_BATCH);
                    boolean lastBatch = end == commands.size();
                    byte[] batch = p.batch(i, end, lastBatch && !chunking);
                    if (task.batchWritten) {
                        // Already sent behind the previous message's end of data.
                    } else if (lastBatch && chunking) {
                        // RFC 3030: BDAT may be pipelined after RCPT; one write for a small message.
                        t.writeNextChunk(batch);
                    } else {
                        write(batch, i == 0 ? "MAIL FROM" : "RCPT TO");
                    }
                    for (int k = i; k < end; k++) {
                        replies.add(readReply(settings.commandTimeout(), k == 0 ? "MAIL FROM" : "RCPT TO"));
                    }
                }
                dataReply = readReply(chunking && t.lastSent ? settings.dataTimeout() : settings.commandTimeout(),
                        chunking ? "BDAT" : "DATA");
            } else {
                for (int k = 0; k < commands.size(); k++) {
                    SmtpReply r = command(commands.get(k), cs, k == 0 ? "MAIL FROM" : "RCPT TO");
                    replies.add(r);
                    if (k == 0 && !r.isPositive()) {
                        throw replyError("the sender <" + env.from() + ">", r, null);
                    }
                }
            }
            SmtpReply mailReply = replies.get(0);
            List<RecipientResult> results = recipientResults(env, replies);
            boolean anyAccepted = results.stream().anyMatch(RecipientResult::accepted);

            if (!mailReply.isPositive() || !anyAccepted) {
                if (dataReply != null && dataReply.code() == 354) {
                    // The server took DATA although nothing can be delivered: end it empty.
                    write(".\r\n".getBytes(US_ASCII), "end of empty message");
                    readReply(settings.dataTimeout(), "end of empty message");
                }
                if (mailReply.isPositive() && isOpen()) {
                    command("RSET", "RSET");
                }
                if (!mailReply.isPositive()) {
                    throw replyError("the sender <" + env.from() + ">", mailReply, null);
                }
                boolean anyTransient = results.stream().anyMatch(r -> r.reply().isTransientFailure());
                String msg = "SMTP server " + label + " refused every recipient: "
                        + results.stream().map(RecipientResult::toString).collect(Collectors.joining("; "));
                SmtpReply first = results.get(0).reply();
                throw anyTransient ? new SmtpTransientException(msg, first, results)
                        : new SmtpPermanentException(msg, first, results);
            }

            SmtpReply finalReply;
            if (chunking) {
                if (dataReply == null) {
                    t.writeNextChunk(new byte[0]);
                    dataReply = readReply(t.lastSent ? settings.dataTimeout() : settings.commandTimeout(), "BDAT");
                }
                while (true) {
                    if (!dataReply.isPositive()) {
                        rsetQuietly();
                        throw replyError("the message data (BDAT)", dataReply, results);
                    }
                    if (t.lastSent) {
                        finalReply = dataReply;
                        break;
                    }
                    t.writeNextChunk(new byte[0]);
                    dataReply = readReply(t.lastSent ? settings.dataTimeout() : settings.commandTimeout(), "BDAT");
                }
            } else {
                if (dataReply == null) {
                    dataReply = command("DATA", "DATA");
                }
                if (dataReply.code() != 354) {
                    rsetQuietly();
                    throw replyError("DATA", dataReply, results);
                }
                t.writeDotStuffed();
                finalReply = readReply(settings.dataTimeout(), "the end of the message data");
                if (!finalReply.isPositive()) {
                    throw replyError("the message", finalReply, results);
                }
            }
            return new SendResult(finalReply, results, t.sent);
        }
    }

    /**
     * What the fast path ended with: the result (success, already handed to the caller), or the
     * replies for the worker to handle a refusal (before the data, or of the message).
     */
    private record FastOutcome(SendResult result, List<SmtpReply> replies, SmtpReply dataReply, SmtpReply finalReply) {
    }

    /**
     * The fast path: a small message of known size, the envelope in one pipelined group, nothing
     * else queued. The I/O thread drives it (replies decoded in the read callbacks, the data written
     * from there once DATA got 354, the caller's stage completed on the final reply), so a message
     * costs no hand-off to this worker per round trip; the worker only waits for the end.
     */
    private boolean fastEligible(SendTask task, Prepared p) {
        boolean oneGroup = p.pipelining() && p.commands().size() <= PIPELINE_BATCH;
        return oneGroup && !task.batchWritten && inflightRead == null && p.transfer().total >= 0
                && p.transfer().total < settings.chunkSize() && worker.getQueue().isEmpty();
    }

    private FastOutcome runFast(SendTask task, Prepared p, byte[] body) throws IOException {
        settleLastWrite();
        CompletableFuture<FastOutcome> done = new CompletableFuture<>();
        int expected = p.commands().size() + 1; // MAIL, RCPT..., DATA
        List<SmtpReply> replies = new ArrayList<>(expected);
        Envelope env = task.env;
        Runnable[] next = new Runnable[1];
        boolean[] bodySent = new boolean[1];
        next[0] = () -> {
            try {
                while (true) {
                    SmtpReply r = pending.hasRemaining() ? decoder.decode(pending) : null;
                    if (r == null) {
                        break;
                    }
                    if (r.code() == 421) {
                        open = false;
                    }
                    if (p.chunking()) {
                        replies.add(r);
                        if (replies.size() < expected) {
                            continue;
                        }
                        SmtpReply bdat = replies.remove(expected - 1);
                        boolean accepted = replies.get(0).isPositive()
                                && replies.subList(1, replies.size()).stream().anyMatch(SmtpReply::isPositive);
                        if (accepted && bdat.isPositive()) {
                            List<RecipientResult> results = recipientResults(env, replies);
                            SendResult result = new SendResult(bdat, results, p.transfer().sent);
                            task.succeed(result);
                            done.complete(new FastOutcome(result, replies, null, null));
                        } else {
                            done.complete(new FastOutcome(null, replies, bdat, null));
                        }
                        return;
                    }
                    if (!bodySent[0]) {
                        replies.add(r);
                        if (replies.size() < expected) {
                            continue;
                        }
                        SmtpReply data = replies.remove(expected - 1);
                        boolean accepted = replies.get(0).isPositive()
                                && replies.subList(1, replies.size()).stream().anyMatch(SmtpReply::isPositive);
                        if (!accepted || data.code() != 354) {
                            done.complete(new FastOutcome(null, replies, data, null));
                            return;
                        }
                        bodySent[0] = true;
                        CompletableFuture<Void> w = wrap(socket.writable().write(ByteBuffer.wrap(body)));
                        w.whenComplete((v, err) -> {
                            if (err != null) {
                                done.completeExceptionally(err);
                            }
                        });
                        lastWrite = w;
                        lastWriteWhat = "message data";
                    } else {
                        List<RecipientResult> results = recipientResults(env, replies);
                        if (r.isPositive()) {
                            SendResult result = new SendResult(r, results, p.transfer().sent);
                            task.succeed(result); // straight to the caller, from this I/O thread
                            done.complete(new FastOutcome(result, replies, null, null));
                        } else {
                            done.complete(new FastOutcome(null, replies, null, r));
                        }
                        return;
                    }
                }
                socket.readable().read().whenComplete((rr, err) -> {
                    if (err != null) {
                        done.completeExceptionally(err);
                    } else if (rr.done()) {
                        done.completeExceptionally(new SmtpProtocolException("SMTP server " + label
                                + " closed the connection while a reply was due (" + (bodySent[0]
                                        ? "to the end of the message data" : "to MAIL FROM, RCPT TO or DATA") + ")"));
                    } else {
                        pending = rr.value();
                        next[0].run();
                    }
                });
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        };
        byte[] first;
        if (p.chunking()) {
            // RFC 3030: MAIL, RCPT..., BDAT n LAST and the message in one write.
            byte[] cmds = p.batch(0, p.commands().size(), false);
            byte[] bdat = ("BDAT " + body.length + " LAST\r\n").getBytes(US_ASCII);
            first = new byte[cmds.length + bdat.length + body.length];
            System.arraycopy(cmds, 0, first, 0, cmds.length);
            System.arraycopy(bdat, 0, first, cmds.length, bdat.length);
            System.arraycopy(body, 0, first, cmds.length + bdat.length, body.length);
        } else {
            first = p.batch(0, p.commands().size(), true);
        }
        CompletableFuture<Void> w = wrap(socket.writable().write(ByteBuffer.wrap(first)));
        w.whenComplete((v, err) -> {
            if (err != null) {
                done.completeExceptionally(err);
            }
        });
        next[0].run();
        FastOutcome o = await(done, settings.commandTimeout().plus(settings.dataTimeout()), "reply to the message");
        settleLastWrite();
        return o;
    }

    /** Streams the message: raw bytes are read block by block, encoded and written with backpressure. */
    private final class Transfer {
        private final InputStream in;
        private final long total;
        private final ProgressListener progress;
        private final MessageEncoder encoder;
        private final byte[] raw;
        long read;
        long sent;
        boolean lastSent;
        SendTask task;

        Transfer(InputStream in, long total, ProgressListener progress, boolean chunking) {
            this.in = in;
            this.total = total;
            this.progress = progress;
            this.encoder = new MessageEncoder(!chunking);
            // A small message of known size gets a small buffer (one read, EOF seen by the short count).
            this.raw = new byte[total >= 0 && total < settings.chunkSize() ? (int) total + 1 : settings.chunkSize()];
        }

        /** A small message of known size: read and encode it whole (DATA: terminator included). */
        byte[] encodeWhole() throws IOException {
            int n = readBlock();
            if (n == raw.length) {
                throw new SourceOpenException("the message is longer than its declared size of " + total
                        + " bytes; nothing was sent", null);
            }
            byte[] out = new byte[MessageEncoder.maxEncodedLength(n) + 5];
            int m = encoder.encode(raw, 0, n, out, 0);
            byte[] fin = encoder.finish();
            System.arraycopy(fin, 0, out, m, fin.length);
            m += fin.length;
            read = n;
            sent = m;
            lastSent = true;
            progress.progress(read, total);
            return java.util.Arrays.copyOf(out, m);
        }

        private int readBlock() throws IOException {
            try {
                return in.readNBytes(raw, 0, raw.length);
            } catch (IOException e) {
                throw new SourceException("reading the message failed after " + read + " bytes (" + e.getMessage()
                        + "); the connection to " + label + " is closed so the partial message is not delivered", e);
            }
        }

        /** DATA: the whole message, dot-stuffed, then CRLF.CRLF. */
        void writeDotStuffed() throws IOException {
            while (true) {
                int n = readBlock();
                boolean eof = n < raw.length;
                byte[] next = eof && task != null ? chainNext(task) : null;
                byte[] out = new byte[MessageEncoder.maxEncodedLength(n) + (eof ? 5 : 0) + (next == null ? 0 : next.length)];
                int m = encoder.encode(raw, 0, n, out, 0);
                byte[] fin = eof ? encoder.finish() : null;
                if (fin != null) {
                    System.arraycopy(fin, 0, out, m, fin.length);
                    m += fin.length;
                }
                read += n;
                sent += m;
                if (next != null) {
                    System.arraycopy(next, 0, out, m, next.length);
                    m += next.length;
                }
                if (m > 0) {
                    writeBuffer(ByteBuffer.wrap(out, 0, m), "message data", !eof);
                }
                progress.progress(read, total);
                if (eof) {
                    lastSent = true;
                    return;
                }
            }
        }

        /** BDAT: the next chunk ({@code BDAT n [LAST]} and its bytes). */
        /** @param prefix pipelined commands to send ahead of the BDAT command (may be empty) */
        void writeNextChunk(byte[] prefix) throws IOException {
            int n = readBlock();
            boolean eof = n < raw.length;
            byte[] out = new byte[MessageEncoder.maxEncodedLength(n) + (eof ? 5 : 0)];
            int m = encoder.encode(raw, 0, n, out, 0);
            byte[] fin = eof ? encoder.finish() : null;
            if (fin != null) {
                System.arraycopy(fin, 0, out, m, fin.length);
                m += fin.length;
            }
            read += n;
            byte[] bdat = ("BDAT " + m + (eof ? " LAST" : "") + "\r\n").getBytes(US_ASCII);
            if (m <= SMALL_WRITE) {
                byte[] all = new byte[prefix.length + bdat.length + m];
                System.arraycopy(prefix, 0, all, 0, prefix.length);
                System.arraycopy(bdat, 0, all, prefix.length, bdat.length);
                System.arraycopy(out, 0, all, prefix.length + bdat.length, m);
                writeBuffer(ByteBuffer.wrap(all), "BDAT", !eof);
            } else {
                byte[] head = new byte[prefix.length + bdat.length];
                System.arraycopy(prefix, 0, head, 0, prefix.length);
                System.arraycopy(bdat, 0, head, prefix.length, bdat.length);
                write(head, "BDAT");
                writeBuffer(ByteBuffer.wrap(out, 0, m), "message data", !eof);
            }
            sent += m;
            lastSent = eof;
            progress.progress(read, total);
        }
    }

    /** The message source failed while the message was being sent. */
    static final class SourceException extends IOException {
        private static final long serialVersionUID = 1L;

        SourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static String xtext(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(UTF_8)) {
            int c = b & 0xff;
            if (c >= 33 && c <= 126 && c != '+' && c != '=') {
                sb.append((char) c);
            } else {
                sb.append('+').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- wire

    private SmtpReply command(String line, String what) throws IOException {
        return command(line, US_ASCII, what);
    }

    private SmtpReply command(String line, Charset cs, String what) throws IOException {
        writeLine(line, cs, what);
        return readReply(settings.commandTimeout(), what);
    }

    private void writeLine(String line, Charset cs, String what) throws IOException {
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
    private void write(byte[] bytes, String what) throws IOException {
        writeBuffer(ByteBuffer.wrap(bytes), what, false);
    }

    /** Writes message data, waiting until the socket accepts it (backpressure: bounded memory). */
    private void writeBuffer(ByteBuffer buffer, String what) throws IOException {
        writeBuffer(buffer, what, true);
    }

    private void writeBuffer(ByteBuffer buffer, String what, boolean wait) throws IOException {
        settleLastWrite();
        CompletableFuture<Void> w = wrap(socket.writable().write(buffer));
        if (wait) {
            await(w, settings.commandTimeout(), "take " + what);
        } else {
            lastWrite = w;
            lastWriteWhat = what;
        }
    }

    private void settleLastWrite() throws IOException {
        CompletableFuture<Void> w = lastWrite;
        if (w != null) {
            lastWrite = null;
            await(w, settings.commandTimeout(), "take " + lastWriteWhat);
        }
    }

    /** Reads one whole reply within {@code timeout}, however its bytes trickle in. */
    private SmtpReply readReply(Duration timeout, String what) throws IOException {
        long until = deadline(timeout);
        while (true) {
            if (pending.hasRemaining()) {
                SmtpReply r = decoder.decode(pending);
                if (r != null) {
                    if (r.code() == 421) {
                        open = false; // RFC 5321 3.8: the server is closing the connection
                    }
                    return r;
                }
            }
            if (inflightRead == null) {
                inflightRead = wrap(socket.readable().read());
            }
            ReadResult<ByteBuffer> rr = awaitUntil(inflightRead, until, timeout, "reply to " + what);
            inflightRead = null;
            if (rr.done()) {
                throw new SmtpProtocolException("SMTP server " + label + " closed the connection while the reply to "
                        + what + " was due");
            }
            pending = rr.value();
        }
    }

    private static <T> CompletableFuture<T> wrap(CompletionStage<T> stage) {
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

    private <T> T await(CompletionStage<T> stage, Duration timeout, String what) throws IOException {
        return awaitUntil(stage, deadline(timeout), timeout, what);
    }

    /**
     * Waits until {@code until} (a limit of {@code limit}, for the message) and not past the running
     * operation's deadline.
     */
    private <T> T awaitUntil(CompletionStage<T> stage, long until, Duration limit, String what) throws IOException {
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
            if (c instanceof IOException io) {
                throw io;
            }
            throw new NetworkException("SMTP server " + label + ": waiting to " + what + " failed: " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for SMTP server " + label + " to " + what);
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    // ---------------------------------------------------------------- state

    private interface IoCallable<T> {
        T call() throws Exception;
    }

    /**
     * A queued operation with its deadline. Its stage is completed by the session ({@link #succeed},
     * {@link #fail}); completed by anyone else (the caller cancelled it or gave up waiting), it aborts
     * the session.
     */
    private abstract class Operation<T> implements Runnable {
        final CompletableFuture<T> future = new CompletableFuture<>();
        final String what;
        final long deadline;
        final Duration limit;
        private volatile boolean settled;

        Operation(String what, long deadline, Duration limit) {
            this.what = what;
            this.deadline = deadline;
            this.limit = limit;
            future.whenComplete((v, t) -> {
                if (!settled) {
                    abort(); // the caller gave up: close the connection now, not at the next limit
                }
            });
        }

        /** Makes this the running operation (on the worker). */
        void start() {
            opDeadline = deadline;
            opLimit = limit;
            opWhat = what;
        }

        /**
         * Fails it when its deadline passed while it waited in the queue; the connection, which it has
         * not touched, stays as it is.
         */
        boolean expiredInQueue() {
            if (System.nanoTime() - deadline >= 0) {
                fail(new TimedOutException("SMTP session to " + label + ": " + what + " did not start within "
                        + seconds(limit) + " (setting timeout): it waited behind the operations queued before it"));
                return true;
            }
            return false;
        }

        boolean succeed(T value) {
            settled = true;
            return future.complete(value);
        }

        boolean fail(Throwable reason) {
            settled = true;
            return future.completeExceptionally(reason);
        }
    }

    private final class Op<T> extends Operation<T> {
        final IoCallable<T> task;

        Op(String what, long deadline, Duration limit, IoCallable<T> task) {
            super(what, deadline, limit);
            this.task = task;
        }

        @Override
        public void run() {
            start();
            if (expiredInQueue()) {
                return;
            }
            try {
                succeed(task.call());
            } catch (Throwable t) {
                fail(t);
            }
        }
    }

    private <T> CompletableFuture<T> submit(String what, long deadline, Duration limit, IoCallable<T> task) {
        Op<T> op = new Op<>(what, deadline, limit, task);
        try {
            worker.execute(op);
        } catch (RejectedExecutionException e) {
            op.fail(rejected());
        }
        return op.future;
    }

    private Exception rejected() {
        return closing.get() || worker.isShutdown()
                ? new SocketClosedException("the SMTP session to " + label + " is closed")
                : new IllegalStateException("the SMTP session to " + label + " already has " + QUEUE_LIMIT
                        + " operations queued; wait for some to complete");
    }

    /** Runs an operation; a failure other than a server refusal leaves the connection unusable: close it. */
    private <T> T guarded(IoCallable<T> op) throws Exception {
        try {
            return op.call();
        } catch (SmtpTransientException | SmtpPermanentException | SmtpCapabilityException | SourceOpenException e) {
            if (!open) {
                breakConnection();
            }
            throw e;
        } catch (Throwable t) {
            breakConnection();
            throw t;
        }
    }

    private void ensureOpen() throws SocketClosedException {
        if (!open || closing.get()) {
            throw new SocketClosedException("the SMTP session to " + label + " is closed");
        }
    }

    private SmtpReply expectPositive(SmtpReply r, String what, List<RecipientResult> recipients) throws SmtpException {
        if (!r.isPositive()) {
            throw replyError(what, r, recipients);
        }
        return r;
    }

    private void rsetQuietly() throws IOException {
        if (open) {
            command("RSET", "RSET");
        }
    }

    private SmtpException replyError(String what, SmtpReply r, List<RecipientResult> recipients) {
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

    private void breakConnection() {
        open = false;
        closeSocket();
        worker.shutdown();
    }

    private void closeSocket() {
        open = false;
        TcpSocket s = socket;
        if (s == null) {
            closed.complete(null);
            return;
        }
        s.close().whenComplete((v, t) -> closed.complete(null));
    }

    /** One result per recipient, from the replies to MAIL (index 0) and each RCPT (index k + 1). */
    private static List<RecipientResult> recipientResults(Envelope env, List<SmtpReply> replies) {
        List<RecipientResult> results = new ArrayList<>(env.recipients().size());
        for (int k = 0; k < env.recipients().size(); k++) {
            results.add(new RecipientResult(env.recipients().get(k), replies.get(k + 1)));
        }
        return results;
    }
}
