package org.rawsockets.socket.mina.internal;

import java.util.function.Supplier;

import org.rawsockets.socket.SocketClosedException;

/**
 * The life cycle of one {@link TcpConnection}, and its lock: this object's monitor guards the
 * state below and the connection's other mutable state (the send queue's count, the current
 * streams, the {@link TcpTls TLS layer}); {@code OutputStream.flush} waits on it. Every change of
 * state goes through a method here, which checks it.
 *
 * <pre>
 *  OPENING ──open()──▶ OPEN ──one direction ends──▶ HALF_CLOSED
 *     │                 │                               │
 *     │                 └──close / abort / failure / both directions done──▶ CLOSING
 *     └──failOpen()──────────────────────────────────────────────────────────▶ CLOSING (session to close)
 *                                                                            or CLOSED (none)
 *  any ──sessionClosed()──▶ CLOSED
 * </pre>
 *
 * A phase only moves forwards. A move the connection makes while racing another thread (the open
 * completing after its timeout failed it; a half-close after close()) is a no-op that returns
 * false; a move that no code path may make (opening again, half-closing a connection that never
 * opened, a second open) is refused with an {@link IllegalStateException}. Each direction has its
 * own sub-state ({@link Output}, {@link Input}): they decide when the phase leaves {@code OPEN}.
 */
final class TcpState {

    enum Phase {
        /** Resolving, checking the policy, connecting, TLS handshake of {@code TlsMode.ON}. */
        OPENING,
        /** Both directions carry data. */
        OPEN,
        /** One direction ended (FIN sent or requested, FIN or close_notify received, reading cancelled). */
        HALF_CLOSED,
        /** Closed, aborted or failed, or both directions ended: the session is closing. */
        CLOSING,
        /** The session is gone (or never existed). */
        CLOSED
    }

    /** The writable side. */
    enum Output {
        OPEN,
        /** Close requested: the FIN follows what is queued. */
        CLOSE_REQUESTED,
        /** The FIN (with TLS: close_notify, then FIN) is on its way. */
        SHUT
    }

    /** The readable side. */
    enum Input {
        OPEN,
        /** Stopped on this side (reading cancelled, or TLS records no longer decrypted). */
        STOPPED,
        /** The peer ended it (FIN, or TLS close_notify). */
        ENDED
    }

    private final Supplier<String> where;
    private Phase phase = Phase.OPENING;
    private Output output = Output.OPEN;
    private Input input = Input.OPEN;
    private boolean opened;
    private boolean closeRequested;
    private boolean aborted;
    private boolean sessionGone;
    /** The error that ended the connection; set once. Read without the lock where a stale null is harmless. */
    volatile Throwable error;
    /** Why the owner's release closed the connection (its service was released); set once. */
    private SocketClosedException released;

    /** @param where names the connection in messages (host, address, port) */
    TcpState(Supplier<String> where) {
        this.where = where;
    }

    synchronized Phase phase() {
        return phase;
    }

    synchronized Output output() {
        return output;
    }

    synchronized Input input() {
        return input;
    }

    /** Still opening (neither open nor failed). */
    synchronized boolean opening() {
        return phase == Phase.OPENING;
    }

    /** The open succeeded (whatever happened since). */
    synchronized boolean wasOpened() {
        return opened;
    }

    synchronized boolean closeRequested() {
        return closeRequested;
    }

    synchronized boolean aborted() {
        return aborted;
    }

    synchronized boolean writeCloseRequested() {
        return output != Output.OPEN;
    }

    synchronized boolean peerEnded() {
        return input == Input.ENDED;
    }

    // ------------------------------------------------------------------ transitions

    /**
     * OPENING → OPEN. False when the open already failed (its timeout or a close won the race).
     *
     * @throws IllegalStateException when the connection was opened before
     */
    synchronized boolean open() {
        if (opened) {
            throw illegal("open", "it was opened already");
        }
        if (phase != Phase.OPENING) {
            return false;
        }
        opened = true;
        phase = Phase.OPEN;
        advance();
        return true;
    }

    /**
     * OPENING → CLOSING (a session exists and is closing) or CLOSED. False when the open finished
     * already, successfully or not.
     */
    synchronized boolean failOpen(Throwable err, boolean sessionToClose) {
        if (phase != Phase.OPENING) {
            return false;
        }
        if (error == null && !(err instanceof SocketClosedException)) {
            error = err;
        }
        phase = sessionToClose && !sessionGone ? Phase.CLOSING : Phase.CLOSED;
        return true;
    }

    /** The connection failed: records {@code err} (the first one counts) and moves to CLOSING. */
    synchronized void fail(Throwable err) {
        if (error == null) {
            error = err;
        }
        toClosing();
    }

    /**
     * The owner released its socket service: records {@code reason} (the first one counts), which
     * every later write and the close are then failed with, rather than a bare "closed". Returns the
     * reason that counts.
     */
    synchronized SocketClosedException release(SocketClosedException reason) {
        if (released == null) {
            released = reason;
        }
        return released;
    }

