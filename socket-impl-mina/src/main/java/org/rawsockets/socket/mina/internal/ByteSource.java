package org.rawsockets.socket.mina.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Source} of received TCP bytes, with the styles that copy out of the queue under its
 * lock instead of handing chunks over: bring-your-own-buffer reads ({@code readInto}) and the
 * blocking views' reads. Since no chunk leaves the queue in these styles, the I/O thread may queue
 * its pooled buffers ({@link #pushBytes}); a chunk copied out whole is {@link #recycle}d.
 */
abstract class ByteSource extends Source<ByteBuffer> {

    /** {@link #pushBytes} results. */
    static final int REFUSED = -1;
    static final int KEPT = 0;
    static final int TAKEN = 1;

    /**
     * Received bytes in a pooled buffer of the I/O thread (TCP, read by {@code readInto} or a blocking
     * view: T is ByteBuffer). A pending {@code readInto} gets what fits at once; the rest is appended
     * to the last queued pooled buffer if it has room, or else {@code src} itself is queued.
     *
     * @return {@link #TAKEN} if {@code src} is queued now (the caller needs another buffer),
     *         {@link #KEPT} if it was copied out (the caller reuses it), {@link #REFUSED} if the
     *         stream no longer takes bytes (discarded; the caller reuses it)
     */
    final int pushBytes(ByteBuffer src) {
        CompletableFuture<Integer> bf = null;
        int bn = 0;
        long w;
        int queued = 0;
        int result = KEPT;
        synchronized (this) {
            if (ended || cancelled || retired || error != null) {
                return REFUSED;
            }
            if (byobRead != null && queue.isEmpty()) {
                byobCount += ByteChunks.copy(src, byobDst);
                if (byobCount >= byobMin || !byobDst.hasRemaining()) {
                    bf = byobRead;
                    bn = byobCount;
                    clearByob();
                }
            }
            queued = src.remaining();
            if (queued > 0) {
                if (!ByteChunks.append(queue.peekLast(), src)) {
                    enqueueLocked(src);
                    result = TAKEN;
                }
                weight += queued;
                notifyAll();
            }
            w = weight;
        }
        if (queued > 0) {
            afterPush(w, queued);
        }
        if (bf != null) {
            bf.complete(bn);
        }
        return result;
    }

    /**
     * Bring-your-own-buffer read. Copies what is queued into {@code dst} at
     * once; if that is fewer than {@code minBytes} the rest is copied by {@link #push} as it arrives.
     * {@code dst} is written only while {@link #byobDst} refers to it, under the lock; it is cleared
     * before the stage settles.
     */
    final CompletionStage<Integer> readBytesInto(ByteBuffer dst, int minBytes, long timeoutNanos) {
        java.util.Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only; readInto needs a writable buffer");
        }
        if (minBytes < 1 || minBytes > dst.remaining()) {
            throw new IllegalArgumentException("minBytes must be within 1.." + dst.remaining()
                    + " (dst.remaining()), was " + minBytes);
        }
        lock(Style.BYOB);
        int copied;
        long w;
        CompletableFuture<Integer> result;
        synchronized (this) {
            if (byobRead != null) {
                throw new IllegalStateException("a readInto() of " + describe()
                        + " is still pending; wait for its stage before reading again");
            }
            if (error != null) {
                return CompletableFuture.failedFuture(error);
            }
            copied = copyQueued(dst);
            w = weight;
            if (copied >= minBytes || (ended || cancelled) && copied > 0) {
                result = CompletableFuture.completedFuture(copied);
            } else if (ended || cancelled) {
                result = CompletableFuture.completedFuture(-1);
            } else {
                byobDst = dst;
                byobMin = minBytes;
                byobCount = copied;
                CompletableFuture<Integer> f = new CompletableFuture<>();
                byobRead = f;
                result = f;
                if (timeoutNanos > 0) {
                    readTimer = timer().schedule(() -> byobTimedOut(f, timeoutNanos), timeoutNanos,
                            TimeUnit.NANOSECONDS);
                }
            }
            if (ended && queue.isEmpty()) {
                released.complete(null);
            }
        }
        if (copied > 0) {
            afterTake(w, copied);
        }
        return result;
    }

    /** The time limit of a pending readInto passed: a short count if it has bytes, else TimedOutException. */
    private void byobTimedOut(CompletableFuture<Integer> f, long timeoutNanos) {
        int count;
        synchronized (this) {
            if (byobRead != f) {
                return; // settled meanwhile
            }
            count = byobCount;
            clearByob();
        }
        if (count > 0) {
            f.complete(count);
        } else {
            f.completeExceptionally(timedOut("readInto", timeoutNanos));
        }
    }

    /**
     * Blocking read for the blocking views (T is ByteBuffer): waits for bytes, then copies what is
     * queued (at most {@code len}) into {@code b} under the lock; the chunks stay here, so nothing
     * is held outside the queue.
     *
     * @return the count, or -1 at the end of the stream
     * @throws TimedOutException after {@code timeoutNanos} without a byte
     */
    final int takeInto(byte[] b, int off, int len, long timeoutNanos, String what) throws java.io.IOException {
        IoThreads.checkNotIoThread(what);
        lock(Style.BLOCKING);
        if (isEmptyAndOpen()) {
            int d = readInPlace(b, off, len);
            if (d > 0) {
                return d;
            }
        } else {
            claimInPlace();
        }
        int n;
        long w;
        synchronized (this) {
            awaitElement(timeoutNanos, what);
            if (queue.isEmpty()) {
                return -1;
            }
            n = 0;
            while (n < len && !queue.isEmpty()) {
                ByteBuffer head = queue.peek();
                int k = Math.min(len - n, head.remaining());
                head.get(b, off + n, k);
                n += k;
                if (!head.hasRemaining()) {
                    recycle(queue.poll());
                }
            }
            weight -= n;
            w = weight;
        }
        afterTake(w, n);
        return n;
    }

    /**
     * A blocking read done on the caller's thread straight from the network, for a stream whose
     * queue is empty ({@link InPlaceReader}): the count (&gt; 0), or 0 to wait for the I/O thread as usual.
     */
    protected int readInPlace(byte[] b, int off, int len) {
        return 0;
    }

    /**
     * Bytes are queued: a stream that reads in place may claim the network for the reads after
     * them ({@link InPlaceReader#claim}), so that the I/O thread queues no more.
     */
    protected void claimInPlace() {
    }

    /** Nothing is queued and the stream is neither ended, cancelled nor failed. */
    final synchronized boolean isEmptyAndOpen() {
        return queue.isEmpty() && !ended && !cancelled && error == null;
    }

    /**
     * True once the stream is read by copying (readInto or a blocking view): received chunks need no
     * read-only wrapper, and the I/O thread's pooled buffers may be queued ({@link #pushBytes}).
     */
    final boolean isCopying() {
        Style s = style;
        return s == Style.BYOB || s == Style.BLOCKING;
    }

}
