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
 * <p>Who reads the channel is kept in one atomic owner: {@link #FREE} (the I/O thread may),
 * {@link #IO} (the I/O thread is reading and queueing, see {@link SocketProcessor}), {@link #READER}
 * (the blocking reader holds it between its reads; the I/O thread reads nothing and suspends its
 * read interest when woken for this connection), {@link #READING} (a read in place is in progress:
 * whoever wants the channel back waits it out, a few microseconds) and {@link #OFF} (for good: a
 * STARTTLS upgrade began, {@link #disable}). The reader takes the channel only after the I/O
 * thread's last read filled its whole buffer (the kernel holds more: a bulk transfer the network is
 * ahead in), never while the I/O thread is inside a read (it spins briefly for that read to end, or
 * takes a free channel when it finds bytes queued, {@link #claim}), and it reads in place only with
 * the queue empty: every byte reaches the caller in the peer's order. Only the reader's own thread,
 * inside a read, ever makes the reader the owner, so a reader that waits for the I/O thread never
 * holds the channel: the I/O thread does not hand the channel over by itself (it did, to a reader
 * that had asked while it read, and when that reader had meanwhile gone to wait for the I/O thread,
 * neither read again: a blocking download stalled until its read timeout). It gives the channel back to the I/O thread when a read in place
 * finds nothing (the reader caught up: it then waits for the I/O thread as before), at the end of
 * the stream or an error (both then take the I/O thread's usual path), when the stream is
 * cancelled, and when {@code available()} is asked (a caller polling it sees queued bytes again).
 *
 * <p>While the reader holds the channel, nothing is read from the network between its calls: the
 * kernel's receive buffer and TCP's window hold the peer, as a full receive queue does otherwise.
 * Only plain text read through a blocking view (the streams view or the {@link java.net.Socket}
 * view) is read in place: connections without TLS, and STARTTLS connections until the upgrade.
 * A non-blocking channel is not closed by an interrupt of the thread reading it (JDK 11+).
 */
final class InPlaceReader {

    static final int FREE = 0;
    static final int IO = 1;
    /** The reader holds the channel between its reads. */
    static final int READER = 2;
    /** The reader (or {@link #disable}) is inside a read of the channel. */
    static final int READING = 3;
    /** No more reads in place (a STARTTLS upgrade began). */
    static final int OFF = 4;

    /** How long the reader waits for the I/O thread to finish a read before it waits the usual way. */
    private static final long TAKE_SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final VarHandle OWNER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OWNER = l.findVarHandle(InPlaceReader.class, "owner", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TcpConnection c;
    private final TcpRx rx;
    @SuppressWarnings("unused") // through OWNER
    private volatile int owner;
    /**
     * The I/O thread's last read filled its whole buffer (written under {@link #IO}, cleared under
     * {@link #READER}); the reader takes the channel only then.
     */
    private volatile boolean backlog;
    /** Reads done in place and hand-backs (tests). */
    private volatile long inPlaceReads;
    private volatile long handBacks;

    InPlaceReader(TcpConnection c, TcpRx rx) {
        this.c = c;
        this.rx = rx;
    }

    // ---------------------------------------------------------------- the I/O thread

    /**
     * Before the I/O thread reads the channel: true if it may (it owns the channel until
     * {@link #ioEnd}, or in-place reading is {@link #OFF}); false if the reader holds it — the
     * session's read interest is then suspended here (MINA's own suspendRead, safe on the I/O
     * thread) and the I/O thread reads nothing.
     */
    boolean ioBegin(IoSession s) {
        for (;;) {
            int o = (int) OWNER.getVolatile(this);
            if (o == OFF) {
                return true;
            }
            if (o != FREE) {
                break;
            }
            if (OWNER.compareAndSet(this, FREE, IO)) {
                return true;
            }
        }
        // suspend, then look again: if the reader gave the channel back meanwhile, its resume may
        // have come before this suspension (it resumes only reads that are off), so resume here
        s.suspendRead();
        int o = (int) OWNER.getVolatile(this);
        if (o == FREE || o == OFF) {
            c.rxFlow.resumeUnlessHeld();
        }
        return false;
    }

    /** After a read {@link #ioBegin} allowed: {@code n} bytes into a buffer of {@code capacity} (queued already). */
    void ioEnd(int n, int capacity) {
        if ((int) OWNER.getVolatile(this) == IO) { // else OFF: nothing to give back
            backlog = n == capacity;
            OWNER.setVolatile(this, FREE);
        }
    }

    // ---------------------------------------------------------------- the reader

    /**
     * One read in place into {@code b} (the blocking reader's thread, with its queue found empty).
     *
     * @return the count read (&gt; 0), or 0 when nothing was read here: the caller waits for the
     *         I/O thread as usual (the reader does not hold the channel then, or bytes are queued)
     */
    int read(byte[] b, int off, int len) {
        if (!OWNER.compareAndSet(this, READER, READING) && !take()) {
            return 0;
        }
        // READING: nobody else touches the channel or the owner until this method leaves it
        int n = 0;
        boolean queued = false;
        IOException failed = null;
        try {
            if (!rx.isEmptyAndOpen()) {
                // queued before the reader took the channel (the usual path copies them first; the
                // reader keeps the channel), or the stream is finished (it gives the channel back)
                queued = !rx.isFinished();
            } else if (c.session instanceof NioSession s && s.getChannel() instanceof SocketChannel ch) {
                ChunkPool pool = c.engine.chunks();
                ByteBuffer buf = pool.take();
                try {
                    buf.limit(Math.min(len, buf.capacity()));
                    n = ch.read(buf);
                    if (n > 0) {
                        buf.flip();
                        buf.get(b, off, n);
                    }
                } catch (ClosedChannelException e) {
                    n = 0; // closed under the reader: the close ends or fails the stream
                } catch (IOException e) {
                    failed = e;
                } finally {
                    pool.give(buf);
                }
            }
        } finally {
            OWNER.setVolatile(this, READER);
        }
        if (queued) {
            return 0;
        }
        if (n > 0) {
            c.countIn(n);
            inPlaceReads++;
            return n;
        }
        if (failed != null) {
            c.onException(failed); // fails the stream (the caller's wait throws it)
        }
        // nothing read: the reader caught up with the network (0), the end (-1: the I/O thread reads
        // it again and reports it through MINA, as for every other connection), an error, a close
        // or a finished stream: the I/O thread reads from here on
        handBack();
        return 0;
    }

    /**
     * The reader found bytes queued (it copies them next, then returns): if the network is ahead and
     * the I/O thread is not reading, it takes the channel now (one attempt, no wait), so that the I/O
     * thread queues no more behind them and the reads after the queue's last byte are done in place.
     */
    void claim() {
        if (backlog) {
            OWNER.compareAndSet(this, FREE, READER);
        }
    }

    /** Takes the channel from a free owner when the network is ahead; spins briefly while the I/O thread reads. */
    private boolean take() {
        if (!backlog) {
            return false;
        }
        long deadline = System.nanoTime() + TAKE_SPIN_NANOS;
        for (int spins = 0;; spins++) {
            int o = (int) OWNER.getVolatile(this);
            if (o == FREE || o == READER) {
                if (OWNER.compareAndSet(this, o, READING)) {
                    return true;
                }
            } else if (o != IO) {
                return false; // OFF (or another reader's READING: one reader at a time)
            } else if (spins >= 64 && System.nanoTime() - deadline > 0) {
                return false; // the I/O thread is slow to finish its read: wait for it the usual way
            } else {
                pause(spins);
            }
        }
    }

    /**
     * Gives the channel back to the I/O thread (any thread; nothing if the reader does not hold it;
     * waits out a read in place in progress) and resumes its reads if it suspended them.
     */
    void handBack() {
        if (settle(FREE)) {
            backlog = false;
            handBacks++;
        }
    }

    /**
     * Ends reading in place for good (a STARTTLS upgrade begins: from here on every byte takes the
     * I/O thread's path, through the upgrade's guard). Bytes the kernel holds while the reader held
     * the channel are read once into the queue first (one buffer), so that the upgrade sees them as
     * unread plain text, as it would had the I/O thread read them. Not on the I/O thread, under no lock.
     */
    void disable() {
        for (int spins = 0;; spins++) {
            int o = (int) OWNER.getVolatile(this);
            if (o == OFF) {
                return;
            }
            if (o == FREE && OWNER.compareAndSet(this, FREE, OFF)) {
                resumeAfterReader();
                return;
            }
            if (o == READER && OWNER.compareAndSet(this, READER, READING)) {
                try {
                    drainOnce();
                } finally {
                    OWNER.setVolatile(this, OFF);
                }
                resumeAfterReader();
                return;
            }
            pause(spins); // IO or READING: one read in progress
        }
    }

    /** Moves the owner from READER to {@code to}, waiting out a read in progress; true if it did. */
    private boolean settle(int to) {
        for (int spins = 0;; spins++) {
            int o = (int) OWNER.getVolatile(this);
            if (o == READER) {
                if (OWNER.compareAndSet(this, READER, to)) {
                    resumeAfterReader();
                    return true;
                }
            } else if (o == READING) {
                pause(spins);
            } else {
                return false;
            }
        }
    }

    /** One read of what the kernel holds into the queue (the owner is READING, by {@link #disable}). */
    private void drainOnce() {
        if (!(c.session instanceof NioSession s) || !(s.getChannel() instanceof SocketChannel ch)) {
            return;
        }
        // at most up to the high-water mark, so that queueing them never suspends reads from this
        // thread (only the I/O thread may); if the queue holds bytes already, the upgrade refuses anyway
        long room = c.engine.config().highWaterMark() - rx.weight();
        if (room <= 0) {
            return;
        }
        ByteBuffer buf = c.engine.chunks().take();
        try {
            buf.limit((int) Math.min(buf.capacity(), room));
            int n = ch.read(buf);
            if (n > 0) {
                buf.flip();
                c.countIn(n);
                if (rx.pushBytes(buf) == ByteSource.TAKEN) {
                    buf = null; // queued: the stream gives it back to the pool
                }
            }
        } catch (IOException e) {
            // the I/O thread meets the same error on its next read
        } finally {
            if (buf != null) {
                c.engine.chunks().give(buf);
            }
        }
    }

    /** The reader let go: reads resume if they are off (the I/O thread suspended them, or a lost resume). */
    private void resumeAfterReader() {
        c.rxFlow.resumeUnlessHeld();
    }

    private static void pause(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /** Whether the reader holds the channel now. */
    boolean readerHolds() {
        int o = (int) OWNER.getVolatile(this);
        return o == READER || o == READING;
    }

    /** The owner now (tests). */
    int owner() {
        return (int) OWNER.getVolatile(this);
    }

    long inPlaceReads() {
        return inPlaceReads;
    }

    long handBacks() {
        return handBacks;
    }
}
