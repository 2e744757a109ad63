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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Predicate;
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
 * <p>
 * The SMTP bundle is churned the same way (second test): mail sent without pause through {@code smtp:send} to the
 * npm {@code smtp-server} ({@link NodeSmtpPeer}, STARTTLS, a named endpoint), its mail server's {@code etc/} file
 * edited; every accepted send must arrive exactly once, every failed one fail with a message
 * ({@link #SMTP_AWAY}), class loaders with SMTP classes bounded as above. One churn:
 * {@code -Dit.test='ChurnProcessIT#smtp*'}.
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
    static final String SMTP_BSN = "org.rawsockets.smtp";
    /**
     * What a send may fail with while the SMTP bundle is away, restarting or being reconfigured (every kind seen
     * in the runs): the command gone, the server's configuration not (yet) there, the socket service released
     * under a send in flight (named in the step it stopped: greeting, EHLO, ...).
     */
    static final Pattern SMTP_AWAY = Pattern.compile("Command not found: smtp:send"
            // Gogo found the command, then its service was gone when called (GatewayScript.describe)
            + "|the command's service went away while it was called"
            + "|no mail server named 'churn' \\(configured: none\\)"
            // "socket endpoint:churn closed: owner bundle ... released the socket service" (in the step it stopped),
            // "bundle ... released the socket service; it cannot open endpoint:churn", "the socket service of bundle ... was released"
            + "|bundle org\\.rawsockets\\.smtp \\[\\d+\\] released the socket service"
            + "|the socket service of bundle org\\.rawsockets\\.smtp \\[\\d+\\] was released");

    private final GatewayProcessIT gateway = new GatewayProcessIT();
    private Poller poller;
    private Path home;
    /** Where the samples, tables and histograms go ({@code target/it/churn/}). */
    private Path dir;
    private GatewayProcessIT.Running g;
    private AttachSession control;
    /** The churned bundle's symbolic name and what its classes are called in messages ("Modbus"). */
    private String bsn;
    private String label;

    @AfterEach
    void stop() throws InterruptedException {
        if (poller != null) {
            poller.stop();
        }
        gateway.killLeftovers();
    }

    @Test
    void modbusBundleLeavesAndReturnsAndItsDeviceIsReconfiguredWhileInUse(TestInfo info) throws Exception {
        Path deployed = deploy(info, "modbus-*.jar");
        try (ModbusSlavePeer slave = new ModbusSlavePeer(WAIT)) {
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.policy.cfg"),
                    "grant.churn = " + BSN + " tcp 127.0.0.1 " + slave.port() + "\n");
            Path device = home.resolve("etc/org.rawsockets.modbus.device-churn.cfg");
            GatewayProcessIT.writeAtomically(device, deviceConfig(slave.port(), 1, 2000));
            start(BSN, "Modbus");
            try (AttachSession control = AttachSession.open(home, WAIT)) {
                this.control = control;
                await("the device connected", () -> "connected".equals(deviceRow(control, 1)));
                poller = new Poller(AttachSession.open(home, WAIT), n -> READ, r -> ANSWER.matcher(r.out()).find());
                awaitSuccess("a first read");

                // 1. The bundle out of deploy/ and back, the device read all the time.
                bundleCycles(deployed, "modbus jar out of deploy/ and back, device read meanwhile",
                        "its device connected", () -> "connected".equals(deviceRow(control, 1)));

                // 2. The device's etc/ file edited: unit id 1 <-> 2 (shown by modbus:devices), timeout.
                edits("configuration edits (etc/ file of the device, read meanwhile)", e -> {
                    int unit = e % 2 == 1 ? 2 : 1;
                    GatewayProcessIT.writeAtomically(device, deviceConfig(slave.port(), unit, 2000 + e));
                    return "the device reconfigured to unit " + unit;
                }, e -> "connected".equals(deviceRow(control, e % 2 == 1 ? 2 : 1)));
                System.out.println("CHURN reads: " + poller.ok.get() + " answered, " + poller.failed.get()
                        + " failed (while the bundle was away or restarting): " + poller.failures);
            }
            stopGateway();
        }
    }

    /**
     * The SMTP bundle churned the same way while {@code smtp:send} mails through it without pause (each with its
     * number as subject) to the npm {@code smtp-server} over STARTTLS, through a named endpoint; the edits change
     * the mail server's {@code clientName} (a new name per edit, seen in the server's EHLO) and
     * {@code commandTimeoutMillis}. Every send either reports "accepted" and arrives exactly once, or fails with a
     * message; a mail the server received although its send failed must be one in flight when the bundle
     * left or was reconfigured (at most one per cycle or edit: the sends are one at a time).
     */
    @Test
    void smtpBundleLeavesAndReturnsAndItsServerIsReconfiguredWhileMailing(TestInfo info) throws Exception {
        Path deployed = deploy(info, "smtp-*.jar");
        Path pki = Files.createDirectories(home.resolve("pki"));
        EndpointGatewayProcessIT.makeCertificates(pki);
        try (NodeSmtpPeer mail = new NodeSmtpPeer(pki)) {
            Path etc = home.resolve("etc");
            GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.endpoint-churn.cfg"), String.join("\n",
                    "name=churn", "host=127.0.0.1", "port=" + mail.port, "tls=STARTTLS", "serverName=localhost",
                    "caCertificatesPath=" + pki.resolve("ca.pem"), ""));
            GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.socket.policy.cfg"),
                    "grant.churn = " + SMTP_BSN + " tcp endpoint:churn *\n");
            Path server = etc.resolve("org.rawsockets.smtp.server-churn.cfg");
            GatewayProcessIT.writeAtomically(server, smtpServerConfig(0));
            start(SMTP_BSN, "SMTP");
            Mailbox box = new Mailbox(mail);
            try (AttachSession control = AttachSession.open(home, WAIT)) {
                this.control = control;
                await("the mail server configured", () -> smtpServerListed(control));
                poller = new Poller(AttachSession.open(home, WAIT),
                        n -> "smtp:send -s churn-" + n + " -b mail-" + n + " churn churn@example.org rcpt@example.org",
                        r -> r.out().contains("accepted: 1 of 1"));
                awaitSuccess("a first mail");

                bundleCycles(deployed, "smtp jar out of deploy/ and back, mail sent meanwhile", "its mail server listed",
                        () -> smtpServerListed(control));
                edits("configuration edits (etc/ file of the mail server: clientName, commandTimeoutMillis; mail sent"
                        + " meanwhile)", e -> {
                            GatewayProcessIT.writeAtomically(server, smtpServerConfig(e));
                            return "a mail greeting with EHLO churn-edit-" + e;
                        }, e -> box.sawHelo("churn-edit-" + e));
                poller.stop();
                await("every mail reported accepted received by the server",
                        () -> box.received().containsAll(poller.succeeded));
            }
            stopGateway();
            Set<Long> receivedButFailed = new java.util.TreeSet<>(box.received());
            receivedButFailed.removeAll(poller.succeeded);
            Set<Long> phantom = new java.util.TreeSet<>(receivedButFailed);
            phantom.removeAll(poller.failedOps);
            System.out.println("CHURN mails: " + poller.ok.get() + " accepted, all of them received once; "
                    + poller.failed.get() + " failed (while the bundle was away, restarting or being reconfigured): "
                    + poller.failures + ", examples " + poller.examples.values() + "; received although the send failed"
                    + " (in flight when the bundle left or was reconfigured): " + receivedButFailed.size() + " "
                    + receivedButFailed);
            assertEquals(Map.of(), box.duplicates(), "mails received more than once (subject number -> count)");
            assertEquals(Set.of(), phantom, "mails received that no send tried");
            assertTrue(receivedButFailed.size() <= CYCLES + EDITS, "more mails received although their send failed ("
                    + receivedButFailed.size() + ") than cycles and edits: " + receivedButFailed);
            for (String example : poller.examples.values()) {
                assertTrue(SMTP_AWAY.matcher(example).find(), "a send failed with an unexpected message: " + example
                        + "\nall failures: " + poller.failures);
            }
        }
    }

    static String smtpServerConfig(int edit) {
        return String.join("\n", "name=churn", "endpoint=churn", "tls=STARTTLS_REQUIRED", "clientName=churn-edit-" + edit,
                "commandTimeoutMillis=" + (30000 + edit), "");
    }

    /** {@code smtp:servers} lists the server 'churn' (false while the command is away with the bundle). */
    private static boolean smtpServerListed(AttachSession control) throws IOException {
        AttachSession.Reply r = control.run("smtp:servers", WAIT);
        return r.ok() && Pattern.compile("(?m)^churn\\s").matcher(r.out()).find();
    }

    /** The mails the server received so far: subject numbers counted, EHLO names seen. Test thread only. */
    static final class Mailbox {
        private static final Pattern SUBJECT = Pattern.compile("\"subject\":\"churn-(\\d+)\"");
        private static final Pattern HELO = Pattern.compile("\"helo\":\"([^\"]*)\"");
        private final NodeSmtpPeer peer;
        private final Map<Long, Integer> counts = new java.util.HashMap<>();
        private final Set<String> helos = new java.util.HashSet<>();
        private final List<String> batch = new ArrayList<>();

        Mailbox(NodeSmtpPeer peer) {
            this.peer = peer;
        }

        private void drain() {
            batch.clear();
            peer.drainTo(batch);
            for (String m : batch) {
                Matcher s = SUBJECT.matcher(m);
                assertTrue(s.find(), "a mail without a churn subject: " + m);
                counts.merge(Long.parseLong(s.group(1)), 1, Integer::sum);
                Matcher h = HELO.matcher(m);
                if (h.find()) {
                    helos.add(h.group(1));
                }
            }
        }

        boolean sawHelo(String name) {
            drain();
            return helos.contains(name);
        }

        Set<Long> received() {
            drain();
            return counts.keySet();
        }

        Map<Long, Integer> duplicates() {
            drain();
            Map<Long, Integer> d = new java.util.TreeMap<>();
            counts.forEach((n, c) -> {
                if (c > 1) {
                    d.put(n, c);
                }
            });
            return d;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The machinery both churns share.

    /** A copy of the distribution with the bundle {@code glob} of {@code target/gateway/bundles} in deploy/; the deployed jar. */
    private Path deploy(TestInfo info, String glob) throws IOException {
        home = GatewayProcessIT.copyDistribution(info);
        dir = Files.createDirectories(Paths.get(System.getProperty("test.work.dir"), "churn"));
        Path jar;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Paths.get(System.getProperty("gateway.dir"), "bundles"),
                glob)) {
            jar = jars.iterator().next();
        }
        Path deployed = home.resolve("deploy").resolve(jar.getFileName());
        Files.copy(jar, deployed);
        return deployed;
    }

    private void start(String symbolicName, String classesLabel) throws Exception {
        bsn = symbolicName;
        label = classesLabel;
        g = gateway.start(home, "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
    }

    private void stopGateway() throws Exception {
        poller.stop();
        GatewayProcessIT.sigterm(g.process);
        assertTrue(g.process.waitFor(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "gateway stopped");
        assertEquals(0, g.process.exitValue(), "exit code after SIGTERM");
    }

    /**
     * {@link #CYCLES} times: the jar moved out of deploy/, the bundle gone from {@code lb}, the jar back, the
     * bundle active and {@code ready}, an operation of the poller succeeded after the return; sampled and
     * asserted bounded.
     */
    private void bundleCycles(Path deployed, String what, String readyWhat, Condition ready) throws Exception {
        Path parked = Files.createDirectories(home.resolve("parked")).resolve(deployed.getFileName());
        long pid = g.process.pid();
        List<JvmSample> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        String prefix = tag("bundles");
        Files.deleteIfExists(dir.resolve(prefix + "-live.txt"));
        Files.deleteIfExists(dir.resolve(tag("edits") + "-live.txt"));
        samples.add(live(prefix, JvmSample.take(pid, 0, 0, bsn + ".", dir, prefix)));
        for (int c = 1; c <= CYCLES; c++) {
            Files.move(deployed, parked, StandardCopyOption.ATOMIC_MOVE);
            await("cycle " + c + ": the bundle uninstalled", () -> bundleState() == null);
            Files.move(parked, deployed, StandardCopyOption.ATOMIC_MOVE);
            await("cycle " + c + ": the bundle active, " + readyWhat, () -> "Active".equals(bundleState()) && ready.holds());
            awaitSuccess("cycle " + c + ": an operation after the return");
            if (c % EVERY == 0 || c == CYCLES) {
                samples.add(live(prefix, JvmSample.take(pid, c, seconds(t0), bsn + ".", dir, prefix)));
            }
        }
        report("bundle cycles (" + what + ")", prefix, samples, pid);
        assertBounded("bundle cycles", prefix, samples, FELIX_KEPT_PER_CYCLE);
    }

    interface Edit {
        /** Writes edit {@code e}; returns what it changes (for messages). */
        String apply(int e) throws Exception;
    }

    interface EditApplied {
        boolean holds(int e) throws Exception;
    }

    /** {@link #EDITS} edits, each waited for ({@code applied}) and followed by a successful operation; sampled. */
    private void edits(String what, Edit edit, EditApplied applied) throws Exception {
        long pid = g.process.pid();
        List<JvmSample> edits = new ArrayList<>();
        long t0 = System.nanoTime();
        String prefix = tag("edits");
        edits.add(live(prefix, JvmSample.take(pid, 0, 0, bsn + ".", dir, prefix)));
        for (int e = 1; e <= EDITS; e++) {
            int n = e;
            String change = edit.apply(n);
            await("edit " + e + ": " + change, () -> applied.holds(n));
            awaitSuccess("edit " + e + ": an operation after the edit");
            if (e % EVERY == 0 || e == EDITS) {
                edits.add(live(prefix, JvmSample.take(pid, e, seconds(t0), bsn + ".", dir, prefix)));
            }
        }
        report(what, prefix, edits, pid);
        assertBounded("configuration edits", prefix, edits, 0);
    }

    static String deviceConfig(int port, int unit, long timeout) {
        return "name=plc\nhost=127.0.0.1\nport=" + port + "\nunitId=" + unit + "\ntimeoutMillis=" + timeout + "\n";
    }

    /**
     * Threads and descriptors no higher than the first sample plus slack; the bundle's class loaders back to the live
     * one (+1). Too many class loaders: a heap dump is kept ({@code target/it/churn/PREFIX-retained.hprof}) for a
     * path to GC roots.
     */
    private void assertBounded(String what, String prefix, List<JvmSample> s, int bundlesKeptPerCycle) throws Exception {
        JvmSample first = s.get(0);
        JvmSample last = s.get(s.size() - 1);
        String table = label + " " + what + ":\n" + JvmSample.header() + "\n"
                + String.join("\n", s.stream().map(JvmSample::row).toList());
        if (last.packageLoaders() > RETAINED_LOADERS) {
            Path dump = dir.resolve(prefix + "-retained.hprof");
            Files.deleteIfExists(dump);
            JvmSample.jcmd(g.process.pid(), "GC.heap_dump", dump.toString());
            table += "\nheap dump: " + dump;
        }
        assertTrue(last.threads() <= first.threads() + THREAD_SLACK, "threads grew: " + table);
        assertTrue(last.fds() <= first.fds() + FD_SLACK, "file descriptors grew: " + table);
        // Felix 7.0.5 keeps one Bundle object per redeploy (its service registry keeps the stopped bundle's
        // zero usage counts of services still registered; README "Churn"): more than that fails.
        assertTrue(last.bundleObjects() <= first.bundleObjects() + last.cycle() * bundlesKeptPerCycle + RETAINED_BUNDLES,
                "Bundle objects of uninstalled bundles retained after " + last.cycle() + " cycles and a full GC: " + table);
        assertTrue(last.packageLoaders() >= 1, "the live " + label + " class loader is seen: " + table);
        assertTrue(last.packageLoaders() <= RETAINED_LOADERS, "class loaders with " + label + " classes retained after "
                + last.cycle() + " cycles and a full GC: " + table);
    }

    private void report(String what, String prefix, List<JvmSample> s, long pid) throws IOException {
        StringBuilder b = new StringBuilder("CHURN " + label + " " + what + ", gateway pid " + pid + ", "
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

    /** {@code modbus-bundles}, {@code smtp-edits}...: the files of one churn's phase in {@code target/it/churn/}. */
    private String tag(String phase) {
        return label.toLowerCase(java.util.Locale.ROOT) + "-" + phase;
    }

    /** Appends the sample to {@code PREFIX-live.txt} as it is taken (a long run can be followed). */
    private JvmSample live(String prefix, JvmSample s) throws IOException {
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
     * The churned bundle's state in {@code lb -s}, null when it is not installed, {@code "?"} when {@code lb}
     * failed because a bundle was uninstalled while it listed them (Gogo's {@code lb} does not expect that).
     */
    private String bundleState() throws IOException {
        AttachSession.Reply r = control.run("lb -s", WAIT);
        if (!r.ok() && r.err().contains("Bundle is uninstalled")) {
            return "?";
        }
        assertTrue(r.ok(), r.toString());
        Matcher m = Pattern.compile("(?m)^\\s*\\d+\\s*\\|\\s*(\\w+)\\s*\\|[^|]*\\|\\s*" + Pattern.quote(bsn) + "\\s")
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

    /** Waits for an operation of the poller that succeeded after this call. */
    private void awaitSuccess(String what) throws Exception {
        long before = poller.ok.get();
        await(what, () -> poller.ok.get() > before);
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
    private void await(String what, Condition c) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.holds()) {
            if (poller != null && poller.fatal != null) {
                throw new AssertionError("the polling session failed: " + what, poller.fatal);
            }
            if (System.nanoTime() > deadline || !g.process.isAlive()) {
                throw new AssertionError(what + ": not within " + WAIT + (g.process.isAlive() ? "" : " (gateway exited)")
                        + "\noperations: " + (poller == null ? "-" : poller.ok + " ok, failures " + poller.failures)
                        + "\nstderr:\n" + String.join("\n", g.err) + "\n--- end of log/gateway.log:\n" + logTail());
            }
            Thread.sleep(20); // polling for the condition, bounded by the deadline
        }
    }

    /**
     * Runs operation {@code n} = 1, 2, ... ({@code command.apply(n)}) without pause (20 ms apart) in its own shell
     * session; counts successes (their numbers kept) and failures by kind (digits as N, one example each).
     */
    static final class Poller {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Map<String, Integer> failures = new ConcurrentHashMap<>();
        final Map<String, String> examples = new ConcurrentHashMap<>();
        final Set<Long> succeeded = ConcurrentHashMap.newKeySet();
        final Set<Long> failedOps = ConcurrentHashMap.newKeySet();
        volatile Throwable fatal;
        private volatile boolean running = true;
        private final AttachSession session;
        private final LongFunction<String> command;
        private final Predicate<AttachSession.Reply> success;
        private final Thread thread;

        Poller(AttachSession session, LongFunction<String> command, Predicate<AttachSession.Reply> success) {
            this.session = session;
            this.command = command;
            this.success = success;
            this.thread = new Thread(this::loop, "churn-poller");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            try {
                for (long n = 1; running; n++) {
                    AttachSession.Reply r = session.run(command.apply(n), WAIT);
                    if (r.ok() && success.test(r)) {
                        succeeded.add(n);
                        ok.incrementAndGet();
                    } else {
                        failedOps.add(n);
                        failed.incrementAndGet();
                        String first = (r.err() + r.out()).lines().filter(l -> !l.isBlank()).findFirst()
                                .orElse("status " + r.status() + ", no message");
                        String kind = first.replaceAll("\\d+", "N");
                        if (failures.size() < 20 || failures.containsKey(kind)) {
                            failures.merge(kind, 1, Integer::sum);
                            // the whole reply (up to 2,000 characters): a first line may be a log line printed before the result
                            String all = (r.err() + r.out()).strip();
                            examples.putIfAbsent(kind, all.length() > 2000 ? all.substring(0, 2000) : all);
                        }
                    }
                    Thread.sleep(20); // pacing: an operation every ~20 ms keeps the bundle in use without hogging 2 cores
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
