package org.rawsockets.protocols.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void doublesFromTheMinimumUpToTheMaximumWithinTheJitter() {
        ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(250), Duration.ofSeconds(30));
        long[] bases = {250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        for (long base : bases) {
            long d = b.failed();
            assertTrue(d >= (long) (base * MS * 0.8) && d < (long) (base * MS * 1.2),
                    "attempt " + b.failedAttempts() + ": " + d + " ns not within ±20 % of " + base + " ms");
        }
        assertEquals(bases.length, b.failedAttempts());
    }

    @Test
    void resetStartsFromTheMinimumAgain() {
        ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(10));
        for (int i = 0; i < 6; i++) {
            b.failed();
        }
        b.reset();
        assertEquals(0, b.failedAttempts());
        long d = b.failed();
        assertTrue(d >= 80 * MS && d < 120 * MS, d + " ns");
    }

    @Test
    void manyFailuresNeitherOverflowNorPassTheMaximum() {
        ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(1), Duration.ofDays(1));
        for (int i = 0; i < 200; i++) {
            long d = b.failed();
            assertTrue(d > 0 && d < (long) (Duration.ofDays(1).toNanos() * 1.2), "attempt " + i + ": " + d);
        }
        assertTrue(b.failed() >= (long) (Duration.ofDays(1).toNanos() * 0.8));
    }

    @Test
    void aDelayIsAtLeastOneMillisecondAndTheNextAttemptIsRemembered() {
        ReconnectBackoff b = new ReconnectBackoff(Duration.ofNanos(10), Duration.ofNanos(10));
        assertEquals(MS, b.failed());
        ReconnectBackoff slow = new ReconnectBackoff(Duration.ofSeconds(60), Duration.ofSeconds(60));
        slow.failed();
        long left = slow.millisToNextAttempt();
        assertTrue(left > 40_000 && left <= 72_000, left + " ms");
    }

    @Test
    void theLongestDelayBoundsEveryDelayOfThatAttempt() {
        ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(1000), Duration.ofMillis(3000));
        assertEquals(Duration.ofMillis(1200), b.longestDelay(1));
        assertEquals(Duration.ofMillis(2400), b.longestDelay(2));
        assertEquals(Duration.ofMillis(3600), b.longestDelay(3));
        assertEquals(Duration.ofMillis(3600), b.longestDelay(40));
        for (int run = 0; run < 200; run++) {
            ReconnectBackoff r = new ReconnectBackoff(Duration.ofMillis(1000), Duration.ofMillis(3000));
            for (int attempt = 1; attempt <= 5; attempt++) {
                long d = r.failed();
                assertTrue(d <= r.longestDelay(attempt).toNanos(), attempt + ": " + d);
            }
        }
    }

    @Test
    void refusesAMinimumThatIsNotPositiveOrAboveTheMaximum() {
        assertThrows(IllegalArgumentException.class, () -> new ReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("2000 ms") && e.getMessage().contains("1000 ms"), e.getMessage());
    }
}
