package org.rawsockets.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the mixed soak measures: per-kind operations and latencies, typed errors. The process figures
 * (heap after GC, RSS, threads, descriptors) and the heap's slope are socket-api's
 * {@link org.rawsockets.socket.testing.ProcessSample}, shared with socket-impl-mina's SocketSoakTest.
 */
final class Metrics {

    private Metrics() {
    }

    /** One kind of connection's counters: operations done, round trips of the interval, errors by type. */
    static final class Kind {
        final String name;
        final LongAdder ops = new LongAdder();
        /** Lost UDP datagrams (raw UDP only): accounted, not errors. */
        final LongAdder lost = new LongAdder();
        final Window window = new Window(400_000);
        final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        /** The first few errors' messages (bounded), for the failure report. */
        final ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();
        private final AtomicInteger exampleCount = new AtomicInteger();
        long lastOps;

        Kind(String name) {
            this.name = name;
        }

        void done(long t0) {
            window.add((System.nanoTime() - t0) / 1000);
            ops.increment();
        }

        /** Counts an error by its type (the innermost cause's class) and keeps the first 10 messages. */
        void error(Throwable e) {
            Throwable c = e;
            while ((c instanceof java.util.concurrent.CompletionException
                    || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
                c = c.getCause();
            }
            errors.computeIfAbsent(c.getClass().getSimpleName(), k -> new LongAdder()).increment();
            if (exampleCount.incrementAndGet() <= 10) {
                examples.add(name + ": " + c);
            }
        }

        long errorCount() {
            return errors.values().stream().mapToLong(LongAdder::sum).sum();
        }

        String errorsText() {
            StringBuilder b = new StringBuilder();
            errors.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v.sum()));
            return b.length() == 0 ? "none" : b.toString();
        }
    }

    /** Round trips of one interval, in microseconds (bounded: at most {@code cap} kept). */
    static final class Window {
        private final int[] micros;
        private int n;

        Window(int cap) {
            micros = new int[cap];
        }

        synchronized void add(long us) {
            if (n < micros.length) {
                micros[n++] = (int) Math.min(Integer.MAX_VALUE, us);
            }
        }

        synchronized int[] drain() {
            int[] r = Arrays.copyOf(micros, n);
            n = 0;
            Arrays.sort(r);
            return r;
        }
    }

    static long pct(int[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
    }

    /** Where the report lines also go as they are printed (surefire shows test output only at the end). */
    static final Path REPORT = Path.of(System.getProperty("soak.report", "target/mixed-soak.txt"));

    /** Prints a report line and appends it to {@link #REPORT}, so a long soak can be watched. */
    static void report(String format, Object... args) {
        String line = String.format(java.util.Locale.ROOT, format, args);
        System.out.print(line);
        try {
            Files.writeString(REPORT, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("(cannot append to " + REPORT.toAbsolutePath() + ": " + e + ")");
        }
    }
}
