package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSession;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.TcpWritable;
import org.rawsockets.socket.TimedOutException;

/**
 * The send side of one generation of a {@link TcpConnection}. A plain-text write to a socket with
 * nothing else on its way out is written in place, on the caller's thread, straight to the
 * non-blocking channel (no queue, no selector wake-up, no I/O-thread hand-off: what a request and
 * its answer cost on loopback); whatever the channel does not take at once goes to MINA, and writes
 * made meanwhile wait behind it here, as during a {@link #pump()}. Otherwise writes go to MINA in order; with TLS
 * at most {@value TcpConnection#TLS_IN_MINA} requests at a time: MINA's TLS handler queues only a
 * bounded number of requests itself and fails the session beyond it, so the others wait here,
 * counted as queued (and against the owner's buffer quota), and follow as MINA completes earlier
 * ones. Before the open every write waits here. The connection's lock ({@link TcpState}) guards the state; no lock is
 * held while calling into MINA (its TLS filter takes its own lock, also held by the I/O thread
 * while it completes write stages).
 */
final class TcpTx implements TcpWritable {

    /**
     * A write not yet handed to MINA; {@code done} is null once the write was accepted; a
     * {@code pooled} buffer goes back to the engine's {@link ChunkPool} once MINA is done with it.
     */
    private record Held(ByteBuffer data, int size, CompletableFuture<Void> done, boolean pooled) {
    }

    /**
     * The largest heap buffer written in place: the JDK copies it into a direct buffer it keeps per
     * writing thread, so a caller's thread keeps at most this much (MINA's I/O threads as before).
     */
    static final int IN_PLACE_MAX = ChunkPool.SIZE;


    private static final java.lang.invoke.VarHandle POOLED_OUT;

