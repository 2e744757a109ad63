package org.rawsockets.socket.mina.internal;

import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import org.apache.mina.core.session.IoSession;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * The TLS layer of one {@link TcpConnection}: MINA's TLS filter with the {@link TlsWatch} below it,
 * installed when the session opens ({@code TlsMode.ON}) or by {@code startTls()} ({@code STARTTLS},
 * guarded by the {@link StartTlsGuard} installed at the open); the handshake's end (secured), the
 * peer's close_notify (unsecured) and our own close_notify on a half-close.
 *
 * <p>Its state is guarded by the connection's lock ({@link TcpState}); no lock is held while
 * calling into MINA's filter chain.
 */
final class TcpTls {

    static final String FILTER = "tls";

    private final TcpConnection c;
    // guarded by c.st
    private TlsSupport.ClientTlsFilter filter;
    /** Volatile: a write reads it without the lock ({@link #watch()}). */
    private volatile TlsWatch watch;
    /** The TLS filter is (or is being put) in the chain. */
    private boolean active;
    /** close_notify was sent (or is being sent). */
    private boolean closeNotifySent;
    /** The streams of a startTls() whose handshake has not completed. */
    private TcpConnection.Facade upgrading;
    /** STARTTLS connections only: keeps plain text out of the TLS streams. */
    private volatile StartTlsGuard guard;
    /** TLS records after the filter was removed: nothing to decrypt them with. */
    private volatile boolean discardInput;
    /** What the last completed handshake negotiated (operator view), or null. */
    private volatile TlsInfo negotiated;

    TcpTls(TcpConnection c) {
        this.c = c;
    }

    /** A STARTTLS connection whose startTls() has not begun: what arrives is plain text. */
    boolean beforeStartTls() {
        StartTlsGuard g = guard;
        return g != null && g.isPlain();
    }

    /**
     * The session opened (I/O thread, before its first read): with {@code TlsMode.ON} the TLS filter
     * goes in and the handshake starts (true: the open completes when it is secured); with
     * {@code STARTTLS} the guard goes in first.
     */
    boolean install(IoSession s, TlsOptions tls, SSLContext sslContext) {
        if (tls.mode() == TlsMode.ON) {
            TlsSupport.ClientTlsFilter f = new TlsSupport.ClientTlsFilter(sslContext, tls, c.host, this::onTaskFailure,
                    null);
            TlsWatch w = new TlsWatch(c);
            synchronized (c.st) {
                filter = f;
                watch = w;
                active = true;
            }
            try {
                s.getFilterChain().addFirst(FILTER, f);
                s.getFilterChain().addFirst(TlsWatch.NAME, w);
            } catch (RuntimeException e) {
                c.failOpen(NetworkReasons.of("TLS handshake with " + c.where() + " could not start: " + e.getMessage(),
                        e));
            }
            return true;
        }
        if (tls.mode() == TlsMode.STARTTLS) {
            StartTlsGuard g = new StartTlsGuard(c);
            guard = g;
            s.getFilterChain().addFirst(StartTlsGuard.NAME, g);
        }
        return false;
    }

    /** The watch below the TLS filter (records written in place: {@code TcpTx}), or null. */
    TlsWatch watch() {
        return watch;
    }

    boolean discardsInput() {
        return discardInput;
    }

    /** The handshake failure a delegated task reported, or null. */
    SSLException taskFailure() {
        TlsSupport.ClientTlsFilter f;
        synchronized (c.st) {
            f = filter;
        }
        return f == null ? null : f.taskFailure();
    }

    /** Under c.st: the pending startTls() streams, or null. */
    TcpConnection.Facade upgrading() {
        return upgrading;
    }

    /** Under c.st: the pending startTls() streams, or null; they are no longer pending. */
    TcpConnection.Facade takeUpgrading() {
        TcpConnection.Facade up = upgrading;
        upgrading = null;
        return up;
    }

    /** What the last completed handshake negotiated, or null (no TLS, or not yet). */
    TlsInfo negotiated() {
        return negotiated;
    }

    /** The handshake completed (I/O thread): the open completes, or the startTls() streams open. */
    void onSecured() {
        TcpConnection.Facade up;
        TlsSupport.ClientTlsFilter f;
        synchronized (c.st) {
            up = takeUpgrading();
            f = filter;
        }
        if (f == null) {
            return;
        }
        TlsInfo info = f.info();
        negotiated = info;
        if (up == null) {
            if (c.tls.mode() == org.rawsockets.socket.TlsMode.ON) {
                c.completeOpen(info); // the connection's own handshake
            } // else a STARTTLS upgrade that ended meanwhile (released, closed, failed): its streams were failed
            // there, and the connection was opened (plain) long before — completing its open again was an
            // "illegal state transition ... open in phase CLOSING" (the SMTP churn saw it twice)
        } else {
            up.opened.complete(new TcpOpenInfo(c.remoteAddress, c.localAddress, info));
            up.tx.openForWrites();
        }
    }

