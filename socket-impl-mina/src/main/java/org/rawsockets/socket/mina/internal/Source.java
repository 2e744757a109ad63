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

    /**
     * The shared empty deque until the first element (an idle socket holds none), then a small one of
     * its own that grows as a busy stream needs. Added to by {@link #enqueueLocked} only.
     */
    ArrayDeque<T> queue = NoDeque.empty();
    long weight;
    boolean ended;
    boolean cancelled;
    boolean retired;
    Throwable error;
    volatile Style style = Style.NONE;
    private CompletableFuture<ReadResult<T>> pendingRead;
    /** The pending readInto ({@link ByteSource}): its buffer, minimum, count so far, stage. */
    ByteBuffer byobDst;
    int byobMin;
    int byobCount;
    CompletableFuture<Integer> byobRead;
    /** The time limit of the pending read (either style), if it has one. */
    ScheduledFuture<?> readTimer;
    final CompletableFuture<Void> released = new CompletableFuture<>();

    /**
     * The Flow.Publisher style: subscriber, demand, drain loop (guarded by this object's lock);
     * made when that style is chosen.
     */
    private volatile SourcePublisher<T> publisher;

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

    /**
     * Called (under the lock) for an element nothing refers to any more: copied out whole by
     * {@code readInto} or a blocking read, or dropped by a failure or cancel.
     */
    protected void recycle(T element) {
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
                enqueueLocked(element);
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
                enqueueLocked(element);
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
            queue.forEach(this::recycle);
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
            queue.forEach(this::recycle);
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

    synchronized void lock(Style wanted) {
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

    TimedOutException timedOut(String what, long timeoutNanos) {
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

    /** Copies queued bytes into {@code dst} (under the lock; T is ByteBuffer); returns the count. */
    int copyQueued(ByteBuffer dst) {
        int copied = 0;
        while (dst.hasRemaining() && !queue.isEmpty()) {
            ByteBuffer head = (ByteBuffer) queue.peek();
            copied += ByteChunks.copy(head, dst);
            if (!head.hasRemaining()) {
                recycle(queue.poll());
            }
        }
        weight -= copied;
        return copied;
    }

    /** Forgets the pending readInto (under the lock): its buffer is never written after. */
    void clearByob() {
        stopTimer();
        byobDst = null;
        byobRead = null;
        byobCount = 0;
        byobMin = 0;
    }

    /** Waits (under the lock) until an element, the end or an error is there; throws the error. */
    void awaitElement(long timeoutNanos, String what) throws java.io.IOException {
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
    }

    /** Locks the stream to the blocking style (for views created before their first read). */
    final void lockBlocking() {
        lock(Style.BLOCKING);
    }

    @Override
    public Flow.Publisher<T> publisher() {
        lock(Style.PUBLISHER);
        SourcePublisher<T> p;
        synchronized (this) {
            p = publisher;
            if (p == null) {
                p = publisher = new SourcePublisher<>(this);
            }
        }
        return p.publisher();
    }

    /** Hands queued elements to the subscriber, if the stream is read through a publisher. */
    private void drain() {
        SourcePublisher<T> p = publisher;
        if (p != null) {
            p.drain();
        }
    }

    /** Queues an element (under the lock). */
    final void enqueueLocked(T element) {
        queue = NoDeque.writable(queue);
        queue.add(element);
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
