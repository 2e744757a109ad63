package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.SocketSessionConfig;
import org.apache.mina.transport.socket.nio.NioSession;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.TlsMode;

/**
 * How one {@link TcpConnection} ends: the writable side's close (FIN after what is queued; with TLS,
 * close_notify first), the socket's close (both directions), abort (reset), release by the owner,
 * failure, and the session's end; and the bound on all of them: the close linger
 * ({@code closeTimeout}, {@link CloseLinger}), past which the connection is reset and the close fails
 * with a {@link TimedOutException}.
 *
 * <p>The state it changes is the connection's ({@link TcpState}, under its lock); no lock is held
 * while calling into MINA.
 */
final class TcpCloser {

    private final TcpConnection c;
    /** Made at the first close (an idle socket has none). */
    private volatile CloseLinger linger;
    /** The writable side's close: completes once the FIN went (or the socket ended). */
    final CompletableFuture<Void> writeClosed = new CompletableFuture<>();

    TcpCloser(TcpConnection c) {
        this.c = c;
    }

    private CloseLinger linger() {
        CloseLinger l = linger;
        if (l == null) {
            synchronized (this) {
                l = linger;
                if (l == null) {
                    linger = l = new CloseLinger(c.engine.timer());
                }
            }
        }
        return l;
    }

    /** Whether the FIN is due now (under c.st): see {@link TcpState#finDue}. */
    boolean shutdownDue() {
        return c.st.finDue(c.queued, c.session != null, c.facade().tx.isOpen());
    }

