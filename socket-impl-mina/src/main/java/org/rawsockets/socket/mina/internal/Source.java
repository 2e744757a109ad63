package org.rawsockets.socket.mina.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.ReadableStream;
import org.rawsockets.socket.TimedOutException;

/**
 * The receiving side shared by TCP byte streams, UDP datagrams and accepted connections: a queue
 * filled by an I/O thread, bounded by its owner (who suspends network reads, drops datagrams, or
 * pauses accepting, as told by {@link #weight()}), drained by one consumer in one style (pull,
 * {@link Flow.Publisher}, or blocking).
 *
 * <p>Futures and subscriber signals are never completed while the lock is held.
 *
 * @param <T> element type
 */
abstract class Source<T> implements ReadableStream<T> {

    enum Style {
        NONE, PULL, PUBLISHER, BLOCKING, BYOB
    }

    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private long weight;
    private boolean ended;
    private boolean cancelled;
    private boolean retired;
    private Throwable error;
    private volatile Style style = Style.NONE;
    private CompletableFuture<ReadResult<T>> pendingRead;
    /** The pending readInto (BYOB style, T is ByteBuffer): its buffer, minimum, count so far, stage. */
    private ByteBuffer byobDst;
    private int byobMin;
    private int byobCount;
    private CompletableFuture<Integer> byobRead;
    /** The time limit of the pending read (either style), if it has one. */
    private ScheduledFuture<?> readTimer;
    private final CompletableFuture<Void> released = new CompletableFuture<>();

    /** The Flow.Publisher style: subscriber, demand, drain loop (guarded by this object's lock). */
    private final SourcePublisher<T> publisher = new SourcePublisher<>(this);

    /** The weight of one element (bytes for TCP, 1 for datagrams and connections). */
    protected abstract long weigh(T element);

    /** Called (outside the lock) after elements left the queue; {@code newWeight} is what remains. */
    protected void afterTake(long newWeight, long delta) {
    }

    /** Called (outside the lock) after an element was queued; {@code newWeight} is the total now. */
    protected void afterPush(long newWeight, long delta) {
    }

    /** Called (outside the lock) for every element handed to the consumer. */
    protected void delivered(T element) {
    }

    /** Called once (outside the lock) when the consumer cancels. */
    protected void onCancel() {
    }

    /** What the stream is, for messages. */
    protected abstract String describe();

    /** Element weight buffered now. */
    final synchronized long weight() {
        return weight;
    }

    /** Elements buffered now. */
    final synchronized int size() {
        return queue.size();
    }

    final synchronized boolean isFinished() {
        return ended || cancelled || error != null;
    }

    final synchronized boolean isCancelled() {
        return cancelled;
    }

    /**
     * Adds an element (I/O thread). Returns {@code false} when the stream no longer takes elements
     * (ended, cancelled or failed) and the element was discarded.
     */
    final boolean push(T element) {
        CompletableFuture<ReadResult<T>> f = null;
        boolean drain;
        long w = 0;
        long d = 0;
        CompletableFuture<Integer> bf = null;
        int bn = 0;
        int copied = 0;
        long wAfter = 0;
        synchronized (this) {
            if (ended || cancelled || retired || error != null) {
                return false;
            }
            if (style == Style.BYOB) {
                d = weigh(element);
                queue.add(element);
                weight += d;
                w = weight;
                if (byobRead != null) {
                    copied = copyQueued(byobDst);
                    byobCount += copied;
                    if (byobCount >= byobMin) {
                        bf = byobRead;
                        bn = byobCount;
                        clearByob();
                    }
                }
                wAfter = weight;
            } else if (pendingRead != null) {
                f = pendingRead;
                pendingRead = null;
                stopTimer();
            } else {
                d = weigh(element);
                queue.add(element);
                weight += d;
                w = weight;
                notifyAll();
            }
            drain = style == Style.PUBLISHER;
        }
        if (f != null) {
            delivered(element);
            f.complete(ReadResult.of(element));
        } else {
            afterPush(w, d);
        }
        if (copied > 0) {
            afterTake(wAfter, copied);
        }
        if (bf != null) {
            bf.complete(bn);
        }
        if (drain) {
            drain();
        }
        return true;
    }

    /**
     * Refuses every later element if nothing is buffered now, and returns true; returns false and
     * changes nothing when elements are buffered. For a stream that is being replaced (STARTTLS): the
     * caller then ends it with {@link #fail}; an element the I/O thread still pushes is refused
     * ({@link #push} returns false, {@link #isRetired()} tells why).
     */
    final synchronized boolean retireIfEmpty() {
        if (!queue.isEmpty()) {
            return false;
        }
        retired = true;
        return true;
    }

