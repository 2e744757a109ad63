package org.rawsockets.irc.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.rawsockets.irc.IrcLimitException;
import org.rawsockets.socket.TcpWritable;

/**
 * The lines waiting to be sent on one connection, released by a token bucket (flood control):
 * {@code burst} lines at once, then one per {@code interval}, as servers count them. Priority lines
 * (PONG, registration, the lag PING) go first and do not spend tokens. One write is outstanding at a
 * time; the queue is bounded. Used on the client's actor only.
 */
final class Outbox {

    private record Entry(byte[] bytes, CompletableFuture<Void> done) {
    }

    private final Actor actor;
    private final TcpWritable out;
    private final int burst;
    private final long intervalNanos;
    private final int limit;
    private final String label;
    private final Consumer<Throwable> onWriteError;
    private final ArrayDeque<Entry> priority = new ArrayDeque<>();
    private final ArrayDeque<Entry> normal = new ArrayDeque<>();
    private double tokens;
    private long refilledAt = System.nanoTime();
    private boolean writing;
    private ScheduledFuture<?> wakeUp;
    private Throwable closed;

    Outbox(Actor actor, TcpWritable out, int burst, Duration interval, int limit, String label,
            Consumer<Throwable> onWriteError) {
        this.actor = actor;
        this.out = out;
        this.burst = burst;
        this.tokens = burst;
        this.intervalNanos = interval.toNanos();
        this.limit = limit;
        this.label = label;
        this.onWriteError = onWriteError;
    }

    /** Queues a line (CR LF included); completes when the socket took it. */
    CompletableFuture<Void> send(byte[] line, boolean urgent) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed != null) {
            done.completeExceptionally(closed);
            return done;
        }
        if (!urgent && normal.size() >= limit) {
            done.completeExceptionally(new IrcLimitException("IRC network " + label + ": the send queue is full ("
                    + limit + " lines wait for flood control, setting sendQueueLimit); the line was not sent"));
            return done;
        }
        (urgent ? priority : normal).add(new Entry(line, done));
        pump();
        return done;
    }

    /** Lines waiting. */
    int queued() {
        return normal.size() + priority.size();
    }

    private void pump() {
        if (writing || closed != null) {
            return;
        }
        Entry e = priority.poll();
        if (e == null) {
            if (normal.isEmpty()) {
                return;
            }
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (double) (now - refilledAt) / intervalNanos);
            refilledAt = now;
            if (tokens < 1) {
                if (wakeUp == null || wakeUp.isDone()) {
                    long wait = (long) Math.ceil((1 - tokens) * intervalNanos);
                    wakeUp = actor.schedule(this::pump, wait, TimeUnit.NANOSECONDS);
                }
                return;
            }
            tokens -= 1;
            e = normal.poll();
        }
        writing = true;
        Entry sent = e;
        try {
            out.write(ByteBuffer.wrap(sent.bytes())).whenComplete((v, t) -> actor.execute(() -> written(sent, t)));
        } catch (RuntimeException x) {
            written(sent, x);
        }
    }

    private void written(Entry e, Throwable t) {
        writing = false;
        if (t != null) {
            e.done().completeExceptionally(t);
            onWriteError.accept(t);
            return;
        }
        e.done().complete(null);
        pump();
    }

    /** Fails every waiting line with {@code reason}; later sends fail with it too. */
    void close(Throwable reason) {
        if (closed != null) {
            return;
        }
        closed = reason;
        if (wakeUp != null) {
            wakeUp.cancel(false);
        }
        for (Entry e : priority) {
            e.done().completeExceptionally(reason);
        }
        for (Entry e : normal) {
            e.done().completeExceptionally(reason);
        }
        priority.clear();
        normal.clear();
    }
}
