package org.rawsockets.console.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The throughput of each socket (bytes per second in and out) over a sliding window, from samples of
 * its byte counters taken when the socket table is read (the API and the live view). Bounded: at
 * most one sample per {@link #MIN_SPACING} per socket, samples older than {@link #WINDOW} are
 * dropped (but the newest of them is kept as the window's base), and sockets no longer listed are
 * forgotten.
 */
final class Rates {

    static final Duration WINDOW = Duration.ofSeconds(5);
    static final Duration MIN_SPACING = Duration.ofMillis(200);

    /** Bytes per second in and out. */
    record Rate(long in, long out) {
    }

    private record Sample(Instant time, long in, long out) {
    }

    private final Map<Long, ArrayDeque<Sample>> samples = new HashMap<>();

    /**
     * Records the counters of socket {@code id} at {@code now}; returns its rate since the window's
     * base sample, or {@code null} the first time the socket is seen (no base yet).
     */
    synchronized Rate sample(long id, Instant now, long in, long out) {
        ArrayDeque<Sample> q = samples.computeIfAbsent(id, k -> new ArrayDeque<>());
        Instant cutoff = now.minus(WINDOW);
        while (q.size() >= 2) { // drop the first while the next one is old enough to be the base
            Sample first = q.removeFirst();
            if (q.peekFirst().time().isAfter(cutoff)) {
                q.addFirst(first);
                break;
            }
        }
        Sample base = q.peekFirst();
        Sample last = q.peekLast();
        if (last == null || !now.isBefore(last.time().plus(MIN_SPACING))) {
            q.addLast(new Sample(now, in, out));
        }
        if (base == null) {
            return null;
        }
        long millis = Duration.between(base.time(), now).toMillis();
        if (millis <= 0) {
            return null;
        }
        return new Rate(Math.max(0, in - base.in()) * 1000 / millis, Math.max(0, out - base.out()) * 1000 / millis);
    }

    /** Forgets the sockets not in {@code live}. */
    synchronized void retain(Set<Long> live) {
        samples.keySet().retainAll(live);
    }
}