    final synchronized boolean isRetired() {
        return retired;
    }

    /** No more elements will come; what is buffered can still be read. */
    final void end() {
        CompletableFuture<ReadResult<T>> f = null;
        CompletableFuture<Integer> bf;
        int bn;
        synchronized (this) {
            if (ended || error != null) {
                return;
            }
            ended = true;
            if (pendingRead != null) {
                f = pendingRead;
                pendingRead = null;
                stopTimer();
            }
            bf = byobRead;
            bn = byobCount > 0 ? byobCount : -1;
            clearByob();
            notifyAll();
        }
        if (f != null) {
            f.complete(ReadResult.end());
        }
        if (bf != null) {
            bf.complete(bn);
        }
        drain();
        maybeReleased();
    }

    /** The stream failed: buffered elements are dropped and every read fails with {@code cause}. */
    final void fail(Throwable cause) {
        CompletableFuture<ReadResult<T>> f = null;
        CompletableFuture<Integer> bf;
        long dropped;
        synchronized (this) {
            if (error != null || ended && queue.isEmpty() || cancelled) {
                return;
            }
            error = cause;
            dropped = weight;
            queue.clear();
            weight = 0;
            if (pendingRead != null) {
                f = pendingRead;
                pendingRead = null;
                stopTimer();
            }
            bf = byobRead;
            clearByob();
            notifyAll();
        }
        if (dropped > 0) {
            afterTake(0, dropped);
        }
        if (f != null) {
            f.completeExceptionally(cause);
        }
        if (bf != null) {
            bf.completeExceptionally(cause);
        }
        drain();
        released.complete(null);
    }

    /** Drops the buffered elements (returned, for disposal) and ends the stream for the consumer. */
    final List<T> cancelInternal() {
        CompletableFuture<ReadResult<T>> f = null;
        CompletableFuture<Integer> bf;
        int bn;
        List<T> dropped;
        long w;
        boolean first;
        synchronized (this) {
            first = !cancelled;
            cancelled = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
            w = weight;
            weight = 0;
            if (pendingRead != null) {
                f = pendingRead;
                pendingRead = null;
                stopTimer();
            }
            bf = byobRead;
            bn = byobCount > 0 ? byobCount : -1;
            clearByob();
            notifyAll();
        }
        if (w > 0) {
            afterTake(0, w);
        }
        if (f != null) {
            f.complete(ReadResult.end());
        }
        if (bf != null) {
            bf.complete(bn);
        }
        drain();
        if (first) {
            onCancel();
        }
        released.complete(null);
        return dropped;
    }

    private void maybeReleased() {
        synchronized (this) {
            if (!(cancelled || error != null || ended && queue.isEmpty())) {
                return;
            }
        }
        released.complete(null);
    }

    private synchronized void lock(Style wanted) {
        if (style == Style.NONE) {
            style = wanted;
        } else if (style != wanted) {
            throw new IllegalStateException(describe() + " is already consumed " + styleName(style)
                    + "; a stream is read in one style only (read(), publisher(), inputStream() or readInto())");
        }
    }

    private static String styleName(Style s) {
        return switch (s) {
            case PULL -> "by read()";
            case PUBLISHER -> "through publisher()";
            case BLOCKING -> "through inputStream()";
            case BYOB -> "by readInto()";
            default -> "";
        };
    }

    @Override
    public CompletionStage<ReadResult<T>> read() {
        lock(Style.PULL);
        T element;
        long w;
        synchronized (this) {
            if (pendingRead != null) {
                throw new IllegalStateException("a read() of " + describe()
                        + " is still pending; wait for its stage before reading again");
            }
            if (!queue.isEmpty() && error == null) {
                element = queue.poll();
                long d = weigh(element);
                weight -= d;
                w = weight;
                if (ended && queue.isEmpty()) {
                    released.complete(null);
                }
            } else if (error != null) {
                return CompletableFuture.failedFuture(error);
            } else if (ended || cancelled) {
                return CompletableFuture.completedFuture(ReadResult.end());
            } else {
                pendingRead = new CompletableFuture<>();
                return pendingRead;
            }
        }
        afterTake(w, weigh(element));
        delivered(element);
        return CompletableFuture.completedFuture(ReadResult.of(element));
    }

    /** True once the stream is read with readInto: received chunks need no read-only wrapper. */
    final boolean isByob() {
        return style == Style.BYOB;
    }

