package org.rawsockets.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the samples of a JFR recording went, per thread group: {@code java -cp bench/target/bench.jar
 * org.rawsockets.bench.JfrSummary [--top N] file.jfr...} (what {@code bench/profile.sh} prints under each
 * profiled row). Java and native method samples ({@code jdk.ExecutionSample},
 * {@code jdk.NativeMethodSample}) are grouped by thread name without its numbers ({@code rawsockets-io-2}
 * → {@code rawsockets-io}, {@code nioEventLoopGroup-2-1} → {@code nioEventLoopGroup}); per group the
 * share of all samples, then the methods most often on top of the stack ("self") and the methods most
 * often anywhere on it ("total", once per sample), each with its share of the group's samples. A native
 * sample is taken of any thread in native code, also one that only waits there: samples whose top frame is
 * such a wait ({@link #WAITS}: {@code epoll_wait}, a process's exit, a pipe read) are counted apart and left
 * out, so what remains is work; a blocking socket's read (a peer's thread) still counts, as JFR cannot
 * tell its wait from the copy.
 */
public final class JfrSummary {

    /** Native methods in which a thread waits rather than works (its samples are left out). */
    static final Set<String> WAITS = Set.of("EPoll.wait", "ProcessHandleImpl.waitForProcessExit0",
            "FileInputStream.readBytes", "Net.poll", "Net.accept", "ProcessImpl.waitForProcessExit");

    private JfrSummary() {
    }

    /** One thread group's samples. */
    static final class Group {
        int samples;
        int nativeSamples;
        final Map<String, Integer> self = new HashMap<>();
        final Map<String, Integer> total = new HashMap<>();
    }

    public static void main(String[] args) throws IOException {
        int top = 12;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--top")) {
                top = Integer.parseInt(args[++i]);
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: JfrSummary [--top N] file.jfr...");
            System.exit(2);
        }
        for (Path f : files) {
            System.out.print(summarize(f, top));
        }
    }

    /** The summary of one recording, as printed. */
    static String summarize(Path file, int top) throws IOException {
        Map<String, Group> groups = new TreeMap<>();
        int all = 0;
        int waits = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            boolean nat = type.equals("jdk.NativeMethodSample");
            if (!nat && !type.equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedThread t = e.getThread("sampledThread");
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = st.getFrames();
            if (nat && WAITS.contains(name(frames.get(0)))) {
                waits++;
                continue;
            }
            Group g = groups.computeIfAbsent(group(t == null ? null : t.getJavaName()), k -> new Group());
            all++;
            g.samples++;
            if (nat) {
                g.nativeSamples++;
            }
            g.self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame fr : frames) {
                String n = name(fr);
                if (seen.add(n)) {
                    g.total.merge(n, 1, Integer::sum);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s: %d samples of work (Java and native method samples; %d native"
                + " samples of threads waiting left out)%n", file.getFileName(), all, waits));
        List<Map.Entry<String, Group>> byShare = new ArrayList<>(groups.entrySet());
        byShare.sort((a, b) -> Integer.compare(b.getValue().samples, a.getValue().samples));
        for (Map.Entry<String, Group> en : byShare) {
            Group g = en.getValue();
            out.append(String.format(Locale.ROOT, "== thread group %s: %.1f%% (%d samples, %d of them native)%n",
                    en.getKey(), 100.0 * g.samples / Math.max(1, all), g.samples, g.nativeSamples));
            out.append("   self:\n");
            appendTop(out, g.self, g.samples, top);
            out.append("   total (leaving out the frames under every sample, the thread's own):\n");
            Map<String, Integer> below = new HashMap<>(g.total);
            below.values().removeIf(v -> v == g.samples);
            appendTop(out, below, g.samples, top);
        }
        return out.toString();
    }

    private static void appendTop(StringBuilder out, Map<String, Integer> counts, int of, int top) {
        List<Map.Entry<String, Integer>> l = new ArrayList<>(counts.entrySet());
        l.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Integer> e : l.subList(0, Math.min(top, l.size()))) {
            out.append(String.format(Locale.ROOT, "   %5.1f%% %s%n", 100.0 * e.getValue() / Math.max(1, of), e.getKey()));
        }
    }

    /** {@code rawsockets-io-2} → {@code rawsockets-io}; no name → {@code (unnamed)}. */
    static String group(String thread) {
        if (thread == null || thread.isBlank()) {
            return "(unnamed)";
        }
        String g = thread.replaceAll("[-#_ ]?\\d+", "").replaceAll("[-_ ]+$", "");
        return g.isEmpty() ? thread : g;
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }
}