    /**
     * MINA's TLS handler reports the session unsecured: at our own close_notify, or when the peer's
     * close_notify arrived. The latter ends the readable side as a FIN would (the peer may keep the
     * TCP connection open for a while after it).
     */
    void onUnsecured(IoSession s) {
        TlsSupport.ClientTlsFilter f;
        synchronized (c.st) {
            f = filter;
        }
        if (f != null && f.inboundDone()) {
            c.endOfInput(s, false);
        }
    }

    /**
     * The half-close of a TLS connection: close_notify first (through MINA's TLS handler, which keeps
     * decrypting what the peer still sends), then the FIN once close_notify has been written to the
     * channel ({@link TlsWatch}). False when the connection speaks no TLS (or sent close_notify
     * already): the caller sends the FIN itself.
     */
    boolean shutdownOutput(IoSession s) {
        boolean now;
        TlsWatch w;
        synchronized (c.st) {
            now = active && filter != null && !closeNotifySent;
            if (now) {
                closeNotifySent = true;
            }
            w = watch;
        }
        if (!now || s == null) {
            return false;
        }
        // close_notify may go to the channel on this thread, as a write's records do (TlsWatch)
        boolean inPlace = w != null && c.engine.writeInPlace() && w.beginInPlace();
        boolean closed;
        try {
            closed = TlsSupport.closeOutbound(s, FILTER);
        } finally {
            if (inPlace) {
                w.endInPlace(s);
            }
        }
        if (closed) {
            // close_notify has passed the watch by now: closeOutbound returns after the handler
            // handed its records down
            if (w != null) {
                w.armFin(s);
            } else {
                c.closer.finAfterCloseNotify(s);
            }
            return true;
        }
        // no TLS handler to close: remove the filter (sends close_notify) and close entirely
        synchronized (c.st) {
            c.st.stopInput();
            discardInput = true;
        }
        c.facade().rx.end();
        try {
            s.getFilterChain().remove(FILTER);
        } catch (RuntimeException e) {
            // the session is closing
        }
        c.closer.writeClosed.complete(null);
        s.closeOnFlush();
        return true;
    }

    /** Under c.st: whether close_notify was sent (for the close timeout's message). */
    boolean closeNotifySent() {
        return closeNotifySent;
    }

    /**
     * A delegated TLS task failed (the peer's certificate was refused): on MINA's task thread, inside
     * its TLS handler, which still has to send the alert. Reported from the timer thread.
     */
    private void onTaskFailure(SSLException e) {
        try {
            c.engine.timer().execute(() -> c.onException(e));
        } catch (RejectedExecutionException stopping) {
            c.onException(e);
        }
    }

    // ------------------------------------------------------------------ STARTTLS

