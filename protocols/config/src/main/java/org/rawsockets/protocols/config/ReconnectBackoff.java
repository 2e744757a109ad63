package org.rawsockets.protocols.config;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What every protocol bundle's {@code reconnectMinMillis} and {@code reconnectMaxMillis} mean: the
 * delay before the next connect after failed ones, exponential from the minimum (doubled per
 * failure) up to the maximum, with ±20 % jitter so clients that lost the same server do not come
 * back in step, and at least 1 ms. The client calls {@link #reset()} once a connection proved good
 * (the device answered, the broker accepted the session, the IRC server welcomed us).
 *
 * <p>Not thread-safe: the client guards it with its own lock or uses it on its own thread.
 */
public final class ReconnectBackoff {

    /** Jitter: the delay is the exponential base times a factor in [1 - JITTER, 1 + JITTER). */
    static final double JITTER = 0.2;

    private final long min;
    private final long max;
    private int failedAttempts;
    private long nextAttemptAt;

    /**
     * @throws IllegalArgumentException if the minimum is not positive or the maximum is below it
     *     (the configurations check this first, with their own property names)
     */
    public ReconnectBackoff(Duration reconnectMin, Duration reconnectMax) {
        if (reconnectMin.isNegative() || reconnectMin.isZero() || reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("reconnect delays: the minimum (" + reconnectMin.toMillis()
                    + " ms) must be positive and not above the maximum (" + reconnectMax.toMillis() + " ms)");
        }
        this.min = reconnectMin.toNanos();
        this.max = reconnectMax.toNanos();
    }

    /** The delay before jitter after {@code failures} failed attempts (1: the minimum). */
    private long base(int failures) {
        int shift = Math.min(failures - 1, 30);
        return min > (max >> shift) ? max : Math.min(max, min << shift);
    }

    /**
     * The longest delay {@link #failed()} can return as the {@code failures}-th failure (1: the
     * first), jitter included: for a caller that must bound how long retries can take.
     */
    public Duration longestDelay(int failures) {
        return Duration.ofNanos(Math.max(1_000_000L, (long) Math.ceil(base(Math.max(1, failures)) * (1 + JITTER))));
    }

    /** One more failed attempt: returns the delay (ns) until the next, and remembers when that is. */
    public long failed() {
        failedAttempts++;
        long base = base(failedAttempts);
        double factor = ThreadLocalRandom.current().nextDouble(1 - JITTER, 1 + JITTER);
        long delay = Math.max(1_000_000L, (long) (base * factor));
        nextAttemptAt = System.nanoTime() + delay;
        return delay;
    }

    /** The connection proved good: the next failure starts from the minimum again. */
    public void reset() {
        failedAttempts = 0;
    }

    /** Failed attempts since the last {@link #reset()}. */
    public int failedAttempts() {
        return failedAttempts;
    }

    /** Milliseconds until the next attempt (negative once it is due). */
    public long millisToNextAttempt() {
        return (nextAttemptAt - System.nanoTime()) / 1_000_000;
    }
}
