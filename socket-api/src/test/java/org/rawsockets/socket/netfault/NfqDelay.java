package org.rawsockets.socket.netfault;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The delay program {@code nfq-delay.py} (a resource of this package) running in a network
 * namespace: it gives each packet that iptables' NFQUEUE target hands to its queue a verdict late,
 * {@code meanMillis} ± {@code jitterMillis}, so packets closer together than the jitter leave in
 * another order (netem's {@code delay MEAN JITTER}, which this kernel lacks). The caller adds the
 * rules ({@code -j NFQUEUE --queue-num QUEUE}) after {@link #start} returned and removes them
 * before {@link #stop}. Used by {@link FaultNetwork#delay} and by tests whose peer lives in a
 * namespace of their own making (DNS-SD's Avahi namespace).
 */
public final class NfqDelay {

    private static final Pattern REPORT = Pattern.compile("released (\\d+) reordered (\\d+)");

    private final String namespace;
    private final Path log;
    private final Process process;

    private NfqDelay(String namespace, Path log, Process process) {
        this.namespace = namespace;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts the program in {@code namespace} on queue {@code queue} (queues are per namespace) and
     * returns once it bound the queue (10 s at most); its script and output ({@code delay.log}) go to
     * {@code dir}.
     *
     * @param seed of the delays drawn, for a run that can be repeated
     */
    public static NfqDelay start(String namespace, Path dir, int queue, int meanMillis, int jitterMillis, long seed)
            throws IOException, InterruptedException {
        Path script = dir.resolve("nfq-delay.py");
        try (InputStream in = NfqDelay.class.getResourceAsStream("nfq-delay.py")) {
            if (in == null) {
                throw new IOException("nfq-delay.py is not on the class path beside " + NfqDelay.class.getName());
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path log = dir.resolve("delay.log");
        Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "python3", script.toString(),
                String.valueOf(queue), String.valueOf(meanMillis), String.valueOf(jitterMillis), String.valueOf(seed))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        NfqDelay d = new NfqDelay(namespace, log, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!d.output().contains("bound " + queue)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("nfq-delay.py did not bind queue " + queue + " in " + namespace
                        + (p.isAlive() ? " within 10 s" : " (exit " + p.waitFor() + ")") + ": " + d.output());
            }
            Thread.sleep(20); // polls the program's output for its "bound" line, bounded by the deadline
        }
        return d;
    }

    /** The program's output so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /**
     * Stops the program (SIGTERM: it lets every packet it holds through, prints its counts, ends;
     * 10 s at most) and returns its report "released N reordered M maxlate L" (packets let through,
     * how many after one with a later id, its own largest lateness in ms).
     */
    public String stop() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("nfq-delay.py in " + namespace + " did not end within 10 s of SIGTERM: " + output());
        }
        String out = output();
        int at = out.lastIndexOf("released ");
        String report = at < 0 ? "" : out.substring(at).strip();
        if (process.exitValue() != 0 || report.isEmpty()) {
            throw new IOException("nfq-delay.py in " + namespace + " ended with " + process.exitValue() + ": " + out);
        }
        return report;
    }

    /** Ends the program at once (clean-up after a failure). */
    public void kill() {
        process.destroyForcibly();
    }

    /**
     * Fails unless {@code report} (of {@link #stop}) says the delay let through at least
     * {@code queued} packets (what its rules counted) and some of them after one with a later id:
     * the delay took effect and reordered (a test whose delay did nothing must not pass).
     */
    public static void checkReordered(String report, long queued) {
        Matcher m = REPORT.matcher(report);
        if (!(m.find() && Long.parseLong(m.group(1)) >= queued && Long.parseLong(m.group(2)) > 0)) {
            throw new AssertionError("every packet should go through the delay and some leave it in another order: \""
                    + report + "\", the rules counted " + queued);
        }
    }

    /** The numbers of a report: released, reordered. */
    public static List<Long> counts(String report) {
        Matcher m = REPORT.matcher(report);
        return m.find() ? List.of(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))) : List.of();
    }
}
