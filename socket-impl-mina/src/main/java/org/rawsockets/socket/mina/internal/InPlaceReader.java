package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * Reading a plain connection on the blocking reader's own thread, as {@link java.net.Socket} does,
 * while the network is ahead of the reader: no hand-off between the I/O thread and the reader per
 * chunk (a wake-up, a context switch, a queue) — in bulk downloads through the blocking views that
 * hand-off cost more CPU than the reads themselves.
 *
 * <p>Who reads the channel is one of three owners: {@link #FREE} (the I/O thread may), {@link #IO}
 * (the I/O thread is reading and queueing, see {@link SocketProcessor}) and {@link #READER} (the
 * blocking reader reads it in place; the I/O thread reads nothing and suspends its read interest
 * when woken for this connection). The reader takes the channel only when the queue is empty and
 * the I/O thread's last read filled its whole buffer (the kernel holds more: a bulk transfer the
 * network is ahead in), never while the I/O thread is inside a read, so every byte reaches the
 * caller in the peer's order. It gives the channel back to the I/O thread when a read in place
 * finds nothing (the reader caught up: it then waits for the I/O thread as before), at the end of
 * the stream or an error (both then take the I/O thread's usual path), when the stream is
 * cancelled, and when {@code available()} is asked (a caller polling it sees queued bytes again).
 *
 * <p>While the reader holds the channel, nothing is read from the network between its calls: the
 * kernel's receive buffer and TCP's window hold the peer, as a full receive queue does otherwise.
 * Only plain connections (no TLS, no STARTTLS) read through a blocking view are read in place.
 */
final class InPlaceReader {

    static final int FREE = 0;
    static final int IO = 1;
    static final int READER = 2;

    /** How long the reader waits for the I/O thread to finish a read before it waits the usual way. */
    private static final long TAKE_SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final VarHandle OWNER;
    private static final VarHandle SUSPENDED_FOR_READER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OWNER = l.findVarHandle(InPlaceReader.class, "owner", int.class);
            SUSPENDED_FOR_READER = l.findVarHandle(InPlaceReader.class, "suspendedForReader", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TcpConnection c;
    private final TcpRx rx;
    @SuppressWarnings("unused") // through OWNER
    private volatile int owner;
    /** The I/O thread suspended its read interest because the reader held the channel. */
    @SuppressWarnings("unused") // through SUSPENDED_FOR_READER
    private volatile boolean suspendedForReader;
    /**
     * The I/O thread's last read filled its whole buffer (written under {@link #IO}, cleared under
     * {@link #READER}); the reader takes the channel only then.
     */
    private volatile boolean backlog;
    /** Reads done in place and hand-backs, for tests and the socket's debug view. */
    private volatile long inPlaceReads;
    private volatile long handBacks;

    InPlaceReader(TcpConnection c, TcpRx rx) {
        this.c = c;
        this.rx = rx;
    }

    // ---------------------------------------------------------------- the I/O thread

    /**
     * Before the I/O thread reads the channel: true if it may (it owns the channel until
     * {@link #ioEnd}); false if the reader holds it — the session's read interest is then suspended
     * here (MINA's own suspendRead, safe on the I/O thread) and the I/O thread reads nothing.
     */
    boolean ioBegin(IoSession s) {
        if (OWNER.compareAndSet(this, FREE, IO)) {
            return true;
        }
        // suspend first, then say so: whoever resumes (the reader handing back, or this thread if
        // the reader handed back meanwhile) does it after the suspension, exactly once
        s.suspendRead();
        SUSPENDED_FOR_READER.setVolatile(this, true);
        if ((int) OWNER.getVolatile(this) == FREE && (boolean) SUSPENDED_FOR_READER.getAndSet(this, false)) {
            c.rxFlow.resumeUnlessHeld();
        }
        return false;
    }

    /** After the I/O thread's read of {@code n} bytes into a buffer of {@code capacity} (queued already). */
    void ioEnd(int n, int capacity) {
        backlog = n == capacity;
        OWNER.setVolatile(this, FREE);
    }

    // ---------------------------------------------------------------- the reader

    /**
     * One read in place into {@code b} (the blocking reader's thread, with its queue found empty).
     *
     * @return the count read (&gt; 0), or 0 when nothing was read here: the caller waits for the
     *         I/O thread as usual (the reader does not hold the channel then, or bytes are queued)
     */
    int read(byte[] b, int off, int len) {
        if ((int) OWNER.getVolatile(this) != READER && !take()) {
            return 0;
        }
        if (!rx.isEmptyAndOpen()) {
            // queued before the reader took the channel (copied by the usual path), or finished
            if (rx.isFinished()) {
                handBack();
            }
            return 0;
        }
        if (!(c.session instanceof NioSession s) || !(s.getChannel() instanceof SocketChannel ch)) {
            handBack();
            return 0;
        }
        ChunkPool pool = c.engine.chunks();
        ByteBuffer buf = pool.take();
        int n;
        try {
            buf.limit(Math.min(len, buf.capacity()));
            n = ch.read(buf);
            if (n > 0) {
                buf.flip();
                buf.get(b, off, n);
            }
        } catch (ClosedChannelException e) {
            handBack(); // closed under the reader: the close ends or fails the stream
            return 0;
        } catch (IOException e) {
            c.onException(e); // fails the stream (the caller's wait throws it), then the channel goes back
            handBack();
            return 0;
        } finally {
            pool.give(buf);
        }
        if (n > 0) {
            c.countIn(n);
            inPlaceReads++;
            return n;
        }
        // 0: the reader caught up with the network; -1: the end, which the I/O thread reads again
        // and reports through MINA (inputClosed), as for every other connection
        handBack();
        return 0;
    }

    /** Takes the channel from a free owner when the network is ahead; spins briefly while the I/O thread reads. */
    private boolean take() {
        if (!backlog) {
            return false;
        }
        long deadline = 0;
        for (int spins = 0;; spins++) {
            int o = (int) OWNER.getVolatile(this);
            if (o == FREE) {
                if (OWNER.compareAndSet(this, FREE, READER)) {
                    return true;
                }
            } else if (o == READER) {
                return true;
            } else if (spins > 64) {
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + TAKE_SPIN_NANOS;
                } else if (now - deadline > 0) {
                    return false; // the I/O thread is slow to finish its read: wait for it the usual way
                }
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Gives the channel back to the I/O thread (any thread; nothing if the reader does not hold
     * it) and resumes its reads if it suspended them for the reader.
     */
    void handBack() {
        if (!OWNER.compareAndSet(this, READER, FREE)) {
            return;
        }
        backlog = false;
        handBacks++;
        // resumes if the I/O thread suspended its reads for the reader (and whatever else left
        // them off while the reader held the channel: a resume's repair waits while it does)
        SUSPENDED_FOR_READER.setVolatile(this, false);
        c.rxFlow.resumeUnlessHeld();
    }

    /** Whether the reader holds the channel now. */
    boolean readerHolds() {
        return (int) OWNER.getVolatile(this) == READER;
    }

    long inPlaceReads() {
        return inPlaceReads;
    }

    long handBacks() {
        return handBacks;
    }
}
