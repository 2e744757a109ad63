package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.fixture.ModbusSlavePeer;

/**
 * Churn of a real gateway process (issue 21): the Modbus bundle is moved out of {@code deploy/} and back
 * while its device (configured in {@code etc/}, connected to j2mod's Modbus/TCP slave on a free loopback
 * port) is read without pause from a shell session, then the device's {@code etc/} file is edited
 * (unit id 1 / 2, timeout) as often. Each cycle waits, with a deadline, for the bundle to be gone, then
 * active with its device connected, and for a read answered after the return. Every
 * {@code churn.sampleEvery} cycles the gateway JVM is sampled from outside ({@link JvmSample}: threads,
 * file descriptors, live heap after a full GC, Metaspace, bundle class loaders, class loaders holding
 * Modbus classes) and a table is printed; class histograms are kept in {@code target/it/churn/}.
 * <p>
 * The normal build runs {@code churn.cycles}=20 (and as many edits); {@code -Pchurn} runs 1,000 of each.
 * Asserted: every return brings the device back and answering, threads and descriptors do not grow
 * with the cycles, and after the cycles and a full GC at most {@link #RETAINED_LOADERS} class loaders
 * with Modbus classes remain (the live one and at most one old one still being let go): a class loader
 * kept per cycle fails it. Felix Bundle objects: Felix 7.0.5 itself keeps one per redeploy (about
 * 80 KB each: revision, manifest, jar index; not the class loader), found by this test; more than one
 * per cycle fails (the edits phase: none per edit).
 */
class ChurnProcessIT {

    static final Duration WAIT = GatewayProcessIT.WAIT;
    static final int CYCLES = Integer.getInteger("churn.cycles", 20);
    static final int EDITS = Integer.getInteger("churn.edits", CYCLES);
    static final int EVERY = Integer.getInteger("churn.sampleEvery", Math.max(1, Math.min(100, CYCLES / 2)));
    static final int RETAINED_LOADERS = 2;
    /** Felix Bundle objects beyond the first sample's after the cycles: uninstalled ones still being let go. */
    static final int RETAINED_BUNDLES = 2;
    /** Bundle objects of uninstalled bundles Felix 7.0.5's service registry keeps per redeploy (0 per configuration edit). */
    static final int FELIX_KEPT_PER_CYCLE = 1;
    /** Threads and descriptors the gateway may have more after the cycles than after the first sample (pools growing to their size). */
    static final int THREAD_SLACK = 8;
    static final int FD_SLACK = 12;
    static final String BSN = "org.rawsockets.modbus";
    static final String READ = "modbus:read plc holding 0 4";
    /** The read's table: address 3 holds 9 (register i = 3i). */
    static final Pattern ANSWER = Pattern.compile("(?m)^\\s*3\\s+9\\s*$");

    private final GatewayProcessIT gateway = new GatewayProcessIT();
    private Poller poller;
    private Path home;

    @AfterEach
    void stop() throws InterruptedException {
        if (poller != null) {
            poller.stop();
        }
        gateway.killLeftovers();
    }

