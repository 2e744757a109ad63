package org.rawsockets.socket.mina.internal;

import org.apache.mina.core.session.IoSession;

/**
 * Receive-side flow control of one {@link TcpConnection}: network reads are suspended while the
 * current readable side holds more than the high-water mark (or the owner is over its buffer quota)
 * and resumed below the low-water mark; a closed input stays suspended.
 *
 * <p>Its lock guards the suspension only; it is taken before the connection's ({@link TcpState})
 * where both are needed.
 */
final class RxFlow {

    private final TcpConnection c;
    // guarded by this (no lock object of its own: one object less per socket)
    private boolean suspended;

    RxFlow(TcpConnection c) {
        this.c = c;
    }

    /** Bytes were added to the readable side ({@code delta}, any thread). */
    void pushed(long delta) {
        c.owner.buffered.addAndGet(delta);
        IoSession s = c.session;
        if (s == null) {
            return;
        }
        synchronized (this) {
            // the weight passed to the caller may be stale: a reader may have drained meanwhile
            long w = c.facade().rx.weight();
            if (!suspended && w > 0 && (w > c.engine.config().highWaterMark() || c.owner.overBufferQuota())) {
                suspended = true;
                s.suspendRead();
            }
        }
    }

    /** Bytes were taken from the readable side ({@code delta}, any thread). */
    void taken(long delta) {
        c.owner.buffered.addAndGet(-delta);
        IoSession s = c.session;
        if (s == null) {
            return;
        }
        synchronized (this) {
            if (suspended && c.facade().rx.weight() <= c.engine.config().lowWaterMark() && !c.st.peerEnded()) {
                suspended = false;
                if (!c.readerHoldsChannel()) {
                    resume(s); // else the reader reads in place, and resumes when it gives the channel back
                }
            }
        }
    }

    /** The input closed (FIN): stop selecting it; it stays readable. */
    void suspendAtEnd(IoSession s) {
        synchronized (this) {
            suspended = true;
            s.suspendRead();
        }
    }

    /** Resumes reads suspended for the old streams (startTls switched to new ones). */
    void resumeIfSuspended(IoSession s) {
        synchronized (this) {
            if (suspended) {
                suspended = false;
                resume(s);
            }
        }
    }

    /** Reading was cancelled: incoming bytes are discarded from now on, so reads resume. */
    void cancelled() {
        IoSession s = c.session;
        if (s != null) {
            synchronized (this) {
                if (suspended && !c.st.peerEnded()) {
                    suspended = false;
                    resume(s);
                }
            }
        }
    }

    /**
     * Resumes network reads after the blocking reader gave the channel back ({@link InPlaceReader}),
     * unless they are on already or flow control holds them (the queue above its mark, the input
     * ended).
     */
    void resumeUnlessHeld() {
        IoSession s = c.session;
        if (s == null) {
            return;
        }
        synchronized (this) {
            if (!suspended && !c.st.peerEnded() && !Wakeup.readsOn(s)) {
                resume(s);
            }
        }
    }

    boolean isSuspended() {
        synchronized (this) {
            return suspended;
        }
    }

    /** Resumes network reads (under lock, any thread). */
    private void resume(IoSession s) {
        Wakeup.resumeRead(s, c.engine.timer(), () -> !isSuspended() && !c.st.peerEnded() && !c.readerHoldsChannel());
    }
}
