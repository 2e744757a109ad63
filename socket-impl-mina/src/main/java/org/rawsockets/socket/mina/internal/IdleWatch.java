package org.rawsockets.socket.mina.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.rawsockets.socket.TimedOutException;

/**
 * The idle limit of one open TCP connection ({@code TcpSocketOptions.idleTimeout}): a check on the
 * engine's timer every quarter of the limit; when the byte counters (received from and written to
 * the network) did not move for the whole limit the connection fails with {@link TimedOutException}.
 * The check stops itself once the connection is closed.
 */
final class IdleWatch implements Runnable {

    private final TcpConnection c;
    private final long limitNanos;
    private long lastCount;
    private long lastMove;
    private volatile ScheduledFuture<?> task;

    private IdleWatch(TcpConnection c, Duration limit) {
        this.c = c;
        this.limitNanos = limit.toNanos();
        this.lastCount = count();
        this.lastMove = System.nanoTime();
    }

    /** Starts watching {@code c} (open now) with {@code limit}. */
    static void start(TcpConnection c, Duration limit) {
        IdleWatch w = new IdleWatch(c, limit);
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(1), w.limitNanos / 4);
        synchronized (w) {
            w.task = c.engine.timer().scheduleWithFixedDelay(w, period, period, TimeUnit.NANOSECONDS);
        }
    }

    private long count() {
        return c.bytesIn() + c.bytesOut();
    }

    @Override
    public synchronized void run() {
        if (c.closed.isDone()) {
            task.cancel(false);
            return;
        }
        long now = System.nanoTime();
        long n = count();
        if (n != lastCount) {
            lastCount = n;
            lastMove = now;
            return;
        }
        if (now - lastMove >= limitNanos) {
            task.cancel(false);
            c.idleExpired(new TimedOutException("the socket to " + c.where() + " moved no byte in either direction for "
                    + TimeUnit.NANOSECONDS.toMillis(limitNanos) + " ms (idleTimeout) and was closed"));
        }
    }
}
