package org.rawsockets.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@link BridgeBenchIT}'s slowest round trips go: the gateway JVM's safepoints (GC pauses and other VM
 * operations, from {@code -Xlog:safepoint} with epoch-millisecond time stamps) in each round-trip phase, and
 * which of the page's slowest trips ({@code SLOW ...} lines, wall-clock start and duration) overlap one.
 */
final class BridgeBenchPauses {
    /**
     * JVM options for the gateway: GC and safepoint log lines, and one line per JIT compilation (in
     * {@link #jitLog}), stamped with the wall clock in ms.
     */
    static String jvmOptions(Path log) {
        return "-Xlog:gc,safepoint=info:file=" + log + ":timemillis -Xlog:jit+compilation=debug:file=" + jitLog(log)
                + ":timemillis";
    }

    /** Where the gateway logs its JIT compilations, beside {@code log}. */
    static Path jitLog(Path log) {
        return log.resolveSibling("jit-compilations.log");
    }

    private static final Pattern COMPILATION = Pattern.compile("^\\[(\\d+)ms\\]\\s+\\d+\\s");

    /** When the gateway's JIT compiled a method (epoch ms, one per compilation), in the order logged. */
    static List<Long> compilations(Path log) throws IOException {
        List<Long> at = new ArrayList<>();
        Path jit = jitLog(log);
        if (Files.exists(jit)) {
            for (String line : Files.readAllLines(jit, StandardCharsets.UTF_8)) {
                Matcher m = COMPILATION.matcher(line);
                if (m.find()) {
                    at.add(Long.parseLong(m.group(1)));
                }
            }
        }
        return at;
    }

    /**
     * The gateway's JIT compilations in each kind of measured phase (all its rounds together), against the
     * whole run: a phase with many is measuring a gateway still being compiled (raise the warm-up).
     */
    static String compilationReport(String browserOutput, List<Long> compilations) {
        List<String> names = new ArrayList<>();
        List<Double> marks = new ArrayList<>();
        phases(browserOutput, names, marks);
        Map<String, Integer> byPhase = new TreeMap<>();
        for (int i = 0; i + 1 < names.size(); i++) {
            int n = 0;
            for (long t : compilations) {
                if (t >= marks.get(i) && t < marks.get(i + 1)) {
                    n++;
                }
            }
            byPhase.merge(names.get(i), n, Integer::sum);
        }
        return "gateway JIT compilations in the measured phases: " + byPhase + " (" + compilations.size()
                + " in the whole run)";
    }

    private static final Pattern SAFEPOINT = Pattern.compile("\\[(\\d+)ms\\] Safepoint \"([^\"]+)\".*Total: (\\d+) ns");
    private static final Pattern PHASE = Pattern.compile("PHASE (\\S+) ([\\d.]+)");
    private static final Pattern SLOW = Pattern.compile("SLOW (bridge|plain) trip (\\d+) at ([\\d.]+) took ([\\d.]+) ms");

    /** One safepoint: [start, end] in epoch ms (end is when the log line was written). */
    record Pause(String name, double start, double end) {
        double ms() {
            return end - start;
        }
    }

    static List<Pause> read(Path log) throws IOException {
        List<Pause> pauses = new ArrayList<>();
        if (!Files.exists(log)) {
            return pauses;
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = SAFEPOINT.matcher(line);
            if (m.find()) {
                double end = Long.parseLong(m.group(1));
                pauses.add(new Pause(m.group(2), end - Long.parseLong(m.group(3)) / 1e6, end));
            }
        }
        return pauses;
    }

    /** The report: per round-trip phase the safepoints inside it, then each slow trip with the ones it overlaps. */
    static String report(String browserOutput, List<Pause> pauses) {
        List<String> names = new ArrayList<>();
        List<Double> marks = new ArrayList<>();
        phases(browserOutput, names, marks);
        List<String> rows = new ArrayList<>();
        rows.add("gateway safepoints in the whole run: " + pauses.size());
        for (String side : new String[] { "bridge", "plain" }) {
            Map<String, int[]> byName = new TreeMap<>();
            double total = 0;
            double max = 0;
            double length = 0;
            int n = 0;
            int phases = 0;
            for (int i = 0; i + 1 < names.size(); i++) {
                if (!names.get(i).equals(side + "-trips")) {
                    continue;
                }
                phases++;
                double from = marks.get(i);
                double to = marks.get(i + 1);
                length += to - from;
                for (Pause p : pauses) {
                    if (p.end() >= from && p.start() <= to) {
                        n++;
                        total += p.ms();
                        max = Math.max(max, p.ms());
                        byName.computeIfAbsent(p.name(), k -> new int[1])[0]++;
                    }
                }
            }
            if (phases == 0) {
                rows.add(side + " round trips: phase marks missing");
                continue;
            }
            StringBuilder which = new StringBuilder();
            byName.forEach((k, v) -> which.append(which.length() == 0 ? "" : ", ").append(k).append(" x").append(v[0]));
            rows.add(String.format(Locale.ROOT, "%s round trips (%.0f ms): %d gateway safepoints, total %.3f ms, max %.3f ms%s",
                    side, length, n, total, max, n == 0 ? "" : " (" + which + ")"));
        }
        Map<String, int[]> overlapping = new TreeMap<>();
        Matcher m = SLOW.matcher(browserOutput);
        while (m.find()) {
            double at = Double.parseDouble(m.group(3));
            double end = at + Double.parseDouble(m.group(4));
            StringBuilder hit = new StringBuilder();
            for (Pause p : pauses) {
                if (p.end() + 1 >= at && p.start() <= end) { // the log stamp is truncated to the ms
                    hit.append(String.format(Locale.ROOT, " %s %.3f ms", p.name(), p.ms()));
                }
            }
            int[] c = overlapping.computeIfAbsent(m.group(1), k -> new int[2]);
            c[0]++;
            if (hit.length() > 0) {
                c[1]++;
                rows.add(m.group() + "; gateway safepoint:" + hit);
            }
        }
        overlapping.forEach((k, c) -> rows.add(String.format(Locale.ROOT,
                "%s: %d of the %d slowest round trips overlap a gateway safepoint", k, c[1], c[0])));
        return String.join("\n", rows);
    }

    /**
     * The page's PHASE marks in order: each starts a phase (its name into {@code names}, its epoch-ms
     * start into {@code marks}) that lasts until the next mark; a name comes back once per round.
     */
    private static void phases(String browserOutput, List<String> names, List<Double> marks) {
        Matcher m = PHASE.matcher(browserOutput);
        while (m.find()) {
            names.add(m.group(1));
            marks.add(Double.parseDouble(m.group(2)));
        }
    }

    private BridgeBenchPauses() {
    }
}
