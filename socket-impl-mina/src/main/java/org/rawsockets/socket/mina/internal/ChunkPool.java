package org.rawsockets.socket.mina.internal;

import java.nio.ByteBuffer;

/**
 * Reusable direct buffers of {@link #SIZE} bytes for the byte paths that copy (received bytes on
 * their way to a {@code readInto} or blocking reader, bytes written through the blocking
 * {@code OutputStream} views on their way to the network): in steady state a transfer allocates no
 * buffer per chunk. Direct, so the channel reads and writes them without the JDK's own
 * intermediate copy.
 *
 * <p>Bounded: at most {@code maxPooled} free buffers are kept; one given back beyond that is left to
 * the garbage collector. A buffer taken while none is free is allocated. How many are out at a time
 * is bounded by their users (a connection's receive queue by its high-water mark) and, for writes,
 * by {@link #tryTake} ({@code maxOut} in all, {@link #MAX_WRITE_CHUNKS} per stream). Any thread may take and give; the lock is held only for a
 * push or pop.
 */
final class ChunkPool {

    /** Bytes per buffer: MINA's largest adaptive read, Netty's largest default read. */
    static final int SIZE = 64 * 1024;
    /** Most pooled buffers one blocking write stream has in flight; more are plain copies. */
    static final int MAX_WRITE_CHUNKS = 8;
    /** Smallest write copied into a pooled buffer (at least 1/16 of it used); smaller ones are plain copies. */
    static final int MIN_WRITE = 4 * 1024;

    private final ByteBuffer[] free;
    private final int maxOut;
    private int count;
    private int out;
    private long allocated;

    /**
     * @param maxPooled free buffers kept at most
     * @param maxOut buffers out at a time above which {@link #tryTake} gives none
     */
    ChunkPool(int maxPooled, int maxOut) {
        if (maxPooled < 0 || maxOut < 0) {
            throw new IllegalArgumentException("maxPooled and maxOut must be >= 0, were " + maxPooled + ", " + maxOut);
        }
        free = new ByteBuffer[maxPooled];
        this.maxOut = maxOut;
    }

    /** A buffer as {@link #take}, or null when {@code maxOut} are out already (the caller copies instead). */
    ByteBuffer tryTake() {
        synchronized (this) {
            if (out >= maxOut) {
                return null;
            }
        }
        return take();
    }

    /** A cleared buffer of {@link #SIZE} bytes, owned by the caller until {@link #give}n back. */
    ByteBuffer take() {
        synchronized (this) {
            out++;
            if (count > 0) {
                ByteBuffer b = free[--count];
                free[count] = null;
                return b;
            }
            allocated++;
        }
        return ByteBuffer.allocateDirect(SIZE);
    }

    /** Takes back a buffer from {@link #take} that nothing refers to any more. */
    void give(ByteBuffer b) {
        if (!isPooled(b)) {
            throw new IllegalArgumentException("not a buffer of this pool: " + b);
        }
        b.clear();
        synchronized (this) {
            out--;
            if (count < free.length) {
                free[count++] = b;
            }
        }
    }

    /** Whether {@code b} is a buffer of the kind this pool hands out (direct, {@link #SIZE} bytes). */
    static boolean isPooled(ByteBuffer b) {
        return b.isDirect() && b.capacity() == SIZE && !b.isReadOnly();
    }

    /** Free buffers held now. */
    synchronized int free() {
        return count;
    }

    /** Buffers taken and not given back. */
    synchronized int out() {
        return out;
    }

    /** Buffers allocated so far (because none was free). */
    synchronized long allocated() {
        return allocated;
    }
}