    @Test
    void modbusBundleLeavesAndReturnsAndItsDeviceIsReconfiguredWhileInUse(TestInfo info) throws Exception {
        home = GatewayProcessIT.copyDistribution(info);
        Path dir = Files.createDirectories(Paths.get(System.getProperty("test.work.dir"), "churn"));
        Path jar;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Paths.get(System.getProperty("gateway.dir"), "bundles"),
                "modbus-*.jar")) {
            jar = jars.iterator().next();
        }
        Path deployed = home.resolve("deploy").resolve(jar.getFileName());
        Path parked = Files.createDirectories(home.resolve("parked")).resolve(jar.getFileName());
        Files.copy(jar, deployed);

        try (ModbusSlavePeer slave = new ModbusSlavePeer(WAIT)) {
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.policy.cfg"),
                    "grant.churn = " + BSN + " tcp 127.0.0.1 " + slave.port() + "\n");
            Path device = home.resolve("etc/org.rawsockets.modbus.device-churn.cfg");
            GatewayProcessIT.writeAtomically(device, deviceConfig(slave.port(), 1, 2000));
            GatewayProcessIT.Running g = gateway.start(home, "--headless");
            g.awaitLine("gateway ready in|gateway started", WAIT);
            long pid = g.process.pid();
            try (AttachSession control = AttachSession.open(home, WAIT)) {
                await(g, "the device connected", () -> "connected".equals(deviceRow(control, 1)));
                poller = new Poller(AttachSession.open(home, WAIT));
                awaitRead(g, "a first read");

                // 1. The bundle out of deploy/ and back, the device read all the time.
                List<JvmSample> samples = new ArrayList<>();
                long t0 = System.nanoTime();
                Files.deleteIfExists(dir.resolve("bundles-live.txt"));
                Files.deleteIfExists(dir.resolve("edits-live.txt"));
                samples.add(live(dir, "bundles", JvmSample.take(pid, 0, 0, BSN + ".", dir, "bundles")));
                for (int c = 1; c <= CYCLES; c++) {
                    Files.move(deployed, parked, StandardCopyOption.ATOMIC_MOVE);
                    await(g, "cycle " + c + ": the bundle uninstalled", () -> bundleState(control) == null);
                    Files.move(parked, deployed, StandardCopyOption.ATOMIC_MOVE);
                    await(g, "cycle " + c + ": the bundle active, its device connected",
                            () -> "Active".equals(bundleState(control)) && "connected".equals(deviceRow(control, 1)));
                    awaitRead(g, "cycle " + c + ": a read after the return");
                    if (c % EVERY == 0 || c == CYCLES) {
                        samples.add(live(dir, "bundles", JvmSample.take(pid, c, seconds(t0), BSN + ".", dir, "bundles")));
                    }
                }
                report("bundle cycles (modbus jar out of deploy/ and back, device read meanwhile)", "bundles", samples, dir, pid);
                assertBounded("bundle cycles", samples, FELIX_KEPT_PER_CYCLE);

                // 2. The device's etc/ file edited: unit id 1 <-> 2 (shown by modbus:devices), timeout.
                List<JvmSample> edits = new ArrayList<>();
                t0 = System.nanoTime();
                edits.add(live(dir, "edits", JvmSample.take(pid, 0, 0, BSN + ".", dir, "edits")));
                for (int e = 1; e <= EDITS; e++) {
                    int unit = e % 2 == 1 ? 2 : 1;
                    GatewayProcessIT.writeAtomically(device, deviceConfig(slave.port(), unit, 2000 + e));
                    await(g, "edit " + e + ": the device reconfigured to unit " + unit,
                            () -> "connected".equals(deviceRow(control, unit)));
                    awaitRead(g, "edit " + e + ": a read after the edit");
                    if (e % EVERY == 0 || e == EDITS) {
                        edits.add(live(dir, "edits", JvmSample.take(pid, e, seconds(t0), BSN + ".", dir, "edits")));
                    }
                }
                report("configuration edits (etc/ file of the device, read meanwhile)", "edits", edits, dir, pid);
                assertBounded("configuration edits", edits, 0);
                System.out.println("CHURN reads: " + poller.ok.get() + " answered, " + poller.failed.get()
                        + " failed (while the bundle was away or restarting): " + poller.failures);
            }
            poller.stop();
            GatewayProcessIT.sigterm(g.process);
            assertTrue(g.process.waitFor(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "gateway stopped");
            assertEquals(0, g.process.exitValue(), "exit code after SIGTERM");
        }
    }

    static String deviceConfig(int port, int unit, long timeout) {
        return "name=plc\nhost=127.0.0.1\nport=" + port + "\nunitId=" + unit + "\ntimeoutMillis=" + timeout + "\n";
    }

    /** Threads and descriptors no higher than the first sample plus slack; Modbus class loaders back to the live one (+1). */
    private static void assertBounded(String what, List<JvmSample> s, int bundlesKeptPerCycle) {
        JvmSample first = s.get(0);
        JvmSample last = s.get(s.size() - 1);
        String table = what + ":\n" + JvmSample.header() + "\n" + String.join("\n", s.stream().map(JvmSample::row).toList());
        assertTrue(last.threads() <= first.threads() + THREAD_SLACK, "threads grew: " + table);
        assertTrue(last.fds() <= first.fds() + FD_SLACK, "file descriptors grew: " + table);
        // Felix 7.0.5 keeps one Bundle object per redeploy (its service registry keeps the stopped bundle's
        // zero usage counts of services still registered; README "Churn"): more than that fails.
        assertTrue(last.bundleObjects() <= first.bundleObjects() + last.cycle() * bundlesKeptPerCycle + RETAINED_BUNDLES,
                "Bundle objects of uninstalled bundles retained after " + last.cycle() + " cycles and a full GC: " + table);
        assertTrue(last.packageLoaders() >= 1, "the live Modbus class loader is seen: " + table);
        assertTrue(last.packageLoaders() <= RETAINED_LOADERS, "class loaders with Modbus classes retained after "
                + last.cycle() + " cycles and a full GC: " + table);
    }

    private static void report(String what, String prefix, List<JvmSample> s, Path dir, long pid) throws IOException {
        StringBuilder b = new StringBuilder("CHURN " + what + ", gateway pid " + pid + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, load " + load() + ":\n");
        b.append(JvmSample.header()).append('\n');
        s.forEach(x -> b.append(x.row()).append('\n'));
        JvmSample first = s.get(0);
        JvmSample last = s.get(s.size() - 1);
        b.append("classes whose instances grew, cycle ").append(first.cycle()).append(" -> ").append(last.cycle())
                .append(":\n").append(JvmSample.growth(dir.resolve(prefix + "-histogram-" + first.cycle() + ".txt"),
                        dir.resolve(prefix + "-histogram-" + last.cycle() + ".txt"), 25));
        System.out.println(b);
        Files.writeString(dir.resolve("churn-" + prefix + ".txt"), b);
    }

    /** Appends the sample to {@code PREFIX-live.txt} as it is taken (a long run can be followed). */
    private static JvmSample live(Path dir, String prefix, JvmSample s) throws IOException {
        Files.writeString(dir.resolve(prefix + "-live.txt"), s.row() + "  load " + load() + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return s;
    }

    private static String load() {
        try {
            return Files.readString(Paths.get("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static long seconds(long t0) {
        return (System.nanoTime() - t0) / 1_000_000_000L;
    }

    /**
     * The modbus bundle's state in {@code lb -s}, null when it is not installed, {@code "?"} when {@code lb}
     * failed because a bundle was uninstalled while it listed them (Gogo's {@code lb} does not expect that).
     */
    private static String bundleState(AttachSession control) throws IOException {
        AttachSession.Reply r = control.run("lb -s", WAIT);
        if (!r.ok() && r.err().contains("Bundle is uninstalled")) {
            return "?";
        }
        assertTrue(r.ok(), r.toString());
        Matcher m = Pattern.compile("(?m)^\\s*\\d+\\s*\\|\\s*(\\w+)\\s*\\|[^|]*\\|\\s*" + Pattern.quote(BSN) + "\\s")
                .matcher(r.out());
        return m.find() ? m.group(1) : null;
    }

    /**
     * The device 'plc' state in {@code modbus:devices} ({@code plc  tcp 127.0.0.1:PORT  UNIT  STATE ...}) when it has
     * unit {@code unit}; null otherwise (or no such command: the bundle is away).
     */
    private static String deviceRow(AttachSession control, int unit) throws IOException {
        AttachSession.Reply r = control.run("modbus:devices", WAIT);
        if (!r.ok()) {
            return null;
        }
        Matcher m = Pattern.compile("(?m)^plc\\s.*?:\\d+\\s+(\\d+)\\s+([a-z]+)\\s").matcher(r.out());
        return m.find() && Integer.parseInt(m.group(1)) == unit ? m.group(2) : null;
    }

    private void awaitRead(GatewayProcessIT.Running g, String what) throws Exception {
        long before = poller.ok.get();
        await(g, what, () -> poller.ok.get() > before);
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(home.resolve("log/gateway.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits for {@code c} (checked every 20 ms) at most {@link #WAIT}; the gateway's output and log on failure. */
    private void await(GatewayProcessIT.Running g, String what, Condition c) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.holds()) {
            if (poller != null && poller.fatal != null) {
                throw new AssertionError("the reading session failed: " + what, poller.fatal);
            }
            if (System.nanoTime() > deadline || !g.process.isAlive()) {
                throw new AssertionError(what + ": not within " + WAIT + (g.process.isAlive() ? "" : " (gateway exited)")
                        + "\nreads: " + (poller == null ? "-" : poller.ok + " ok, failures " + poller.failures)
                        + "\nstderr:\n" + String.join("\n", g.err) + "\n--- end of log/gateway.log:\n" + logTail());
            }
            Thread.sleep(20); // polling for the condition, bounded by the deadline
        }
    }

    /** Reads the device without pause (20 ms apart) in its own shell session; counts answers and failures by kind. */
    static final class Poller {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Map<String, Integer> failures = new ConcurrentHashMap<>();
        volatile Throwable fatal;
        private volatile boolean running = true;
        private final AttachSession session;
        private final Thread thread;

        Poller(AttachSession session) {
            this.session = session;
            this.thread = new Thread(this::loop, "churn-poller");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            try {
                while (running) {
                    AttachSession.Reply r = session.run(READ, WAIT);
                    if (r.ok() && ANSWER.matcher(r.out()).find()) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        String kind = (r.err() + r.out()).lines().findFirst().orElse("status " + r.status())
                                .replaceAll("\\d+", "N");
                        if (failures.size() < 20 || failures.containsKey(kind)) {
                            failures.merge(kind, 1, Integer::sum);
                        }
                    }
                    Thread.sleep(20); // pacing: a read every ~20 ms keeps the device in use without hogging 2 cores
                }
            } catch (Throwable t) {
                if (running) {
                    fatal = t;
                }
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(WAIT.toMillis());
            try {
                session.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