    /**
     * Bring-your-own-buffer read (TCP: T is ByteBuffer). Copies what is queued into {@code dst} at
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

    private TimedOutException timedOut(String what, long timeoutNanos) {
        return new TimedOutException(what + " on " + describe() + " received nothing within "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms; the stream stays usable");
    }

    /** The timer for read time limits (the subclasses that offer them override it). */
    protected ScheduledExecutorService timer() {
        throw new UnsupportedOperationException("no read time limits on " + describe());
    }

    /** Cancels the pending read's time limit (under the lock). */
    private void stopTimer() {
        if (readTimer != null) {
            readTimer.cancel(false);
            readTimer = null;
        }
    }

    /**
     * {@link #read()} with a time limit: when no element arrived within {@code timeoutNanos} the
     * stage fails with {@link TimedOutException}; the stream stays usable (an element arriving later
     * is queued for the next read).
     */
    final CompletionStage<ReadResult<T>> read(long timeoutNanos) {
        CompletionStage<ReadResult<T>> r = read();
        synchronized (this) {
            if (pendingRead != null && pendingRead == r) {
                CompletableFuture<ReadResult<T>> f = pendingRead;
                readTimer = timer().schedule(() -> readTimedOut(f, timeoutNanos), timeoutNanos, TimeUnit.NANOSECONDS);
            }
        }
        return r;
    }

    private void readTimedOut(CompletableFuture<ReadResult<T>> f, long timeoutNanos) {
        synchronized (this) {
            if (pendingRead != f) {
                return; // settled meanwhile
            }
            pendingRead = null;
            readTimer = null;
        }
        f.completeExceptionally(timedOut("read", timeoutNanos));
    }

    /** Copies queued bytes into {@code dst} (under the lock); returns the count. */
    private int copyQueued(ByteBuffer dst) {
        int copied = 0;
        while (dst.hasRemaining() && !queue.isEmpty()) {
            ByteBuffer head = (ByteBuffer) queue.peek();
            int k = Math.min(head.remaining(), dst.remaining());
            if (k == head.remaining()) {
                dst.put(head);
                queue.poll();
            } else {
                int limit = head.limit();
                head.limit(head.position() + k);
                dst.put(head);
                head.limit(limit);
            }
            copied += k;
        }
        weight -= copied;
        return copied;
    }

    /** Forgets the pending readInto (under the lock): its buffer is never written after. */
    private void clearByob() {
        stopTimer();
        byobDst = null;
        byobRead = null;
        byobCount = 0;
        byobMin = 0;
    }

    /**
     * Blocking take for the blocking views; {@code null} at the end of the stream.
     *
     * @throws TimedOutException after {@code timeoutNanos} without an element
     */
    final T take(long timeoutNanos, String what) throws java.io.IOException {
        IoThreads.checkNotIoThread(what);
        lock(Style.BLOCKING);
        T element;
        long w;
        synchronized (this) {
            long deadline = System.nanoTime() + timeoutNanos;
            while (queue.isEmpty() && !ended && !cancelled && error == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimedOutException(what + " on " + describe() + " received nothing within "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException(what + " on " + describe() + " was interrupted");
                }
            }
            if (error != null) {
                throw error instanceof java.io.IOException io ? io : new java.io.IOException(error);
            }
            if (queue.isEmpty()) {
                return null;
            }
            element = queue.poll();
            weight -= weigh(element);
            w = weight;
        }
        afterTake(w, weigh(element));
        delivered(element);
        return element;
    }

    /** Locks the stream to the blocking style (for views created before their first read). */
    final void lockBlocking() {
        lock(Style.BLOCKING);
    }

    @Override
    public Flow.Publisher<T> publisher() {
        lock(Style.PUBLISHER);
        return publisher.publisher();
    }

    private void drain() {
        publisher.drain();
    }

    // Under the lock, for SourcePublisher's drain loop.

    final Throwable errorLocked() {
        return error;
    }

    final boolean isEmptyLocked() {
        return queue.isEmpty();
    }

    final boolean isEndedOrCancelledLocked() {
        return ended || cancelled;
    }

    final long weightLocked() {
        return weight;
    }

    /** Takes the head element and its weight off the queue. */
    final T pollLocked() {
        T element = queue.poll();
        weight -= weigh(element);
        return element;
    }

    /** The stream let go of everything it held (outside the lock). */
    final void markReleased() {
        released.complete(null);
    }

    @Override
    public CompletionStage<Void> cancel() {
        cancelInternal();
        return released;
    }
}
