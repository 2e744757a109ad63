package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * Sits below the TLS filter of a connection (between it and the network). Inbound: after each
 * network read has been decrypted, tells whether the peer's close_notify arrived (MINA's TLS handler
 * raises no event for it), which ends the readable side as a FIN would. Outbound: keeps the TLS
 * records handed to the network and not yet written to the channel, so that the FIN of a TLS
 * half-close follows close_notify. MINA's TLS handler writes close_notify (and handshake records) as
 * requests of its own, with no usable future, which the session's scheduled-write counter does not
 * count; a FIN sent while one is still queued makes the I/O processor's write fail on the shut-down
 * channel, and MINA then closes the whole session, dropping what the peer still sends. The set is
 * bounded by the TLS handler's own window of unacknowledged records. And: makes sure the connection
 * learns that its session closed ({@link #sessionClosed}).
 *
 * <p>Records written in place: while a caller's thread hands a write to the TLS filter
 * ({@link #beginInPlace} .. {@link #endInPlace}, {@code TcpTx}) and none of this connection's
 * records waits in MINA, the records the handler passes down on that thread go to the channel right
 * there, as plain text does ({@code TcpTx}), instead of into MINA's queue and a wake-up of the I/O
 * thread. The handler passes its records down one at a time under a lock of its own, in the order it
 * made them, so they reach the channel in that order; a record the channel does not take whole (and
 * every record after it) goes to MINA. The "sent" event MINA's I/O thread would raise for a record
 * written in place is raised by {@link #endInPlace}, on the caller's thread once the handler has
 * returned (not under the handler's locks: acknowledging a record takes the handler's own lock).
 */
final class TlsWatch extends IoFilterAdapter {

    static final String NAME = "tls-watch";

    /**
     * The largest record buffer written in place: the JDK copies a heap buffer into a direct buffer
     * it keeps per writing thread; MINA's TLS handler puts a write of up to 64 KiB ({@code TcpTx}'s
     * largest in place) and its records' overhead into one buffer.
     */
    static final int IN_PLACE_MAX = 2 * TcpTx.IN_PLACE_MAX;

    private final TcpConnection connection;
    // guarded by this
    /** Records handed to MINA's queue and not written yet. */
    private final Set<WriteRequest> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Records written in place that no {@link #endInPlace} has taken yet. */
    private final List<WriteRequest> written = new ArrayList<>(2);
    /**
     * Records written in place whose "sent" event an {@link #endInPlace} is raising: taken from
     * {@link #written} first, so that a write made from that event (its future's listener) and its
     * own {@link #endInPlace} raise only their own records.
     */
    private final Set<WriteRequest> reporting = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The thread between {@link #beginInPlace} and {@link #endInPlace}, or null. */
    private Thread writer;
    /** What a write in place got from the channel (a reset), reported by {@link #endInPlace}. */
    private IOException writeFailure;
    private boolean finArmed;
    private boolean finSent;

    TlsWatch(TcpConnection connection) {
        this.connection = connection;
    }

    @Override
    public void messageReceived(NextFilter next, IoSession s, Object message) throws Exception {
        next.messageReceived(s, message);
        connection.tlsLayer.onUnsecured(s);
    }

    @Override
    public void filterWrite(NextFilter next, IoSession s, WriteRequest request) throws Exception {
        boolean inPlace;
        synchronized (this) {
            inPlace = writer == Thread.currentThread() && inFlight.isEmpty() && !finArmed
                    && request.getMessage() instanceof IoBuffer b && b.remaining() <= IN_PLACE_MAX;
            if (!inPlace) {
                inFlight.add(request);
            }
        }
        if (inPlace && writeInPlace(s, request)) {
            return;
        }
        next.filterWrite(s, request);
    }

    /**
     * Writes what the channel takes of {@code request}'s record buffer now; true if it took it all
     * (its "sent" event waits for {@link #endInPlace}), false if the rest goes to MINA (the record
     * is in {@link #inFlight} then). A closed channel leaves the record to MINA, which fails it as
     * before; a channel error (a reset, reported by the kernel once) is kept for
     * {@link #endInPlace}, and the record goes to MINA, which fails it with the session.
     */
    private boolean writeInPlace(IoSession s, WriteRequest request) {
        IoBuffer b = (IoBuffer) request.getMessage();
        boolean all = false;
        IOException failed = null;
        if (s instanceof NioSession ns && ns.getChannel() instanceof SocketChannel ch) {
            java.nio.ByteBuffer buf = b.buf();
            int start = buf.position();
            try {
                while (ch.write(buf) > 0 && buf.hasRemaining()) {
                    // the channel took some: offer the rest once more before MINA waits for room
                }
                all = !buf.hasRemaining();
            } catch (ClosedChannelException e) {
                // closed meanwhile: MINA fails the record with the session
            } catch (IOException e) {
                failed = e;
            }
            if (all) {
                buf.position(start); // as MINA's I/O thread leaves a written buffer
            }
        }
        synchronized (this) {
            if (all) {
                written.add(request);
            } else {
                inFlight.add(request);
                if (failed != null && writeFailure == null) {
                    writeFailure = failed;
                }
            }
        }
        return all;
    }

    /**
     * The calling thread hands a write to the TLS filter next: the records it passes down may be
     * written in place. False (and nothing changes) while another thread does.
     */
    synchronized boolean beginInPlace() {
        if (writer != null) {
            return false;
        }
        writer = Thread.currentThread();
        return true;
    }

    /**
     * The write of {@link #beginInPlace} is through the TLS filter (the caller holds no lock):
     * raises the "sent" event of each record written in place, in order, as MINA's I/O thread does
     * for the records it writes (completing the write's future, acknowledging the record to the TLS
     * handler, which may pass further records down: those go to MINA), and reports a channel error.
     */
    void endInPlace(IoSession s) {
        List<WriteRequest> sent;
        IOException failed;
        synchronized (this) {
            writer = null;
            sent = written.isEmpty() ? List.of() : List.copyOf(written);
            written.clear();
            reporting.addAll(sent);
            failed = writeFailure;
            writeFailure = null;
        }
        for (WriteRequest r : sent) {
            s.getFilterChain().fireMessageSent(r);
        }
        if (failed != null) {
            connection.onException(failed); // fails and closes the socket as MINA's exceptionCaught does
        }
    }

    @Override
    public void messageSent(NextFilter next, IoSession s, WriteRequest request) throws Exception {
        boolean fin;
        try {
            // the TLS handler first: acknowledging a record may hand further records down
            next.messageSent(s, request);
        } finally {
            synchronized (this) {
                fin = (inFlight.remove(request) || reporting.remove(request)) && finArmed && !finSent && idle();
                finSent |= fin;
            }
        }
        if (fin) {
            connection.closer.finAfterCloseNotify(s);
        }
    }

    /** Under this: no record of this connection waits to be written or to be reported sent. */
    private boolean idle() {
        return inFlight.isEmpty() && written.isEmpty() && reporting.isEmpty();
    }

    /**
     * The session closed. MINA's TLS filter, next in the chain, throws a handshake error it kept
     * pending from its {@code sessionClosed}, and MINA then never passes the event on to the handler:
     * the connection would never learn that its session is gone (stay registered, never complete
     * {@code closed()}). So the connection is told here too, after the rest of the chain ran
     * ({@link TcpCloser#onSessionClosed} runs once).
     */
    @Override
    public void sessionClosed(NextFilter next, IoSession s) throws Exception {
        try {
            next.sessionClosed(s);
        } finally {
            connection.closer.onSessionClosed();
        }
    }

    /**
     * close_notify has been handed down (the TLS handler's close returned): the FIN goes now if every
     * record is written, else once the last one is (I/O thread, {@link #messageSent}).
     */
    void armFin(IoSession s) {
        boolean fin;
        synchronized (this) {
            finArmed = true;
            fin = !finSent && idle();
            finSent |= fin;
        }
        if (fin) {
            connection.closer.finAfterCloseNotify(s);
        }
    }
}
