package org.rawsockets.bench;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Small helpers shared by the bench suites: banner, percentiles, heap after GC, tables. */
public final class BenchSupport {

    private BenchSupport() {
    }

    /** JVM, OS, cores, load average and max heap, for the head of every report. */
    public static String banner() {
        Runtime rt = Runtime.getRuntime();
        String load = "";
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            load = "n/a";
        }
        return String.format(Locale.ROOT,
                "JVM: %s %s (%s)%nOS: %s %s %s, cores: %d, load avg: %s%nmax heap: %d MiB, GC: %s",
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor"), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("os.arch"), rt.availableProcessors(), load,
                rt.maxMemory() >> 20, gcNames());
    }

    private static String gcNames() {
        List<String> names = new ArrayList<>();
        ManagementFactory.getGarbageCollectorMXBeans().forEach(b -> names.add(b.getName()));
        return String.join(", ", names);
    }

    /** The {@code p}-th percentile (0..100) of an already sorted array (nearest rank). */
    public static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    /** The median of some values (copied, not changed). */
    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /**
     * Used heap after full collections: several {@code System.gc()} calls until the figure stops
     * falling (bounded: at most 10 rounds).
     */
    public static long usedHeapAfterGc() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(50);
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            long used = heap.getUsed();
            if (used >= best - (64 << 10) && i >= 2) {
                return Math.min(best, used);
            }
            best = Math.min(best, used);
        }
        return best;
    }

    /** Bytes of NIO direct buffers currently allocated (JDK "direct" pool). */
    public static long directMemoryUsed() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }

    /** CPU time of this whole process (all threads), nanoseconds; -1 when the JVM cannot tell. */
    public static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * CPU time so far of the live Java threads of this JVM (application and library threads; the JIT
     * compiler and GC threads are not Java threads and are left out), nanoseconds. Threads that ended
     * are not counted: take differences over a span in which the measured threads live.
     */
    public static long javaThreadsCpuNanos() {
        java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
        if (!t.isThreadCpuTimeSupported()) {
            return -1;
        }
        long sum = 0;
        if (t instanceof com.sun.management.ThreadMXBean ext) {
            for (long c : ext.getThreadCpuTime(t.getAllThreadIds())) {
                if (c > 0) {
                    sum += c;
                }
            }
            return sum;
        }
        for (long id : t.getAllThreadIds()) {
            long c = t.getThreadCpuTime(id);
            if (c > 0) {
                sum += c;
            }
        }
        return sum;
    }

    /**
     * Bytes allocated so far by the live threads of this JVM (HotSpot's per-thread counters). Threads
     * that ended are not counted, so take differences over a span in which the measured threads live.
     */
    public static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported()) {
            long sum = 0;
            for (long b : t.getThreadAllocatedBytes(t.getAllThreadIds())) {
                if (b > 0) {
                    sum += b;
                }
            }
            return sum;
        }
        return -1;
    }

    /** Prints a left-aligned text table; the first row is the header. */
    public static void printTable(List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int c = 0; c < cols; c++) {
                w[c] = Math.max(w[c], r[c] == null ? 0 : r[c].length());
            }
        }
        StringBuilder sep = new StringBuilder();
        for (int c = 0; c < cols; c++) {
            sep.append(c == 0 ? "" : "-+-").append("-".repeat(w[c]));
        }
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                String cell = r[c] == null ? "" : r[c];
                line.append(c == 0 ? "" : " | ");
                line.append(c == 0 ? pad(cell, w[c]) : padLeft(cell, w[c]));
            }
            System.out.println(line.toString().stripTrailing());
            if (i == 0) {
                System.out.println(sep);
            }
        }
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(w - s.length()) + s;
    }

    public static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }

    /**
     * Deletes a suite's temporary folder (its peers' configuration, certificates and logs) and
     * everything in it, deepest first; says so on stderr when it cannot (a leftover in /tmp must not
     * fail the report).
     */
    public static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }
}