    static {
        try {
            POOLED_OUT = java.lang.invoke.MethodHandles.lookup().findVarHandle(TcpTx.class, "pooledOut", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TcpConnection c;

    private final int maxInMina;
    /**
     * Plain text is written in place here ({@link #writeInPlace}); TLS writes go through MINA's TLS
     * filter, whose records {@link TlsWatch} writes in place (unless the engine hands every write to
     * its I/O threads: {@link MinaSocketEngine#writeInPlace()}).
     */
    private final boolean plain;
    // guarded by the connection
    /** Writes not yet in MINA: the shared empty deque until the first (an idle socket holds none). */
    private ArrayDeque<Held> held = NoDeque.empty();
    /** Writes waiting for the low-water mark; {@code null}: none (made at the first). */
    private List<CompletableFuture<Void>> waiters;
    private boolean open;
    private boolean pumping;
    /** The thread that set {@link #pumping}. */
    private Thread pumper;
    /** Requests handed to MINA and not completed yet. */
    int inMina;
    /** Pooled buffers of {@link #writeCopy} not given back yet. */
    private volatile int pooledOut;
    Throwable retired; // guarded by the connection

    TcpTx(TcpConnection c, boolean tls) {
        this.c = c;
        this.maxInMina = tls ? TcpConnection.TLS_IN_MINA : Integer.MAX_VALUE;
        this.plain = !tls;
    }

    boolean isOpen() {
        return open && retired == null;
    }

    List<CompletableFuture<Void>> takeWaiters() {
        List<CompletableFuture<Void>> w = waiters;
        waiters = null;
        return w == null ? List.of() : w;
    }

    /** Holds a write back (under the connection). */
    private void hold(Held h) {
        held = NoDeque.writable(held);
        held.add(h);
    }

    /** A write waits for the low-water mark (under the connection). */
    private void await(CompletableFuture<Void> f) {
        if (waiters == null) {
            waiters = new ArrayList<>(2);
        }
        waiters.add(f);
    }

    /**
     * Under the connection: whether held writes can go to MINA now and nobody is sending them
     * already; if so the caller must call {@link #pump()} (outside the lock).
     */
    boolean pumpDue() {
        if (!open || pumping || held.isEmpty() || inMina >= maxInMina || retired != null || c.st.error != null) {
            return false;
        }
        pumping = true;
        pumper = Thread.currentThread();
        return true;
    }

    /** Hands held writes to MINA, in order, while it takes them; then the FIN if it is due. */
    void pump() {
        boolean shutdown;
        while (true) {
            List<Held> batch = new ArrayList<>();
            synchronized (c.st) {
                pumper = Thread.currentThread(); // openForWrites() may pump on another thread than pumpDue()'s
                while (inMina < maxInMina && !held.isEmpty() && retired == null && c.st.error == null) {
                    batch.add(held.poll());
                    inMina++;
                }
                if (batch.isEmpty()) {
                    pumping = false;
                    pumper = null;
                    c.st.notifyAll(); // see writingInPlace()
                    shutdown = c.closer.shutdownDue();
                    break;
                }
            }
            List<CompletableFuture<Void>> accepted = new ArrayList<>();
            for (Held h : batch) {
                submit(h.data(), h.size(), h.pooled());
                if (h.done() != null) { // written before the open: accepted now, under the high-water mark
                    synchronized (c.st) {
                        if (c.queued <= c.engine.config().highWaterMark()) {
                            accepted.add(h.done());
                        } else {
                            await(h.done());
                        }
                    }
                }
            }
            accepted.forEach(f -> f.complete(null));
        }
        if (shutdown) {
            c.closer.shutdownOutput();
        }
    }

    /**
     * The facade is open: sends what was written before (off the calling thread: this is an I/O
     * or TLS event), in order, then lets writes go straight to the session.
     */
    void openForWrites() {
        boolean pump;
        boolean shutdown;
        synchronized (c.st) {
            open = true;
            pump = pumpDue();
            shutdown = !pump && c.closer.shutdownDue();
        }
        if (pump) {
            try {
                c.engine.blocking(c.owner).execute(this::pump);
            } catch (RejectedExecutionException e) {
                pump();
            }
        } else if (shutdown) {
            c.closer.shutdownOutput();
        }
    }

    private void submit(ByteBuffer data, int n, boolean pooled) {
        IoSession s = c.session;
        // TLS: the records of this write may go to the channel on this thread (TlsWatch)
        TlsWatch w = plain || !c.engine.writeInPlace() ? null : c.tlsLayer.watch();
        boolean inPlace = w != null && w.beginInPlace();
        WriteFuture wf;
        try {
            wf = s.write(IoBuffer.wrap(data));
        } finally {
            if (inPlace) {
                w.endInPlace(s);
            }
        }
        if (pooled) {
            wf.addListener(f -> {
                c.onWritten(this, n, ((WriteFuture) f).isWritten());
                giveBack(data); // MINA is done with it: written, or dropped with the session
            });
        } else {
            wf.addListener(f -> c.onWritten(this, n, ((WriteFuture) f).isWritten()));
        }
    }

    /**
     * Writes what the channel takes now on this thread; the rest goes to MINA. A channel error fails
     * the socket with that error (a reset is reported by the kernel only once: if this write gets
     * it, MINA would only see "Broken pipe"); a channel closed meanwhile leaves the write to MINA,
     * which fails it as before. A
     * non-blocking channel is not closed by an interrupt of the writing thread (JDK 11+), so any
     * thread may write here. Holds no lock while writing.
     */
    private void writeInPlace(ByteBuffer data, int n, boolean pooled) {
        boolean all = false;
        IOException failed = null;
        if (c.session instanceof NioSession ns && ns.getChannel() instanceof SocketChannel ch) {
            try {
                while (ch.write(data) > 0 && data.hasRemaining()) {
                    // the channel took some: offer the rest once more before MINA waits for room
                }
                all = !data.hasRemaining();
            } catch (java.nio.channels.ClosedChannelException e) {
                // closed meanwhile (close, abort): MINA's write of the rest fails as it did before
            } catch (IOException e) {
                failed = e; // e.g. a reset: the kernel reports ECONNRESET once, to this write, not to MINA's
            }
        }
        if (all || failed != null) {
            if (pooled) {
                giveBack(data);
            }
            if (failed != null) {
                c.onException(failed); // fails and closes the socket as MINA's exceptionCaught does
            }
            c.onWritten(this, n, all);
        } else {
            submit(data, n, pooled);
        }
        boolean pump;
        boolean shutdown;
        synchronized (c.st) {
            pumping = false;
            pumper = null;
            pump = pumpDue();
            shutdown = !pump && c.closer.shutdownDue();
            c.st.notifyAll(); // see writingInPlace()
        }
        if (pump) {
            pump();
        } else if (shutdown) {
            c.closer.shutdownOutput();
        }
    }

    /**
     * Under the connection: whether another thread is handing writes of this stream to the channel
     * or to MINA right now (in place or a pump's batch, outside the lock). A startTls() waits until
     * none is: its TLS filter must see none of them, and its handshake must follow them. The thread
     * doing it is never waited for by itself (a write's completion may call startTls()).
     */
    boolean writingInPlace() {
        return pumping && pumper != Thread.currentThread();
    }

    private void giveBack(ByteBuffer pooled) {
        POOLED_OUT.getAndAdd(this, -1);
        c.engine.chunks().give(pooled);
    }

    /**
     * Writes a copy of {@code len} bytes of {@code b} (the blocking views: the caller reuses its
     * array at once): into a pooled buffer when the write is at least {@link ChunkPool#MIN_WRITE}
     * and at most {@link ChunkPool#SIZE} bytes and this stream and the engine have fewer than their
     * limit of pooled buffers in flight, else into a new array.
     */
    CompletionStage<Void> writeCopy(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        ByteBuffer pooled = null;
        if (len >= ChunkPool.MIN_WRITE && len <= ChunkPool.SIZE) {
            if ((int) POOLED_OUT.getAndAdd(this, 1) + 1 <= ChunkPool.MAX_WRITE_CHUNKS) {
                pooled = c.engine.chunks().tryTake();
            }
            if (pooled == null) {
                POOLED_OUT.getAndAdd(this, -1);
            }
        }
        if (pooled == null) {
            return write(ByteBuffer.wrap(java.util.Arrays.copyOfRange(b, off, off + len)), false);
        }
        pooled.put(b, off, len).flip();
        return write(pooled, true);
    }

    void failAll(Throwable err) {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        long released = 0;
        synchronized (c.st) {
            for (Held h : held) {
                if (h.done() != null) {
                    fs.add(h.done());
                }
                if (h.pooled()) {
                    giveBack(h.data());
                }
                released += h.size();
            }
            held.clear();
            c.queued -= released;
            fs.addAll(takeWaiters());
            c.st.notifyAll();
        }
        c.owner.buffered.addAndGet(-released);
        for (CompletableFuture<Void> f : fs) {
            f.completeExceptionally(err);
        }
    }

    @Override
    public CompletionStage<Void> write(ByteBuffer data) {
        return write(data, false);
    }

    private CompletionStage<Void> write(ByteBuffer data, boolean pooled) {
        Objects.requireNonNull(data, "data");
        int n = data.remaining();
        CompletableFuture<Void> f = new CompletableFuture<>();
        boolean direct;
        boolean inPlace = false;
        boolean pump = false;
        synchronized (c.st) {
            Throwable refused = writeRefusal();
            if (refused != null) {
                if (pooled) {
                    giveBack(data);
                }
                return CompletableFuture.failedFuture(refused);
            }
            if (n == 0) {
                return CompletableFuture.completedFuture(null);
            }
            if (!c.owner.reserveBuffer(n)) {
                if (pooled) {
                    giveBack(data);
                }
                return CompletableFuture.failedFuture(new NotAllowedException("bundle " + c.owner.owner()
                        + " exceeds its quota maxBufferedBytes (" + c.owner.quotas().maxBufferedBytes()
                        + " bytes buffered for its sockets) writing " + n + " bytes to " + c.where()
                        + "; wait for earlier writes to complete or ask the operator to raise the quota"));
            }
            c.queued += n;
            if (!open) {
                hold(new Held(data, n, f, pooled));
                return f;
            }
            direct = !pumping && held.isEmpty() && inMina < maxInMina;
            if (direct) {
                // nothing of this stream is in MINA: the channel is ours to write on this thread
                // (pumping holds later writes back until this one is in the channel or in MINA)
                inPlace = plain && inMina == 0 && c.engine.writeInPlace() && (n <= IN_PLACE_MAX || data.isDirect());
                pumping = inPlace;
                pumper = inPlace ? Thread.currentThread() : null;
                inMina++;
            } else {
                // behind earlier writes: held here, accepted by the usual rule below
                hold(new Held(data, n, null, pooled));
                pump = pumpDue();
            }
        }
        if (direct && inPlace) {
            writeInPlace(data, n, pooled);
        } else if (direct) {
            submit(data, n, pooled); // no lock held: see the class comment
        } else if (pump) {
            pump();
        }
        Throwable err;
        synchronized (c.st) {
            err = c.st.error;
            if (err == null && c.queued > c.engine.config().highWaterMark()) {
                await(f);
                return f;
            }
        }
        if (err != null) {
            f.completeExceptionally(err);
        } else {
            f.complete(null);
        }
        return f;
    }

    /** Why a write is refused now, or null (under the connection). */
    private Throwable writeRefusal() {
        return retired != null ? retired : c.st.writeRefusal(c.isFinished());
    }

    @Override
    public CompletionStage<Void> close() {
        synchronized (c.st) {
            if (retired != null) {
                return CompletableFuture.failedFuture(retired);
            }
        }
        return c.closer.writeClose().minimalCompletionStage();
    }

    @Override
    public CompletionStage<Void> abort(Throwable reason) {
        synchronized (c.st) {
            if (retired != null) {
                return CompletableFuture.failedFuture(retired);
            }
        }
        return c.closer.abort(reason).minimalCompletionStage();
    }

    @Override
    public long queuedBytes() {
        synchronized (c.st) {
            return c.queued;
        }
    }

    @Override
    public OutputStream outputStream(Duration writeTimeout) {
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        if (writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("writeTimeout must be > 0, was " + writeTimeout);
        }
        long ms = Math.max(1, writeTimeout.toMillis());
        return new OutputStream() {
            private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

            @Override
            public void write(int b) throws IOException {
                write(new byte[] { (byte) b }, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                IoThreads.checkNotIoThread("OutputStream.write");
                if (len == 0) {
                    last = TcpTx.this.write(ByteBuffer.allocate(0)).toCompletableFuture();
                    await(last, "OutputStream.write", 0);
                    return;
                }
                for (int at = off, end = off + len; at < end; at += ChunkPool.SIZE) {
                    last = writeCopy(b, at, Math.min(ChunkPool.SIZE, end - at)).toCompletableFuture();
                    await(last, "OutputStream.write", len); // the message is built only on failure
                }
            }

            @Override
            public void flush() throws IOException {
                IoThreads.checkNotIoThread("OutputStream.flush");
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
                // everything written is handed to the OS once the queue is empty; onWritten and
                // failAll notify this monitor; the bounded wait also re-checks a close that did not
                synchronized (c.st) {
                    while (c.queued != 0 && c.st.error == null && !c.isFinished()) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new TimedOutException("OutputStream.flush to " + c.where() + " did not drain within "
                                    + ms + " ms (writeTimeout); the peer is not reading");
                        }
                        try {
                            c.st.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("OutputStream.flush interrupted");
                        }
                    }
                    if (c.st.error != null) {
                        throw c.st.error instanceof IOException io ? io : new IOException(c.st.error);
                    }
                }
            }

            @Override
            public void close() throws IOException {
                IoThreads.checkNotIoThread("OutputStream.close");
                await(TcpTx.this.close().toCompletableFuture(), "OutputStream.close (FIN)", -1);
            }

            /** Waits for {@code f}; {@code len} >= 0 names the bytes of a write in the messages. */
            private void await(CompletableFuture<Void> f, String op, long len) throws IOException {
                try {
                    f.get(ms, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    throw new TimedOutException(what(op, len) + " to " + c.where() + " was not accepted within " + ms
                            + " ms (writeTimeout); the peer is not reading");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException(what(op, len) + " interrupted");
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    throw c instanceof IOException io ? io : new IOException(c);
                }
            }

            private static String what(String op, long len) {
                return len < 0 ? op : op + " of " + len + " bytes";
            }
        };
    }
}