    /**
     * Upgrades in place. Plain text never reaches the TLS streams (CVE-2011-0411): the upgrade is
     * refused while received bytes are unread (nothing changes then); from the switch on, the
     * connection's {@link StartTlsGuard} refuses whatever arrives until the TLS filter is in the
     * chain, and the plain stream, retired under the same lock as the switch, takes no more bytes.
     */
    TcpSocket startTls(TcpConnection.Facade from, TlsOptions t) {
        Objects.requireNonNull(t, "tls");
        synchronized (c.st) {
            checkUpgradable(from);
        }
        InPlaceReader inPlace = from.rx.inPlace();
        if (inPlace != null) {
            inPlace.disable(); // from here on every byte takes the I/O thread's path and the guard
        }
        if (c.endpointName != null) {
            t = EndpointTls.forStartTls(c.endpointName, c.host, c.tls, t); // the endpoint's trust stays the operator's
        }
        SSLContext ctx;
        try {
            ctx = c.engine.tlsContexts().get(t);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("tls options for startTls() are unusable: " + e.getMessage(), e);
        }
        StartTlsGuard g = guard;
        TlsSupport.ClientTlsFilter f = new TlsSupport.ClientTlsFilter(ctx, t, c.host, this::onTaskFailure,
                g::tlsInstalled);
        TlsWatch w = new TlsWatch(c);
        SocketClosedException gone = new RetiredStreamException("this stream of the socket to " + c.where()
                + " was replaced by startTls(); use the socket startTls() returned");
        TcpConnection.Facade nf;
        IoSession s;
        synchronized (c.st) {
            awaitPlainWrites(from);
            checkUpgradable(from); // again: the socket may have changed while the TLS context was built
            long unread = from.rx.weight();
            if (!from.rx.retireIfEmpty()) {
                throw new IllegalStateException("startTls() refused: " + unread + " bytes received from " + c.where()
                        + " are still unread. Upgrade only when the peer sent nothing after its go-ahead reply: plain"
                        + " text behind it may be a STARTTLS command injection (CVE-2011-0411) meant to be taken for"
                        + " TLS data. Nothing was changed; the plain streams stay usable");
            }
            nf = c.new Facade(true);
            upgrading = nf;
            active = true;
            filter = f;
            watch = w;
            c.switchTo(nf);
            from.tx.retired = gone; // later writes of the old stream fail at once
            g.upgrading();
            s = c.session;
        }
        from.rx.fail(gone);
        from.tx.failAll(gone);
        c.rxFlow.resumeIfSuspended(s);
        try {
            // head -> guard -> watch -> TLS -> handler; the guard opens as the TLS handshake begins
            s.getFilterChain().addAfter(StartTlsGuard.NAME, TlsWatch.NAME, w);
            s.getFilterChain().addAfter(TlsWatch.NAME, FILTER, f);
        } catch (RuntimeException e) {
            c.fail(NetworkReasons.of("startTls() with " + c.where() + " could not start: " + e.getMessage(), e));
        }
        long limit = c.options.connectTimeout().orElse(c.engine.config().connectTimeout()).toMillis();
        try {
            ScheduledFuture<?> timeout = c.engine.timer().schedule(() -> {
                if (!nf.opened.isDone()) {
                    c.fail(new TimedOutException("the startTls() handshake with " + c.where()
                            + " did not complete within " + limit + " ms (connectTimeout)"));
                }
            }, limit, TimeUnit.MILLISECONDS);
            // handshake done (or failed): the timer need not keep this connection reachable
            nf.opened.whenComplete((i, e) -> timeout.cancel(false));
        } catch (RejectedExecutionException e) {
            // the engine is stopping: the socket closes anyway
        }
        return nf;
    }

    /**
     * Under c.st: waits until no other thread is handing plain writes of {@code from} to the
     * channel or to MINA (each such hand-off is a non-blocking call: microseconds), at most 10 s.
     */
    private void awaitPlainWrites(TcpConnection.Facade from) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (from.tx.writingInPlace()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("startTls() refused: a plain-text write to " + c.where()
                        + " was still being handed to the network after 10 s; nothing was changed, retry");
            }
            try {
                c.st.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("startTls() interrupted while a plain-text write to " + c.where()
                        + " was being handed to the network; nothing was changed");
            }
        }
    }

    /** Why {@code from} cannot be upgraded now, as an IllegalStateException (under c.st). */
    private void checkUpgradable(TcpConnection.Facade from) {
        if (c.tls.mode() != TlsMode.STARTTLS) {
            throw new IllegalStateException("startTls() needs a socket opened with TlsMode.STARTTLS; "
                    + c.where() + " was opened with TlsMode." + c.tls.mode());
        }
        if (from != c.facade() || upgrading != null) {
            throw new IllegalStateException("startTls() was already called on the socket to " + c.where());
        }
        if (active) {
            throw new IllegalStateException("the socket to " + c.where() + " already speaks TLS");
        }
        c.st.checkUpgradable(c.session != null && guard != null, c.isFinished());
    }

    /**
     * Plain text arrived after startTls() began and before the TLS filter could take it: it is not TLS
     * (the server cannot answer a ClientHello not yet sent), and it must not reach either stream. The
     * upgrade and the connection fail.
     */
    void plainTextDuringUpgrade(int n) {
        c.fail(new NetworkException(NetworkException.Reason.TLS_PROTOCOL, n + " bytes of plain text arrived from "
                + c.where() + " after startTls() and before the TLS handshake (a STARTTLS command injection,"
                + " CVE-2011-0411, or a broken server); they were discarded and the connection closed", null));
    }

    /**
     * The failure of the plain streams after {@code startTls()}: kept by them for as long as the
     * connection lives (their later reads and writes fail with it), so it carries no stack trace. Its
     * frames would be the {@code startTls()} caller's, and a stack trace keeps the classes of its
     * frames reachable: the caller's bundle's class loader would stay reachable until the connection
     * is gone, which a closing connection may take up to its {@code closeTimeout} after that bundle
     * stopped (the SMTP churn held two old loaders that way).
     */
    static final class RetiredStreamException extends SocketClosedException {
        private static final long serialVersionUID = 1L;

        RetiredStreamException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
