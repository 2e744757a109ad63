package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
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
 * One TCP connection on a MINA session, and the parts it is made of:
 * <ul>
 * <li>{@link TcpState}: the life cycle (opening, open, half-closed, closing, closed), checked, and
 * the lock that guards it and the rest of the connection's mutable state;</li>
 * <li>{@link TcpOpener}: resolve, policy, connect (outgoing connections);</li>
 * <li>{@link TcpTls}: the TLS layer ({@code TlsMode.ON} at the open, {@code startTls()}), with
 * {@link TlsWatch} and {@link StartTlsGuard};</li>
 * <li>{@link TcpCloser}: half-close, close, abort, release, bounded by the close linger
 * ({@code closeTimeout});</li>
 * <li>{@link RxFlow}: receive-side flow control (read suspension at the watermarks);</li>
 * <li>the {@link TcpSocket} facades ({@link Facade}): generations of streams over it
 * ({@link TcpRx}, {@link TcpTx}); {@code startTls} starts a new one.</li>
 * </ul>
 * This class opens the connection and dispatches MINA's events to those parts.
 *
 * <p>Locking: {@link #st} guards the connection state, {@link RxFlow}'s own lock the read
 * suspension (taken before {@code st} where both are needed); no lock is held while calling into
 * MINA's write path, whose TLS filter has its own lock that the I/O thread holds while it completes
 * write stages.
 */
final class TcpConnection extends SocketBase {

    static final String SESSION_KEY = TcpConnection.class.getName();
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
    final TlsOptions tls;
    private final SSLContext sslContext;

    /** The life cycle, and the lock of everything marked "guarded by st". */
    final TcpState st = new TcpState(this::where);
    final TcpTls tlsLayer = new TcpTls(this);
    final TcpCloser closer;
    final RxFlow rxFlow = new RxFlow(this);

    // guarded by st
    volatile IoSession session;
    private TcpOpener opener;
    private ScheduledFuture<?> timeoutTask;
    private volatile Facade current;
    /** The first generation: the plain streams of a STARTTLS connection, the only ones of others. */
    private final Facade first;
    /** Bytes written and not yet sent (over all generations). */
    long queued;

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
        this.closer = new TcpCloser(this);
    }

    IoSession debugSession() {
        return session;
    }

    /**
     * The receive side that takes received bytes straight from the I/O thread's pooled buffer now
     * ({@link SocketProcessor}), or null for MINA's read path: the plain stream, while no TLS filter
     * needs the bytes (TLS off, or STARTTLS not begun) and it is read by copying (readInto or a
     * blocking view). Chunks for read() and publisher() readers keep MINA's path: they own them.
     */
    TcpRx pooledRx() {
        TlsMode m = tls.mode();
        if (m == TlsMode.ON) {
            return null;
        }
        if (m == TlsMode.STARTTLS && !tlsLayer.beforeStartTls()) {
            return null;
        }
        TcpRx rx = first.rx;
        return rx.isCopying() ? rx : null;
    }

    /** Whether the blocking reader reads the channel in place now ({@link InPlaceReader}). */
    boolean readerHoldsChannel() {
        InPlaceReader r = first.rx.inPlace();
        return r != null && r.readerHolds();
    }

    Facade facade() {
        return current;
    }

    /** startTls(): {@code next} becomes the current streams (under st). */
    void switchTo(Facade next) {
        current = next;
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
        synchronized (st) {
            if (!st.opening()) {
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
        synchronized (st) {
            session = s;
            if (!st.opening()) {
                s.closeNow();
                return;
            }
        }
        localAddress = (InetSocketAddress) s.getLocalAddress();
        remoteAddress = (InetSocketAddress) s.getRemoteAddress();
        if (auditAddress == null) {
            auditAddress = remoteAddress;
        }
        // on the I/O thread, before the session's first read
        if (!tlsLayer.install(s, tls, sslContext)) {
            completeOpen(null);
        } // else the open completes when the handshake does (TcpTls.onSecured)
    }

    /** The open succeeded (with TLS: the handshake too). */
    void completeOpen(TlsInfo tlsInfo) {
        Facade f;
        synchronized (st) {
            if (!st.open()) {
                return; // the open failed meanwhile (timeout, close)
            }
            if (timeoutTask != null) {
                timeoutTask.cancel(false);
            }
            // Neither is needed once open; held, they kept ~0.5 KB per idle connection (the opener's
            // attempts, lists and MINA connect request, the timer task and its lambda) for its lifetime.
            timeoutTask = null;
            opener = null;
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
        synchronized (st) {
            if (!st.failOpen(err, session != null)) {
                return;
            }
            if (timeoutTask != null) {
                timeoutTask.cancel(false);
            }
            f = current;
            s = session;
            o = opener;
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
        closer.writeClosed.completeExceptionally(err);
        markFinished(err instanceof SocketClosedException ? null : err, false);
    }

    // ------------------------------------------------------------------ accepted connections

    /** For an accepted session: already connected. */
    void acceptedOpened(IoSession s) {
        synchronized (st) {
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
        if (tlsLayer.discardsInput()) {
            return; // TLS records after the filter was removed: nothing to decrypt them with
        }
        ByteBuffer b = buf.buf();
        int n = b.remaining();
        if (n == 0) {
            return;
        }
        Facade f = plainText ? first : current;
        boolean byob = f.rx.isCopying();
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
        countIn(n);
        if (!f.rx.push(chunk) && plainText && f.rx.isRetired()) {
            tlsLayer.plainTextDuringUpgrade(n); // arrived while startTls() replaced the plain streams
        }
    }

    void onInputClosed(IoSession s) {
        endOfInput(s, true);
    }

    /** The peer ended its side: FIN ({@code tcpFin}) or TLS close_notify ({@link TcpTls#onUnsecured}). */
    void endOfInput(IoSession s, boolean tcpFin) {
        boolean closeWrite = !options.allowHalfOpen();
        boolean already;
        boolean handshaking;
        synchronized (st) {
            handshaking = st.opening() || tlsLayer.upgrading() != null;
            already = st.peerEndedInput();
        }
        if (tcpFin) {
            rxFlow.suspendAtEnd(s); // a closed input stays readable: stop selecting it
        }
        if (already) {
            return;
        }
        if (handshaking) {
            // a TLS handshake cannot complete without the peer: fail now rather than at the timeout,
            // with the handshake's own error if it failed (the peer closes after our alert)
            SSLException refused = tlsLayer.taskFailure();
            if (refused != null) {
                onException(refused);
            } else if (st.opening()) {
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
            closer.writeClose();
        }
        closer.checkBothDone();
    }

    /**
     * An exception from MINA's chain (I/O thread, or a TLS task thread through
     * {@link TcpTls}). An ordinary connection failure (an {@link IOException}: reset, broken
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
        IoSession closingSession = null;
        synchronized (st) {
            opening = st.opening();
            up = tlsLayer.upgrading();
            if (st.closeRequested() && st.output() == TcpState.Output.SHUT && st.error == null) {
                closingSession = session; // the peer's complaint about our close: the close is done
            }
            quiet = st.error != null || closingSession != null || isFinished();
        }
        SSLException handshake = tlsLayer.taskFailure();
        if (handshake != null && !(c instanceof SSLException)) {
            c = handshake; // MINA's own complaint ("closed") after the failed task: report the real reason
        }
        boolean tlsProblem = c instanceof SSLException;
        String what = opening ? (tlsProblem ? "TLS handshake with " : "connection to ")
                : up != null && tlsProblem ? "TLS handshake (startTls) with " : "connection to ";
        NetworkException err = NetworkReasons.of(what + where() + " failed: " + cause(c), c);
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
     * The cause of a connection failure in words: the exception's message, where a write that met
     * the peer's reset after the reset itself was reported elsewhere (Linux reports ECONNRESET once,
     * then EPIPE) says so, since a write on the caller's thread and a read on the I/O thread race
     * for that one report.
     */
    static String cause(Throwable t) {
        String m = message(t);
        return t instanceof IOException && "Broken pipe".equals(m) ? "connection reset by the peer (Broken pipe)" : m;
    }

    static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
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
        synchronized (st) {
            queued -= n;
            tx.inMina--;
            owner.buffered.addAndGet(-n);
            if (ok) {
                countOut(n);
            }
            err = st.error;
            done = queued <= engine.config().lowWaterMark() || !ok ? tx.takeWaiters() : List.of();
            pump = ok && tx.pumpDue();
            shutdown = !pump && closer.shutdownDue();
            if (queued == 0 || !ok) {
                st.notifyAll(); // OutputStream.flush waits for the queue to drain
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
            closer.shutdownOutput();
        }
    }

    // ------------------------------------------------------------------ the other parts

    void applyOptions(IoSession s) {
        TcpSessionOptions.apply(s, options);
    }

    /** The connection failed: see {@link TcpCloser#fail}. */
    void fail(Throwable err) {
        closer.fail(err);
    }

    /** Reading was cancelled on the current readable side. */
    void rxCancelled() {
        st.stopInput();
        rxFlow.cancelled();
        closer.checkBothDone();
    }

    boolean isReadSuspended() {
        return rxFlow.isSuspended();
    }

    @Override
    CompletableFuture<Void> closeSocket() {
        return closer.closeSocket();
    }

    @Override
    void release(SocketClosedException reason) {
        closer.release(reason);
    }

    @Override
    long bufferedBytes() {
        synchronized (st) {
            return queued + current.rx.weight();
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
            this.tx = new TcpTx(TcpConnection.this, tlsGeneration);
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
            return tlsLayer.startTls(this, tls);
        }

        @Override
        public TcpSocket startTls(TlsOptions t) {
            return tlsLayer.startTls(this, t);
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
    TlsInfo tlsInfo() {
        return tlsLayer.negotiated();
    }

    @Override
    SocketInfo info() {
        SocketInfo i = super.info();
        if (i.state() == SocketState.OPEN) {
            if (st.ending()) {
                return new SocketInfo(i.id(), i.owner(), i.kind(), i.destination(), i.localAddress(),
                        i.remoteAddress(), SocketState.CLOSING, i.bytesIn(), i.bytesOut(), i.createdAt());
            }
        }
        return i;
    }
}
