package org.rawsockets.mqtt.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The delay before the next connect after failed ones: exponential from {@code reconnectMin} to
 * {@code reconnectMax}, with ±20 % jitter, at least 1 ms. An accepted session resets it.
 *
 * <p>Not thread-safe: guarded by the client's lock.
 */
final class ReconnectBackoff {

    private final long min;
    private final long max;
    private int failedAttempts;
    private long nextAttemptAt;

    ReconnectBackoff(Duration reconnectMin, Duration reconnectMax) {
        this.min = reconnectMin.toNanos();
        this.max = reconnectMax.toNanos();
    }

    /** One more failed attempt: returns the delay (ns) until the next, and remembers when that is. */
    long failed() {
        failedAttempts++;
        int shift = Math.min(failedAttempts - 1, 30);
        long base = min > (max >> shift) ? max : Math.min(max, min << shift);
        long delay = Math.max(1_000_000L, (long) (base * ThreadLocalRandom.current().nextDouble(0.8, 1.2)));
        nextAttemptAt = System.nanoTime() + delay;
        return delay;
    }

    /** The broker accepted a session: the next failure starts from {@code reconnectMin} again. */
    void reset() {
        failedAttempts = 0;
    }

    /** Milliseconds until the next attempt (negative once it is due). */
    long millisToNextAttempt() {
        return (nextAttemptAt - System.nanoTime()) / 1_000_000;
    }
}