    /** The release's reason, or null if the owner did not release the service. */
    synchronized SocketClosedException released() {
        return released;
    }

    /** close() was called (after the open; before it, {@link #failOpen}): moves to CLOSING. False if it was called before. */
    synchronized boolean requestClose() {
        boolean first = !closeRequested;
        closeRequested = true;
        toClosing();
        return first;
    }

    /** abort() was called (after the open; before it, {@link #failOpen}): moves to CLOSING. */
    synchronized void abort() {
        aborted = true;
        toClosing();
    }

    /**
     * Output OPEN → CLOSE_REQUESTED (idempotent). Also while opening: the FIN then follows the
     * open, as the writes made before it do.
     */
    synchronized void requestWriteClose() {
        if (output == Output.OPEN) {
            output = Output.CLOSE_REQUESTED;
            advance();
        }
    }

    /**
     * CLOSE_REQUESTED → SHUT when the FIN is due: close requested, nothing queued, the connection
     * open and its current send side open. True exactly once: the caller then sends the FIN.
     */
    synchronized boolean finDue(long queued, boolean hasSession, boolean sendSideOpen) {
        if (output == Output.CLOSE_REQUESTED && queued == 0 && opened && hasSession && sendSideOpen) {
            output = Output.SHUT;
            advance();
            return true;
        }
        return false;
    }

    /**
     * Input → ENDED: the peer's FIN or close_notify. Returns whether it had ended before (the
     * caller then does nothing more).
     */
    synchronized boolean peerEndedInput() {
        boolean already = input == Input.ENDED;
        input = Input.ENDED;
        advance();
        return already;
    }

    /** Input OPEN → STOPPED: reading cancelled, or received TLS records are discarded. */
    synchronized void stopInput() {
        if (input == Input.OPEN) {
            input = Input.STOPPED;
            advance();
        }
    }

    /** Both directions are done: the session may close once what is queued is flushed. */
    synchronized boolean bothDone() {
        return input != Input.OPEN && output == Output.SHUT;
    }

    /**
     * The session is gone: → CLOSED, except while opening, where {@link #failOpen} ends the open
     * (then in CLOSED). False if it was reported before.
     */
    synchronized boolean sessionClosed() {
        if (sessionGone) {
            return false;
        }
        sessionGone = true;
        if (phase != Phase.OPENING) {
            phase = Phase.CLOSED;
        }
        return true;
    }

    /** Why a write is refused now (the documented {@link SocketClosedException}), or null. */
    synchronized Throwable writeRefusal(boolean finished) {
        if (error != null) {
            return error;
        }
        if (released != null) {
            return released;
        }
        if (aborted) {
            return new SocketClosedException("the socket to " + where.get() + " was aborted");
        }
        if (output != Output.OPEN) {
            return new SocketClosedException("the writable side of the socket to " + where.get() + " is closed");
        }
        if (finished) {
            return new SocketClosedException("the socket to " + where.get() + " is closed");
        }
        return null;
    }

    /** Whether the public state shows CLOSING: one direction or the whole connection is ending. */
    synchronized boolean ending() {
        return phase == Phase.HALF_CLOSED || phase == Phase.CLOSING || phase == Phase.CLOSED;
    }

    /** The phase follows the directions: OPEN → HALF_CLOSED → CLOSING. */
    private void advance() {
        if (phase == Phase.OPEN && (output != Output.OPEN || input != Input.OPEN)) {
            phase = Phase.HALF_CLOSED;
        }
        if (phase == Phase.HALF_CLOSED && output == Output.SHUT && input != Input.OPEN) {
            phase = Phase.CLOSING;
        }
    }

    /** OPEN or HALF_CLOSED → CLOSING; a later phase stays, and so does OPENING, which only {@link #failOpen} ends. */
    private void toClosing() {
        if (phase == Phase.OPEN || phase == Phase.HALF_CLOSED) {
            phase = Phase.CLOSING;
        }
    }

    /**
     * The STARTTLS upgrade needs an open connection whose directions both still carry data and that
     * did not fail.
     *
     * @throws IllegalStateException otherwise, saying why (the documented exception of {@code startTls})
     */
    synchronized void checkUpgradable(boolean hasSession, boolean finished) {
        if (!opened || error != null || output != Output.OPEN || input == Input.ENDED || !hasSession || finished
                || phase == Phase.CLOSING || phase == Phase.CLOSED) {
            throw new IllegalStateException("startTls() needs an open socket; the socket to " + where.get() + " is "
                    + (opened ? "closed or closing" : "not open yet"));
        }
    }

    private IllegalStateException illegal(String what, String why) {
        return new IllegalStateException("illegal state transition of the socket to " + where.get() + ": " + what
                + " in phase " + phase + " (output " + output + ", input " + input + "): " + why);
    }

    @Override
    public synchronized String toString() {
        return phase + " (output " + output + ", input " + input + (closeRequested ? ", close requested" : "")
                + (aborted ? ", aborted" : "") + (error != null ? ", failed" : "") + ")";
    }
}
