package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.SocketSessionConfig;
import org.apache.mina.transport.socket.nio.NioSession;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.SocketState;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpReadable;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TcpWritable;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection on a MINA session: open ({@link TcpOpener} resolves, checks the policy and
 * connects; then TLS), receive buffer with suspend/resume, write queue with watermarks, half-close,
 * close linger ({@link CloseLinger}), abort, STARTTLS ({@link StartTlsGuard}). The {@link TcpSocket}
 * facades ({@link Facade}) are generations of streams over it ({@link TcpRx}, {@link TcpTx}):
 * {@code startTls} starts a new one. {@link TlsWatch} sits below the TLS filter.
 *
 * <p>Locking: {@code this} guards the connection state, {@code rxLock} the read suspension (taken
 * before {@code this} where both are needed); no lock of this class is held while calling into
 * MINA's write path, whose TLS filter has its own lock that the I/O thread holds while it completes
 * write stages.
 */
final class TcpConnection extends SocketBase {

    static final String SESSION_KEY = TcpConnection.class.getName();
    private static final String TLS_FILTER = "tls";
    private static final Logger LOG = LoggerFactory.getLogger(TcpConnection.class);
    /**
     * Write requests handed to MINA's TLS filter at a time per socket; its handler holds at most 64
     * queued requests (and 6 unacknowledged records) and fails the session beyond them.
     */
    static final int TLS_IN_MINA = 16;

    final MinaSocketEngine engine;
    final String host;
    final int port;
    final String endpointName;
    final TcpSocketOptions options;
    private final TlsOptions tls;
    private final SSLContext sslContext;

    private final Object rxLock = new Object();

    // guarded by this
    volatile IoSession session;
    private TcpOpener opener;
    private ScheduledFuture<?> timeoutTask;
    private boolean openFinished;
    private boolean opened;
    private volatile Facade current;
    /** The first generation: the plain streams of a STARTTLS connection, the only ones of others. */
    private final Facade first;
    /** STARTTLS connections only: keeps plain text out of the TLS streams. */
    private volatile StartTlsGuard guard;
    private final CloseLinger linger;
    private TlsSupport.ClientTlsFilter tlsFilter;
    private TlsWatch tlsWatch;
    private Facade upgrading;
    private boolean tlsActive;
    long queued;
    boolean writeCloseRequested;
    private boolean writeDone;
    private boolean readDone;
    private boolean finReceived;
    boolean aborted;
    private boolean tlsClosed;
    private volatile boolean tlsDiscardInput;
    private boolean userClosed;
    private boolean sessionClosed;
    volatile Throwable error;
    private final CompletableFuture<Void> writeClosed = new CompletableFuture<>();

    // guarded by rxLock
    private boolean readSuspended;

    TcpConnection(OwnedService owner, SocketKind kind, String destination, String host, int port,
            String endpointName, TcpSocketOptions options, TlsOptions tls, SSLContext sslContext) {
        super(owner, kind, kind == SocketKind.TCP_ACCEPTED ? AccessKind.TCP_LISTEN : AccessKind.TCP_CONNECT,
                destination);
        this.engine = owner.engine;
        this.host = host;
        this.port = port;
        this.endpointName = endpointName;
        this.options = options;
        this.tls = tls;
        this.sslContext = sslContext;
        this.current = new Facade(tls.mode() == TlsMode.ON);
        this.first = current;
        this.linger = new CloseLinger(engine.timer());
        writeClosed.exceptionally(t -> null);
    }

    IoSession debugSession() {
        return session;
    }

    Facade facade() {
        return current;
    }

    String where() {
        InetSocketAddress a = remoteAddress != null ? remoteAddress : auditAddress;
        if (a == null || a.getAddress() == null) {
            return host + ":" + port;
        }
        String ip = a.getAddress().getHostAddress();
        return (host.equals(ip) ? ip : host + " (" + ip + ")") + ":" + a.getPort();
    }

    // ------------------------------------------------------------------ opening (client)

    /** Admits the connection, arms its connect timeout and lets a {@link TcpOpener} connect it. */
    void start() {
        if (!admit(true)) {
            return;
        }
        Duration limit = options.connectTimeout().orElse(engine.config().connectTimeout());
        TcpOpener o = new TcpOpener(this);
        synchronized (this) {
            if (openFinished) {
                return;
            }
            opener = o;
            timeoutTask = engine.timer().schedule(() -> failOpen(new TimedOutException("connecting to " + where()
                    + (tls.mode() == TlsMode.ON ? " (resolve + connect + TLS handshake)" : " (resolve + connect)")
                    + " did not complete within " + limit.toMillis() + " ms (connectTimeout)" + o.triedAddresses())),
                    limit.toMillis(), TimeUnit.MILLISECONDS);
        }
        o.start();
    }

