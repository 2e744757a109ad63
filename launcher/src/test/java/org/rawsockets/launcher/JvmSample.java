package org.rawsockets.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One measurement of a running gateway JVM from outside: live threads and open file descriptors
 * ({@code /proc/<pid>}), then {@code jcmd GC.class_histogram} (which runs a full GC first: its total is
 * the heap live after GC), {@code GC.heap_info} (heap used and Metaspace right after that GC) and
 * {@code VM.classloaders show-classes} (which bundle class loaders still exist, and which of them
 * loaded classes of a given package). The histogram is kept in {@code dir} ({@code PREFIX-histogram-CYCLE.txt}) for diffs.
 *
 * @param liveBytes bytes of all live objects after the full GC (the histogram's total)
 * @param heapUsed heap used right after that GC (GC.heap_info, generations added up)
 * @param metaspaceUsed Metaspace used (class metadata: grows with every class loader kept)
 * @param bundleObjects instances of Felix's {@code BundleImpl} (installed bundles + uninstalled ones still referenced)
 * @param bundleLoaders instances of Felix's bundle class loader in the histogram (all bundles)
 * @param packageLoaders class loaders that loaded classes of the watched package (current + retained)
 */
record JvmSample(int cycle, int threads, int fds, long liveBytes, long heapUsed, long metaspaceUsed, int bundleObjects,
        int bundleLoaders, int packageLoaders, long seconds) {

    static final String BUNDLE_LOADER = "org.apache.felix.framework.BundleWiringImpl$BundleClassLoader";
    static final String BUNDLE = "org.apache.felix.framework.BundleImpl";

    static String header() {
        return String.format(Locale.ROOT, "%7s %8s %7s %5s %10s %12s %13s %7s %13s %14s", "cycle", "time(s)", "threads",
                "fds", "live(KB)", "heapUsed(KB)", "metaspace(KB)", "bundles", "bundleLoaders", "watchedLoaders");
    }

    String row() {
        return String.format(Locale.ROOT, "%7d %8d %7d %5d %10d %12d %13d %7d %13d %14d", cycle, seconds, threads, fds,
                liveBytes / 1024, heapUsed / 1024, metaspaceUsed / 1024, bundleObjects, bundleLoaders, packageLoaders);
    }

    /**
     * Samples the JVM {@code pid}; {@code watchedPackage} (e.g. {@code org.rawsockets.modbus.}) names the
     * classes whose loaders are counted.
     */
    static JvmSample take(long pid, int cycle, long seconds, String watchedPackage, Path dir, String prefix) throws IOException,
            InterruptedException {
        int threads = threads(pid);
        int fds;
        try (Stream<Path> s = Files.list(Paths.get("/proc", Long.toString(pid), "fd"))) {
            fds = (int) s.count();
        }
        String histogram = jcmd(pid, "GC.class_histogram");
        Files.writeString(dir.resolve(prefix + "-histogram-" + cycle + ".txt"), histogram, StandardCharsets.UTF_8);
        long live = 0;
        int loaders = 0;
        int bundles = 0;
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[0].equals("Total")) {
                live = Long.parseLong(f[2]);
            } else if (f.length >= 4 && f[3].equals(BUNDLE_LOADER)) {
                loaders += Integer.parseInt(f[1]);
            } else if (f.length >= 4 && f[3].equals(BUNDLE)) {
                bundles += Integer.parseInt(f[1]);
            }
        }
        String heap = jcmd(pid, "GC.heap_info");
        long used = 0;
        long metaspace = 0;
        for (String line : heap.split("\n")) {
            Matcher m = Pattern.compile("used (\\d+)K").matcher(line);
            if (!m.find()) {
                continue;
            }
            if (line.trim().startsWith("Metaspace")) {
                metaspace = Long.parseLong(m.group(1)) * 1024;
            } else if (line.contains("generation") || line.contains("garbage-first heap") || line.contains("total")
                    && !line.contains("class space")) {
                used += Long.parseLong(m.group(1)) * 1024;
            }
        }
        String classLoaders = jcmd(pid, "VM.classloaders", "show-classes");
        int watched = watchedLoaders(classLoaders, watchedPackage);
        return new JvmSample(cycle, threads, fds, live, used, metaspace, bundles, loaders, watched, seconds);
    }

    static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring("Threads:".length()).trim());
            }
        }
        throw new IOException("no Threads: line in /proc/" + pid + "/status");
    }

    /**
     * Counts the loaders in {@code VM.classloaders show-classes} output that loaded a class of
     * {@code pkg}: each loader is a {@code +-- ...} line followed by its {@code Classes:} list.
     */
    static int watchedLoaders(String tree, String pkg) {
        int count = 0;
        boolean counted = true;
        for (String line : tree.split("\n")) {
            if (line.contains("+-- ")) {
                counted = false;
            } else if (!counted) {
                String t = line.replace('|', ' ').trim();
                if (t.startsWith("Classes: ")) {
                    t = t.substring("Classes: ".length()).trim();
                }
                if (t.startsWith(pkg)) {
                    count++;
                    counted = true;
                }
            }
        }
        return count;
    }

    /** Runs {@code jcmd} of this JDK against {@code pid} (generous attach timeout; a busy machine is slow to attach). */
    static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
                "-J-Dsun.tools.attach.attachTimeout=60000", Long.toString(pid)));
        cmd.addAll(List.of(command));
        IOException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                last = new IOException(String.join(" ", cmd) + " did not end within 180 s");
                continue;
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() == 0 && !text.contains("AttachNotSupportedException")) {
                return text;
            }
            last = new IOException(String.join(" ", cmd) + " (attempt " + attempt + "): exit " + p.exitValue() + "\n"
                    + text);
        }
        throw last;
    }

    /**
     * The classes whose instance counts grew most between two histograms kept by {@link #take}: name,
     * instances before, after, bytes after; at most {@code limit} lines.
     */
    static String growth(Path before, Path after, int limit) throws IOException {
        java.util.Map<String, long[]> a = histogram(before);
        java.util.Map<String, long[]> b = histogram(after);
        List<String> names = new ArrayList<>(b.keySet());
        names.sort((x, y) -> Long.compare(delta(b, a, y), delta(b, a, x)));
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%10s %10s %12s  %s%n", "before", "after",
                "bytes after", "class"));
        for (String n : names.subList(0, Math.min(limit, names.size()))) {
            if (delta(b, a, n) <= 0) {
                break;
            }
            s.append(String.format(Locale.ROOT, "%10d %10d %12d  %s%n", a.getOrDefault(n, new long[2])[0], b.get(n)[0],
                    b.get(n)[1], n));
        }
        return s.toString();
    }

    private static long delta(java.util.Map<String, long[]> after, java.util.Map<String, long[]> before, String n) {
        return after.get(n)[0] - before.getOrDefault(n, new long[2])[0];
    }

    private static java.util.Map<String, long[]> histogram(Path file) throws IOException {
        java.util.Map<String, long[]> m = new java.util.HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                long[] v = m.computeIfAbsent(f[3], k -> new long[2]);
                v[0] += Long.parseLong(f[1]);
                v[1] += Long.parseLong(f[2]);
            }
        }
        return m;
    }
}