    /**
     * Sends FIN once everything written is out. With TLS, close_notify first ({@link TcpTls}), then
     * FIN once close_notify has been written to the channel ({@link TlsWatch}); like the data before
     * it, it waits for a peer that does not read, until the socket is closed or aborted.
     */
    void shutdownOutput() {
        IoSession s = c.session;
        if (c.tlsLayer.shutdownOutput(s)) {
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
        synchronized (c.st) {
            c.st.requestWriteClose();
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
        Duration limit = c.options.closeTimeout().orElse(c.engine.config().closeTimeout());
        linger().arm(limit, () -> closeTimedOut(limit));
    }

    /** The session is gone: the linger need not keep the connection reachable. */
    void cancelLinger() {
        CloseLinger l = linger;
        if (l != null) {
            l.cancel();
        }
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
        synchronized (c.st) {
            boolean finished = c.isFinished() || writeClosed.isDone() && !c.st.closeRequested();
            if (finished) {
                return;
            }
            stuck = c.queued;
            notify = c.tlsLayer.closeNotifySent();
            s = c.session;
        }
        TimedOutException te = new TimedOutException("closing socket " + c.id + " to " + c.where()
                + " did not finish within " + limit.toMillis() + " ms (closeTimeout): "
                + (stuck > 0 ? stuck + " bytes were still queued to send (the peer is not reading)"
                        : notify ? "the TLS close_notify could not be sent (the peer is not reading)"
                                : "the peer did not let the connection close")
                + "; the connection was reset");
        if (s != null) {
            resetOnClose(s);
        }
        c.fail(te);
    }

    /** Closes the session once both directions are done. */
    void checkBothDone() {
        IoSession s;
        synchronized (c.st) {
            if (!c.st.bothDone()) {
                return;
            }
            s = c.session;
        }
        if (s != null) {
            s.closeOnFlush();
        }
    }

    CompletableFuture<Void> abort(Throwable reason) {
        IoSession s;
        synchronized (c.st) {
            c.st.abort();
            s = c.session;
        }
        String why = reason == null ? "aborted" : "aborted: " + TcpConnection.message(reason);
        if (c.st.opening()) {
            c.failOpen(new SocketClosedException("the socket to " + c.where() + " was " + why + " before it opened"));
            return c.closed;
        }
        SocketClosedException e = new SocketClosedException("writing to " + c.where() + " " + why, reason);
        TcpConnection.Facade f = c.facade();
        f.tx.failAll(e);
        f.rx.cancelInternal();
        writeClosed.complete(null);
        if (s != null) {
            resetOnClose(s);
            s.closeNow();
        }
        return c.closed;
    }

    CompletableFuture<Void> closeSocket() {
        if (c.st.opening()) {
            c.failOpen(new SocketClosedException("the socket to " + c.where() + " was closed before it opened"));
            return c.closed;
        }
        TcpConnection.Facade up;
        IoSession s;
        synchronized (c.st) {
            c.st.requestClose();
            up = c.tlsLayer.takeUpgrading();
            s = c.session;
        }
        if (up != null) {
            // nothing was sent on the TLS streams yet, and no TLS to close: close at once
            SocketClosedException e = new SocketClosedException("the socket to " + c.where()
                    + " was closed during the startTls() handshake");
            up.opened.completeExceptionally(e);
            up.tx.failAll(e);
            up.rx.cancelInternal();
            writeClosed.complete(null);
            if (s != null) {
                s.closeNow();
            }
            return c.closed;
        }
        c.facade().rx.cancelInternal();
        writeClose();
        checkBothDone();
        if (!c.isFinished()) {
            armLinger();
        }
        return c.closed;
    }

    /** The owner is gone: nobody will read or wait; close at once. */
    void release(SocketClosedException reason) {
        if (c.st.opening()) {
            c.failOpen(reason);
            return;
        }
        TcpConnection.Facade up;
        synchronized (c.st) {
            // before the queued writes fail: a write made from now on is refused with the reason too,
            // not queued and failed later, when the session is gone, as a bare "closed"
            reason = c.st.release(reason);
            up = c.tlsLayer.takeUpgrading();
        }
        c.facade().tx.failAll(reason);
        c.facade().rx.fail(reason);
        if (up != null) {
            // a pending startTls() fails with the release as its reason, not the bare "closed during the handshake"
            up.opened.completeExceptionally(reason);
            up.tx.failAll(reason);
            up.rx.fail(reason);
        }
        IoSession s = c.session;
        if (s != null) {
            s.closeNow();
        } else {
            c.markFinished(null, true);
        }
    }

    /**
     * The connection failed (reset, I/O error, failed or refused upgrade): every stream fails, a
     * pending startTls() fails, closed() fails.
     */
    void fail(Throwable err) {
        IoSession s;
        TcpConnection.Facade f;
        TcpConnection.Facade up;
        synchronized (c.st) {
            c.st.fail(err);
            s = c.session;
            f = c.facade();
            up = c.tlsLayer.takeUpgrading();
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

    /** The session is gone (once; MINA's handler event, or {@link TlsWatch#sessionClosed}). */
    void onSessionClosed() {
        Throwable err;
        TcpConnection.Facade f;
        TcpConnection.Facade up;
        boolean wasOpened;
        boolean opening;
        boolean closedHere;
        SocketClosedException released;
        synchronized (c.st) {
            if (!c.st.sessionClosed()) {
                return;
            }
            released = c.st.released();
            closedHere = c.st.closeRequested() || c.st.aborted();
            err = c.st.error;
            f = c.facade();
            up = c.tlsLayer.takeUpgrading();
            wasOpened = c.st.wasOpened();
            opening = c.st.opening();
        }
        CloseLinger l = linger;
        if (l != null) {
            l.cancel();
        }
        if (opening) {
            c.failOpen(new NetworkException(NetworkException.Reason.CLOSED_BY_PEER, "connection to " + c.where()
                    + " was closed by the peer during " + (c.tls.mode() == TlsMode.ON ? "the TLS handshake" : "the open"),
                    null));
            return;
        }
        SocketClosedException closedErr = released != null ? released
                : new SocketClosedException("the socket to " + c.where() + " is closed");
        if (err == null) {
            f.rx.end();
        } else {
            f.rx.fail(err);
        }
        f.tx.failAll(err != null ? err : closedErr);
        if (up != null) {
            // who closed it: this side (close() or abort() by the socket's owner) or the peer
            up.opened.completeExceptionally(err != null ? err : closedHere
                    ? new SocketClosedException("the socket to " + c.where() + " was closed by its owner (close() or"
                            + " abort()) during the startTls handshake")
                    : new NetworkException(NetworkException.Reason.CLOSED_BY_PEER, "connection to " + c.where()
                            + " was closed by the peer during the startTls handshake", null));
        }
        writeClosed.complete(null);
        c.markFinished(err, wasOpened);
    }

    /** SO_LINGER 0: the close that follows resets the connection. */
    private static void resetOnClose(IoSession s) {
        try {
            ((SocketSessionConfig) s.getConfig()).setSoLinger(0);
        } catch (RuntimeException ignored) {
            // the socket is gone already
        }
    }
}