    /**
     * Set before {@link #start()} by the Socket view: the address a library resolved {@link #host}
     * to itself. {@link TcpOpener} uses it when the service's own resolution of {@code host}
     * agrees; otherwise the policy sees it as an IP literal, so that a bundle cannot claim a name
     * grant for an arbitrary address.
     */
    volatile List<java.net.InetAddress> pinned;
    /** The host the policy sees as requested: {@link #host}, or a pinned address's literal. */
    volatile String policyHost;

    private synchronized boolean openFinished() {
        return openFinished;
    }

    void applyOptions(IoSession s) {
        SocketSessionConfig c = (SocketSessionConfig) s.getConfig();
        c.setTcpNoDelay(options.noDelay());
        options.sendBufferSize().ifPresent(c::setSendBufferSize);
        options.receiveBufferSize().ifPresent(c::setReceiveBufferSize);
        if (options.keepAliveDelay().isPresent()) {
            c.setKeepAlive(true);
            int secs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, options.keepAliveDelay().get().toSeconds()));
            if (s instanceof NioSession ns && ns.getChannel() instanceof SocketChannel ch) {
                // jdk.net.ExtendedSocketOptions TCP_KEEPIDLE/TCP_KEEPINTERVAL, found by name so that the
                // bundle does not import jdk.net (not exported by OSGi frameworks by default)
                for (java.net.SocketOption<?> o : ch.supportedOptions()) {
                    if ((o.name().equals("TCP_KEEPIDLE") || o.name().equals("TCP_KEEPINTERVAL"))
                            && o.type() == Integer.class) {
                        try {
                            @SuppressWarnings("unchecked")
                            java.net.SocketOption<Integer> io = (java.net.SocketOption<Integer>) o;
                            ch.setOption(io, secs);
                        } catch (IOException | RuntimeException e) {
                            // keep-alive stays on with the system's timing
                        }
                    }
                }
            }
        }
    }

    /** The server socket that accepted this connection, or null for outgoing ones. */
    volatile TcpServer server;

    /** MINA opened the session (I/O thread). */
    void onSessionOpened(IoSession s) {
        if (server != null) {
            if (server.admitAccepted(this, s)) { // registered only now that MINA opened the session
                acceptedOpened(s);
                server.accepted(this);
            }
            return;
        }
        synchronized (this) {
            session = s;
            if (openFinished) {
                s.closeNow();
                return;
            }
        }
        localAddress = (InetSocketAddress) s.getLocalAddress();
        remoteAddress = (InetSocketAddress) s.getRemoteAddress();
        if (auditAddress == null) {
            auditAddress = remoteAddress;
        }
        if (tls.mode() == TlsMode.ON) {
            TlsSupport.ClientTlsFilter f = new TlsSupport.ClientTlsFilter(sslContext, tls, host, this::onTaskFailure,
                    null);
            TlsWatch w = new TlsWatch(this);
            synchronized (this) {
                tlsFilter = f;
                tlsWatch = w;
                tlsActive = true;
            }
            try {
                s.getFilterChain().addFirst(TLS_FILTER, f);
                s.getFilterChain().addFirst(TlsWatch.NAME, w);
            } catch (RuntimeException e) {
                failOpen(NetworkReasons.of("TLS handshake with " + where() + " could not start: " + e.getMessage(), e));
            }
            return;
        }
        if (tls.mode() == TlsMode.STARTTLS) {
            // on the I/O thread, before the session's first read
            StartTlsGuard g = new StartTlsGuard(this);
            guard = g;
            s.getFilterChain().addFirst(StartTlsGuard.NAME, g);
        }
        completeOpen(null);
    }

    private void completeOpen(TlsInfo tlsInfo) {
        Facade f;
        synchronized (this) {
            if (openFinished) {
                return;
            }
            openFinished = true;
            opened = true;
            if (timeoutTask != null) {
                timeoutTask.cancel(false);
            }
            f = current;
        }
        markOpen();
        options.idleTimeout().ifPresent(limit -> IdleWatch.start(this, limit));
        f.opened.complete(new TcpOpenInfo(remoteAddress, localAddress, tlsInfo));
        f.tx.openForWrites();
    }

    /** The idle limit passed ({@link IdleWatch}): the connection fails with {@code e}. */
    void idleExpired(TimedOutException e) {
        fail(e);
    }

    @Override
    void failOpen(Throwable err) {
        Facade f;
        IoSession s;
        TcpOpener o;
        synchronized (this) {
            if (openFinished) {
                return;
            }
            openFinished = true;
            if (timeoutTask != null) {
                timeoutTask.cancel(false);
            }
            f = current;
            s = session;
            o = opener;
            if (error == null && !(err instanceof SocketClosedException)) {
                error = err;
            }
        }
        if (o != null) {
            o.cancel();
        }
        if (s != null) {
            s.closeNow();
        }
        f.opened.completeExceptionally(err);
        f.rx.fail(err);
        f.tx.failAll(err);
        writeClosed.completeExceptionally(err);
        markFinished(err instanceof SocketClosedException ? null : err, false);
    }

    // ------------------------------------------------------------------ accepted connections

    /** For an accepted session: already connected. */
    void acceptedOpened(IoSession s) {
        synchronized (this) {
            session = s;
        }
        localAddress = (InetSocketAddress) s.getLocalAddress();
        remoteAddress = (InetSocketAddress) s.getRemoteAddress();
        auditAddress = remoteAddress;
        completeOpen(null);
    }

    // ------------------------------------------------------------------ I/O events

    /**
     * Bytes from the network (I/O thread): {@code plainText} ones (marked by the {@link StartTlsGuard}
     * of a STARTTLS connection) only ever go to the plain streams; the others to the current streams,
     * which for a STARTTLS connection are TLS ones by then (the guard lets raw bytes through only once
     * the TLS filter is in the chain).
     */
    void onData(IoBuffer buf, boolean plainText) {
        if (tlsDiscardInput) {
            return; // TLS records after the filter was removed: nothing to decrypt them with
        }
        ByteBuffer b = buf.buf();
        int n = b.remaining();
        if (n == 0) {
            return;
        }
        Facade f = plainText ? first : current;
        boolean byob = f.rx.isByob();
        ByteBuffer chunk;
        if (b.hasArray() && n >= b.capacity() / 2) {
            // MINA hands each received buffer over once and never touches it again: a readInto
            // reader copies out of it directly; chunks for read()/publisher() get their own view
            chunk = byob ? b : b.slice().asReadOnlyBuffer();
        } else {
            chunk = ByteBuffer.allocate(n);
            chunk.put(b).flip();
            if (!byob) {
                chunk = chunk.asReadOnlyBuffer();
            }
        }
        bytesIn.addAndGet(n);
        if (!f.rx.push(chunk) && plainText && f.rx.isRetired()) {
            plainTextDuringUpgrade(n); // arrived while startTls() replaced the plain streams
        }
    }

    /**
     * Plain text arrived after startTls() began and before the TLS filter could take it: it is not TLS
     * (the server cannot answer a ClientHello not yet sent), and it must not reach either stream. The
     * upgrade and the connection fail.
     */
    void plainTextDuringUpgrade(int n) {
        fail(new NetworkException(NetworkException.Reason.TLS_PROTOCOL, n + " bytes of plain text arrived from " + where() + " after startTls() and before"
                + " the TLS handshake (a STARTTLS command injection, CVE-2011-0411, or a broken server); they were"
                + " discarded and the connection closed", null));
    }

    /**
     * MINA's TLS handler reports the session unsecured: at our own close_notify, or when the peer's
     * close_notify arrived. The latter ends the readable side as a FIN would (the peer may keep the
     * TCP connection open for a while after it).
     */
    void onUnsecured(IoSession s) {
        TlsSupport.ClientTlsFilter f;
        synchronized (this) {
            f = tlsFilter;
        }
        if (f != null && f.inboundDone()) {
            endOfInput(s, false);
        }
    }

    void onInputClosed(IoSession s) {
        endOfInput(s, true);
    }

    private void endOfInput(IoSession s, boolean tcpFin) {
        boolean closeWrite;
        boolean already;
        boolean handshaking;
        TlsSupport.ClientTlsFilter filter;
        synchronized (this) {
            already = finReceived;
            finReceived = true;
            readDone = true;
            closeWrite = !options.allowHalfOpen();
            handshaking = !openFinished || upgrading != null;
            filter = tlsFilter;
        }
        if (tcpFin) {
            synchronized (rxLock) {
                readSuspended = true;
                s.suspendRead(); // a closed input stays readable: stop selecting it
            }
        }
        if (already) {
            return;
        }
        if (handshaking) {
            // a TLS handshake cannot complete without the peer: fail now rather than at the timeout,
            // with the handshake's own error if it failed (the peer closes after our alert)
            SSLException refused = filter == null ? null : filter.taskFailure();
            if (refused != null) {
                onException(refused);
            } else if (!openFinished()) {
                failOpen(new NetworkException(NetworkException.Reason.CLOSED_BY_PEER, "connection to " + where()
                        + " was closed by the peer during the TLS handshake", null));
            } else {
                fail(new NetworkException(NetworkException.Reason.CLOSED_BY_PEER, "connection to " + where()
                        + " was closed by the peer during the startTls() TLS handshake", null));
            }
            return;
        }
        current.rx.end();
        if (closeWrite) {
            writeClose();
        }
        checkBothDone();
    }

    /**
     * An exception from MINA's chain (I/O thread, or a TLS task thread through
     * {@link #onTaskFailure}). An ordinary connection failure (an {@link IOException}: reset, broken
     * pipe, TLS refused) is no news for the log: the caller gets the typed error, and the audit log's
     * FAILED entry (one WARN line on {@code org.rawsockets.socket.audit}) tells the operator; here it
     * is logged at DEBUG only, as is whatever MINA still reports about a connection that already
     * failed or closed. Anything else is a defect and logged at WARN with its stack trace.
     */
    void onException(Throwable cause) {
        Throwable c = cause instanceof SocketProcessor.ConnectionFailure cf ? cf.getCause() : cause;
        boolean opening;
        boolean quiet;
        Facade up;
        TlsSupport.ClientTlsFilter filter;
        IoSession closingSession = null;
        synchronized (this) {
            opening = !openFinished;
            up = upgrading;
            filter = tlsFilter;
            if (userClosed && writeDone && error == null) {
                closingSession = session; // the peer's complaint about our close: the close is done
            }
            quiet = error != null || closingSession != null || isFinished();
        }
        SSLException handshake = filter == null ? null : filter.taskFailure();
        if (handshake != null && !(c instanceof SSLException)) {
            c = handshake; // MINA's own complaint ("closed") after the failed task: report the real reason
        }
        boolean tlsProblem = c instanceof SSLException;
        String what = opening ? (tlsProblem ? "TLS handshake with " : "connection to ")
                : up != null && tlsProblem ? "TLS handshake (startTls) with " : "connection to ";
        NetworkException err = NetworkReasons.of(what + where() + " failed: " + message(c), c);
        if (quiet) {
            LOG.debug("socket {} of {}: {} (after the socket failed or closed)", id, owner.owner(), err.getMessage(),
                    c);
        } else if (c instanceof IOException) {
            LOG.debug("socket {} of {}: {}", id, owner.owner(), err.getMessage());
        } else {
            LOG.warn("socket {} of {}: {}", id, owner.owner(), err.getMessage(), c);
        }
        if (closingSession != null) {
            closingSession.closeNow();
            return;
        }
        if (opening) {
            failOpen(err);
            return;
        }
        fail(err);
    }

    /**
     * A delegated TLS task failed (the peer's certificate was refused): on MINA's task thread, inside
     * its TLS handler, which still has to send the alert. Reported from the timer thread.
     */
    private void onTaskFailure(SSLException e) {
        try {
            engine.timer().execute(() -> onException(e));
        } catch (RejectedExecutionException stopping) {
            onException(e);
        }
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /**
     * The connection failed (reset, I/O error, failed or refused upgrade): every stream fails, a
     * pending startTls() fails, closed() fails.
     */
    private void fail(Throwable err) {
        IoSession s;
        Facade f;
        Facade up;
        synchronized (this) {
            if (error == null) {
                error = err;
            }
            s = session;
            f = current;
            up = upgrading;
            upgrading = null;
        }
        f.rx.fail(err);
        f.tx.failAll(err);
        writeClosed.completeExceptionally(err);
        if (up != null) {
            up.opened.completeExceptionally(err);
        }
        if (s != null) {
            s.closeNow();
        }
    }

    void onSecured() {
        Facade up;
        TlsSupport.ClientTlsFilter f;
        synchronized (this) {
            up = upgrading;
            upgrading = null;
            f = tlsFilter;
        }
        if (f == null) {
            return;
        }
        TlsInfo info = f.info();
        if (up == null) {
            completeOpen(info);
        } else {
            up.opened.complete(new TcpOpenInfo(remoteAddress, localAddress, info));
            up.tx.openForWrites();
        }
    }

    /** The session is gone (once; MINA's handler event, or {@link TlsWatch#sessionClosed}). */
    void onSessionClosed() {
        Throwable err;
        Facade f;
        Facade up;
        boolean wasOpened;
        synchronized (this) {
            if (sessionClosed) {
                return;
            }
            sessionClosed = true;
            err = error;
            f = current;
            up = upgrading;
            upgrading = null;
            wasOpened = opened;
        }
        linger.cancel();
        if (!openFinished()) {
            failOpen(new NetworkException(NetworkException.Reason.CLOSED_BY_PEER, "connection to " + where()
                    + " was closed by the peer during " + (tls.mode() == TlsMode.ON ? "the TLS handshake" : "the open"),
                    null));
            return;
        }
        SocketClosedException closedErr = new SocketClosedException("the socket to " + where() + " is closed");
        if (err == null) {
            f.rx.end();
        } else {
            f.rx.fail(err);
        }
        f.tx.failAll(err != null ? err : closedErr);
        if (up != null) {
            up.opened.completeExceptionally(err != null ? err
                    : new NetworkException("connection to " + where() + " was closed during the startTls handshake"));
        }
        writeClosed.complete(null);
        markFinished(err, wasOpened);
    }

    // ------------------------------------------------------------------ receive-side flow control

    void rxPushed(long weight, long delta) {
        owner.buffered.addAndGet(delta);
        IoSession s = session;
        if (s == null) {
            return;
        }
        synchronized (rxLock) {
            // the weight passed in may be stale: a reader may have drained meanwhile
            long w = current.rx.weight();
            if (!readSuspended && w > 0 && (w > engine.config().highWaterMark() || owner.overBufferQuota())) {
                readSuspended = true;
                s.suspendRead();
            }
        }
    }

    void rxTaken(long weight, long delta) {
        owner.buffered.addAndGet(-delta);
        IoSession s = session;
        if (s == null) {
            return;
        }
        synchronized (rxLock) {
            if (readSuspended && current.rx.weight() <= engine.config().lowWaterMark() && !finReceivedUnsafe()) {
                readSuspended = false;
                resumeReading(s);
            }
        }
    }

    private boolean finReceivedUnsafe() {
        synchronized (this) {
            return finReceived;
        }
    }

    /** Resumes network reads (under rxLock, any thread). */
    private void resumeReading(IoSession s) {
        Wakeup.resumeRead(s, engine.timer(), () -> !isReadSuspended() && !finReceivedUnsafe());
    }

    boolean isReadSuspended() {
        synchronized (rxLock) {
            return readSuspended;
        }
    }

    void rxCancelled() {
        synchronized (this) {
            readDone = true;
        }
        IoSession s = session;
        if (s != null) {
            synchronized (rxLock) {
                if (readSuspended && !finReceivedUnsafe()) {
                    readSuspended = false;
                    resumeReading(s); // incoming bytes are now discarded
                }
            }
        }
        checkBothDone();
    }

    // ------------------------------------------------------------------ send side

    /**
     * MINA wrote (or dropped) one request of {@code tx} (I/O thread, in the request's future): the
     * bytes leave the queue; waiting writers resume below the low-water mark; the next held-back
     * requests go to MINA ({@link TcpTx#pump}); the FIN follows the last byte.
     */
    void onWritten(TcpTx tx, long n, boolean ok) {
        List<CompletableFuture<Void>> done;
        boolean shutdown;
        boolean pump;
        Throwable err;
        synchronized (this) {
            queued -= n;
            tx.inMina--;
            owner.buffered.addAndGet(-n);
            if (ok) {
                bytesOut.addAndGet(n);
            }
            err = error;
            done = queued <= engine.config().lowWaterMark() || !ok ? tx.takeWaiters() : List.of();
            pump = ok && tx.pumpDue();
            shutdown = !pump && shutdownDue();
            if (queued == 0 || !ok) {
                notifyAll(); // OutputStream.flush waits for the queue to drain
            }
        }
        for (CompletableFuture<Void> f : done) {
            if (ok) {
                f.complete(null);
            } else {
                f.completeExceptionally(err != null ? err : new SocketClosedException("the socket to " + where()
                        + " closed before the data was sent"));
            }
        }
        if (pump) {
            tx.pump();
        } else if (shutdown) {
            shutdownOutput();
        }
    }

    /** Whether the FIN is due now (under this). */
    boolean shutdownDue() {
        if (writeCloseRequested && !writeDone && queued == 0 && opened && session != null && current.tx.isOpen()) {
            writeDone = true;
            return true;
        }
        return false;
    }

    /**
     * Sends FIN once everything written is out. With TLS, close_notify first (through MINA's TLS
     * handler, which keeps decrypting what the peer still sends: a TLS half-close), then FIN once
     * close_notify has been written to the channel ({@link TlsWatch}); like the data before it, it
     * waits for a peer that does not read, until the socket is closed or aborted.
     */
    void shutdownOutput() {
        IoSession s = session;
        boolean tlsNow;
        TlsWatch watch;
        synchronized (this) {
            tlsNow = tlsActive && tlsFilter != null && !tlsClosed;
            if (tlsNow) {
                tlsClosed = true;
            }
            watch = tlsWatch;
        }
        if (tlsNow && s != null) {
            if (TlsSupport.closeOutbound(s, TLS_FILTER)) {
                // close_notify has passed the watch by now: closeOutbound returns after the handler
                // handed its records down
                if (watch != null) {
                    watch.armFin(s);
                } else {
                    finAfterCloseNotify(s);
                }
                return;
            }
            // no TLS handler to close: remove the filter (sends close_notify) and close entirely
            synchronized (this) {
                readDone = true;
                tlsDiscardInput = true;
            }
            current.rx.end();
            try {
                s.getFilterChain().remove(TLS_FILTER);
            } catch (RuntimeException e) {
                // the session is closing
            }
            writeClosed.complete(null);
            s.closeOnFlush();
            return;
        }
        rawShutdown(s);
        writeClosed.complete(null);
        checkBothDone();
    }

    /** The FIN of a TLS half-close, once close_notify (and every record before it) is written. */
    void finAfterCloseNotify(IoSession s) {
        rawShutdown(s);
        writeClosed.complete(null);
        checkBothDone();
    }

    private static void rawShutdown(IoSession s) {
        if (s instanceof NioSession ns && ns.getChannel() instanceof SocketChannel ch) {
            try {
                ch.shutdownOutput();
            } catch (IOException e) {
                // already closed: nothing to half-close
            }
        }
    }

    /** Closes the writable side once everything queued is sent, within the close linger. */
    CompletableFuture<Void> writeClose() {
        boolean now;
        synchronized (this) {
            writeCloseRequested = true;
            now = shutdownDue();
        }
        if (now) {
            shutdownOutput();
        }
        if (!writeClosed.isDone()) {
            armLinger();
        }
        return writeClosed;
    }

    private void armLinger() {
        Duration limit = options.closeTimeout().orElse(engine.config().closeTimeout());
        linger.arm(limit, () -> closeTimedOut(limit));
    }

    /**
     * The close linger ran out (timer thread): unless the close finished meanwhile (a half-close whose
     * FIN went, a closed socket), the connection is reset; closed() and the writable's close fail with
     * a {@link TimedOutException} naming the socket and the limit, and so do the writes still queued.
     */
    private void closeTimedOut(Duration limit) {
        IoSession s;
        long stuck;
        boolean notify;
        synchronized (this) {
            boolean finished = isFinished() || writeClosed.isDone() && !userClosed;
            if (finished) {
                return;
            }
            stuck = queued;
            notify = tlsClosed;
            s = session;
        }
        TimedOutException te = new TimedOutException("closing socket " + id + " to " + where() + " did not finish"
                + " within " + limit.toMillis() + " ms (closeTimeout): "
                + (stuck > 0 ? stuck + " bytes were still queued to send (the peer is not reading)"
                        : notify ? "the TLS close_notify could not be sent (the peer is not reading)"
                                : "the peer did not let the connection close")
                + "; the connection was reset");
        if (s != null) {
            try {
                ((SocketSessionConfig) s.getConfig()).setSoLinger(0); // the close below resets
            } catch (RuntimeException ignored) {
                // the socket is gone already
            }
        }
        fail(te);
    }

    private void checkBothDone() {
        IoSession s;
        synchronized (this) {
            if (!(readDone && writeDone)) {
                return;
            }
            s = session;
        }
        if (s != null) {
            s.closeOnFlush();
        }
    }

    CompletableFuture<Void> abort(Throwable reason) {
        IoSession s;
        synchronized (this) {
            aborted = true;
            s = session;
        }
        String why = reason == null ? "aborted" : "aborted: " + message(reason);
        if (!openFinished()) {
            failOpen(new SocketClosedException("the socket to " + where() + " was " + why + " before it opened"));
            return closed;
        }
        SocketClosedException e = new SocketClosedException("writing to " + where() + " " + why, reason);
        Facade f = current;
        f.tx.failAll(e);
        f.rx.cancelInternal();
        writeClosed.complete(null);
        if (s != null) {
            try {
                ((SocketSessionConfig) s.getConfig()).setSoLinger(0);
            } catch (RuntimeException ignored) {
                // the socket is gone already
            }
            s.closeNow();
        }
        return closed;
    }

    @Override
    CompletableFuture<Void> closeSocket() {
        if (!openFinished()) {
            failOpen(new SocketClosedException("the socket to " + where() + " was closed before it opened"));
            return closed;
        }
        Facade up;
        IoSession s;
        synchronized (this) {
            userClosed = true;
            up = upgrading;
            upgrading = null;
            s = session;
        }
        if (up != null) {
            // nothing was sent on the TLS streams yet, and no TLS to close: close at once
            SocketClosedException e = new SocketClosedException("the socket to " + where()
                    + " was closed during the startTls() handshake");
            up.opened.completeExceptionally(e);
            up.tx.failAll(e);
            up.rx.cancelInternal();
            writeClosed.complete(null);
            if (s != null) {
                s.closeNow();
            }
            return closed;
        }
        current.rx.cancelInternal();
        writeClose();
        checkBothDone();
        if (!isFinished()) {
            armLinger();
        }
        return closed;
    }

    @Override
    void release(SocketClosedException reason) {
        if (!openFinished()) {
            failOpen(reason);
            return;
        }
        // The owner is gone: nobody will read or wait; close at once.
        current.tx.failAll(reason);
        current.rx.fail(reason);
        IoSession s = session;
        if (s != null) {
            s.closeNow();
        } else {
            markFinished(null, true);
        }
    }

    @Override
    long bufferedBytes() {
        synchronized (this) {
            return queued + current.rx.weight();
        }
    }

    // ------------------------------------------------------------------ STARTTLS

    /**
     * Upgrades in place. Plain text never reaches the TLS streams (CVE-2011-0411): the upgrade is
     * refused while received bytes are unread (nothing changes then); from the switch on, the
     * connection's {@link StartTlsGuard} refuses whatever arrives until the TLS filter is in the
     * chain, and the plain stream, retired under the same lock as the switch, takes no more bytes.
     */
    TcpSocket startTls(Facade from, TlsOptions t) {
        Objects.requireNonNull(t, "tls");
        synchronized (this) {
            checkUpgradable(from);
        }
        if (endpointName != null) {
            t = EndpointTls.forStartTls(endpointName, host, tls, t); // the endpoint's trust stays the operator's
        }
        SSLContext ctx;
        try {
            ctx = engine.tlsContexts().get(t);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("tls options for startTls() are unusable: " + e.getMessage(), e);
        }
        StartTlsGuard g = guard;
        TlsSupport.ClientTlsFilter filter = new TlsSupport.ClientTlsFilter(ctx, t, host, this::onTaskFailure,
                g::tlsInstalled);
        TlsWatch watch = new TlsWatch(this);
        SocketClosedException gone = new SocketClosedException("this stream of the socket to " + where()
                + " was replaced by startTls(); use the socket startTls() returned");
        Facade nf;
        IoSession s;
        synchronized (this) {
            checkUpgradable(from); // again: the socket may have changed while the TLS context was built
            long unread = from.rx.heldByView + from.rx.weight();
            if (from.rx.heldByView > 0 || !from.rx.retireIfEmpty()) {
                throw new IllegalStateException("startTls() refused: " + unread + " bytes received from " + where()
                        + " are still unread. Upgrade only when the peer sent nothing after its go-ahead reply: plain"
                        + " text behind it may be a STARTTLS command injection (CVE-2011-0411) meant to be taken for"
                        + " TLS data. Nothing was changed; the plain streams stay usable");
            }
            nf = new Facade(true);
            upgrading = nf;
            tlsActive = true;
            tlsFilter = filter;
            tlsWatch = watch;
            current = nf;
            from.tx.retired = gone; // later writes of the old stream fail at once
            g.upgrading();
            s = session;
        }
        from.rx.fail(gone);
        from.tx.failAll(gone);
        synchronized (rxLock) {
            if (readSuspended) {
                readSuspended = false;
                resumeReading(s);
            }
        }
        try {
            // head -> guard -> watch -> TLS -> handler; the guard opens as the TLS handshake begins
            s.getFilterChain().addAfter(StartTlsGuard.NAME, TlsWatch.NAME, watch);
            s.getFilterChain().addAfter(TlsWatch.NAME, TLS_FILTER, filter);
        } catch (RuntimeException e) {
            fail(NetworkReasons.of("startTls() with " + where() + " could not start: " + e.getMessage(), e));
        }
        long limit = options.connectTimeout().orElse(engine.config().connectTimeout()).toMillis();
        try {
            ScheduledFuture<?> timeout = engine.timer().schedule(() -> {
                if (!nf.opened.isDone()) {
                    fail(new TimedOutException("the startTls() handshake with " + where() + " did not complete within "
                            + limit + " ms (connectTimeout)"));
                }
            }, limit, TimeUnit.MILLISECONDS);
            // handshake done (or failed): the timer need not keep this connection reachable
            nf.opened.whenComplete((i, e) -> timeout.cancel(false));
        } catch (RejectedExecutionException e) {
            // the engine is stopping: the socket closes anyway
        }
        return nf;
    }

    /** Why {@code from} cannot be upgraded now, as an IllegalStateException (under this). */
    private void checkUpgradable(Facade from) {
        if (tls.mode() != TlsMode.STARTTLS) {
            throw new IllegalStateException("startTls() needs a socket opened with TlsMode.STARTTLS; "
                    + where() + " was opened with TlsMode." + tls.mode());
        }
        if (from != current || upgrading != null) {
            throw new IllegalStateException("startTls() was already called on the socket to " + where());
        }
        if (tlsActive) {
            throw new IllegalStateException("the socket to " + where() + " already speaks TLS");
        }
        if (!opened || error != null || writeCloseRequested || finReceived || session == null || guard == null
                || isFinished()) {
            throw new IllegalStateException("startTls() needs an open socket; the socket to " + where() + " is "
                    + (opened ? "closed or closing" : "not open yet"));
        }
    }

    // ------------------------------------------------------------------ facade

    /** One generation of streams over the connection; what the user holds as a {@link TcpSocket}. */
    final class Facade implements TcpSocket {
        final CompletableFuture<TcpOpenInfo> opened = new CompletableFuture<>();
        final TcpRx rx = new TcpRx(TcpConnection.this);
        final TcpTx tx;
        final boolean tlsGeneration;

        Facade(boolean tlsGeneration) {
            this.tlsGeneration = tlsGeneration;
            this.tx = new TcpTx(TcpConnection.this, tlsGeneration ? TLS_IN_MINA : Integer.MAX_VALUE);
            opened.exceptionally(t -> null);
        }

        TcpConnection connection() {
            return TcpConnection.this;
        }

        @Override
        public CompletionStage<TcpOpenInfo> opened() {
            return opened.minimalCompletionStage();
        }

        @Override
        public TcpReadable readable() {
            return rx;
        }

        @Override
        public TcpWritable writable() {
            return tx;
        }

        @Override
        public CompletionStage<Void> closed() {
            return closed.minimalCompletionStage();
        }

        @Override
        public CompletionStage<Void> close() {
            return closeSocket().minimalCompletionStage();
        }

        @Override
        public TcpSocket startTls() {
            return TcpConnection.this.startTls(this, tls);
        }

        @Override
        public TcpSocket startTls(TlsOptions t) {
            return TcpConnection.this.startTls(this, t);
        }

        @Override
        public SocketInfo info() {
            return TcpConnection.this.info();
        }

        @Override
        public String toString() {
            return "TcpSocket[" + id + " " + destination + " " + state + "]";
        }
    }

    @Override
    SocketInfo info() {
        SocketInfo i = super.info();
        if (i.state() == SocketState.OPEN) {
            boolean closing;
            synchronized (this) {
                closing = writeCloseRequested || readDone || aborted;
            }
            if (closing) {
                return new SocketInfo(i.id(), i.owner(), i.kind(), i.destination(), i.localAddress(),
                        i.remoteAddress(), SocketState.CLOSING, i.bytesIn(), i.bytesOut(), i.createdAt());
            }
        }
        return i;
    }
}
