package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.fixture.LoopbackPeer;
import org.rawsockets.launcher.fixture.PeerClient;
import org.rawsockets.launcher.fixture.TestBundles;

/**
 * The real launcher process on a copy of the built distribution: {@code -c} scripting, headless
 * SIGTERM, hot deploy of a bundle and of a configuration through {@code deploy/} and {@code etc/}.
 */
class GatewayProcessIT {

    // Generous: on a loaded 2-core machine a gateway start (Jetty included) took 25-30 s.
    static final Duration WAIT = Duration.ofSeconds(90);
    static final AtomicInteger COPIES = new AtomicInteger();

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void scriptModePrintsCommandOutputAndExitsZero(TestInfo info) throws Exception {
        Path home = copyDistribution(info);
        Result r = run(home, "-c", "lb -s; echo scripted-done");
        assertEquals(0, r.exit, r.toString());
        assertTrue(r.stdout.contains("org.apache.felix.scr"), r.toString());
        assertTrue(r.stdout.contains("org.rawsockets.socket.mina"), r.toString());
        assertTrue(r.stdout.contains("scripted-done"), r.toString());
        assertTrue(r.stderr.contains("gateway ready in") || r.stderr.contains("gateway started"),
                "readiness line on stderr in -c mode: " + r);
        assertTrue(r.stderr.contains("stopped in"), r.toString());
    }

    @Test
    void scriptModeExitsNonZeroWhenACommandFails(TestInfo info) throws Exception {
        Path home = copyDistribution(info);
        Result r = run(home, "-c", "no-such-command");
        assertEquals(1, r.exit, r.toString());
        assertTrue(r.stderr.contains("command failed"), r.toString());
        assertTrue(r.stderr.contains("no-such-command"), r.toString());
    }

    @Test
    void socketCommandsRunFromTheShell(TestInfo info) throws Exception {
        Path home = copyDistribution(info);
        Result r = run(home, "-c", "sockets:list; sockets:endpoints; help sockets:probe");
        assertEquals(0, r.exit, r.toString());
        assertTrue(r.stdout.contains("no open sockets"), r.toString());
        assertTrue(r.stdout.contains("open a TCP connection"), "help text from @Descriptor: " + r);
        Result bad = run(home, "-c", "sockets:close 999999");
        assertEquals(1, bad.exit, bad.toString());
        assertTrue(bad.stderr.contains("no socket with id 999999"), bad.toString());
    }

    @Test
    void interactiveModeRunsTheShellOnStdinAndStopsAtItsEnd(TestInfo info) throws Exception {
        Path home = copyDistribution(info);
        Running g = start(home, false);
        g.awaitLine("gateway ready in|gateway started", WAIT);
        try (java.io.Writer w = new java.io.OutputStreamWriter(g.process.getOutputStream(), StandardCharsets.UTF_8)) {
            w.write("echo interactive-ok\n");
        }
        g.awaitLine("interactive-ok", WAIT);
        // End of input stops the shell and the framework.
        assertTrue(g.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "stopped at end of input");
        assertEquals(0, g.process.exitValue());
    }

    @Test
    void probeThroughANamedTlsEndpointPrintsTheNegotiatedTls(TestInfo info) throws Exception {
        Path home = copyDistribution(info);
        Path pki = Files.createDirectories(home.resolve("pki"));
        // A CA and a server certificate for probe.test, made by openssl (an independent TLS stack).
        exec(pki, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Raw Sockets Test CA", "-days", "2");
        exec(pki, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "server.key", "-out", "server.csr", "-subj", "/CN=probe.test");
        Files.writeString(pki.resolve("ext.cnf"), "subjectAltName=DNS:probe.test\n");
        exec(pki, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf");
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", "server.pem",
                "-key", "server.key", "-naccept", "1", "-quiet").directory(pki.toFile()).redirectErrorStream(true).start();
        processes.add(server);
        awaitListening(port);
        writeAtomically(home.resolve("etc/org.rawsockets.socket.endpoint-tlsprobe.cfg"),
                "name=tlsprobe\nhost=127.0.0.1\nport=" + port + "\ntls=ON\nserverName=probe.test\ncaCertificatesPath="
                        + pki.resolve("ca.pem") + "\ndescription=openssl s_server\n");
        Result r = run(home, "-c", "sockets:endpoints; sockets:probe tlsprobe");
        assertEquals(0, r.exit, r.toString());
        assertTrue(r.stdout.matches("(?s).*tlsprobe +127\\.0\\.0\\.1 +" + port + " +on +probe\\.test +openssl s_server.*"), r.toString());
        assertTrue(r.stdout.contains("probe endpoint tlsprobe: open in"), r.toString());
        assertTrue(r.stdout.matches("(?s).*  tls      TLSv1\\.[23] TLS_\\w+.*"), r.toString());
        assertTrue(r.stdout.contains("  sni      probe.test"), r.toString());
        assertTrue(r.stdout.contains("  peer     CN=probe.test"), r.toString());
        assertTrue(r.stdout.contains("issued by CN=Raw Sockets Test CA"), r.toString());
    }

    static void exec(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(cmd[0] + " is missing: run .ci/setup (installs .ci/apt-packages.txt)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd) + " finished");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    }

    static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            // Check the listen socket table rather than connecting: s_server accepts only one connection.
            try {
                for (String table : new String[] { "/proc/net/tcp", "/proc/net/tcp6" }) {
                    for (String line : Files.readAllLines(Paths.get(table))) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length > 3 && f[1].endsWith(String.format(":%04X", port)) && f[3].equals("0A")) {
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                throw new AssertionError("cannot read /proc/net/tcp", e);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("openssl s_server not listening on 127.0.0.1:" + port + " within " + WAIT);
    }

    @Test
    void headlessStopsCleanlyOnSigterm(TestInfo info) throws Exception {
        Path home = copyDistribution(info);
        Running g = start(home, "--headless");
        String ready = g.awaitLine("gateway ready in|gateway started", WAIT);
        long t0 = System.nanoTime();
        sigterm(g.process);
        assertTrue(g.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "stopped within " + WAIT);
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        g.drain();
        assertEquals(0, g.process.exitValue(), "exit code after SIGTERM; stderr: " + g.err);
        String stopped = g.awaitLine("stopped in", Duration.ofSeconds(5));
        System.out.println("HEADLESS " + ready + " | SIGTERM -> exit in " + stopMillis + " ms (" + stopped + ")");
        assertEquals(0, g.process.exitValue(), "exit code after SIGTERM");
    }

    @Test
    void hotDeployOfABundleAndAConfiguration(TestInfo info) throws Exception {
        Path home = copyDistribution(info);
        Path jar = TestBundles.peerClient(home.resolve("peerclient.jar"));
        try (LoopbackPeer peer = new LoopbackPeer()) {
            Path cfg = home.resolve("etc").resolve(PeerClient.PID + ".cfg");
            writeAtomically(cfg, "host=127.0.0.1\nport=" + peer.port() + "\ncount=1\nmessage=one\n");
            Running g = start(home, "--headless");
            g.awaitLine("gateway ready in|gateway started", WAIT);

            // Drop the bundle: active, its component configured from etc/, connects.
            long t0 = System.nanoTime();
            Files.copy(jar, home.resolve("deploy/peerclient.jar.tmp"));
            Files.move(home.resolve("deploy/peerclient.jar.tmp"), home.resolve("deploy/peerclient.jar"),
                    StandardCopyOption.ATOMIC_MOVE);
            LoopbackPeer.Connection first = g.accept(peer);
            long deployMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("one", first.readLine(WAIT));

            // Edit the configuration: the component is reconfigured (re-activated with the new message).
            t0 = System.nanoTime();
            writeAtomically(cfg, "host=127.0.0.1\nport=" + peer.port() + "\ncount=1\nmessage=two\n");
            LoopbackPeer.Connection second = g.accept(peer);
            long configMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("two", second.readLine(WAIT));
            // The gateway reads configuration files and never rewrites them.
            assertEquals("host=127.0.0.1\nport=" + peer.port() + "\ncount=1\nmessage=two\n", Files.readString(cfg));

            // Remove the bundle: every socket it opened is closed.
            t0 = System.nanoTime();
            Files.delete(home.resolve("deploy/peerclient.jar"));
            first.awaitEof(WAIT);
            second.awaitEof(WAIT);
            long undeployMillis = (System.nanoTime() - t0) / 1_000_000;

            // A few more drop/remove rounds for the latency figures.
            List<Long> drops = new ArrayList<>(List.of(deployMillis));
            for (int i = 0; i < 5; i++) {
                t0 = System.nanoTime();
                Files.copy(jar, home.resolve("deploy/peerclient.jar.tmp"));
                Files.move(home.resolve("deploy/peerclient.jar.tmp"), home.resolve("deploy/peerclient.jar"),
                        StandardCopyOption.ATOMIC_MOVE);
                LoopbackPeer.Connection c = g.accept(peer);
                drops.add((System.nanoTime() - t0) / 1_000_000);
                assertEquals("two", c.readLine(WAIT));
                Files.delete(home.resolve("deploy/peerclient.jar"));
                c.awaitEof(WAIT);
            }
            java.util.Collections.sort(drops);
            System.out.println("HOTDEPLOY bundle dropped -> active and connected " + drops + " ms (median "
                    + drops.get(drops.size() / 2) + "); config edited -> reconnected " + configMillis
                    + " ms; bundle removed -> sockets closed " + undeployMillis + " ms");

            sigterm(g.process);
            assertTrue(g.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(0, g.process.exitValue(), "exit code after SIGTERM");
        }
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * SIGTERM through the process handle: Process.destroy() would also close our ends of the child's
     * pipes, and the gateway's last words ("stopped in ...") would be lost.
     */
    static void sigterm(Process p) {
        assertTrue(p.toHandle().destroy(), "SIGTERM sent to " + p.pid());
    }

    static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A private copy of target/gateway (bin, lib, system, etc; fresh deploy/, data/, log/). */
    static Path copyDistribution(TestInfo info) throws IOException {
        String name = info.getTestMethod().map(m -> m.getName()).orElse("gw") + "-" + COPIES.incrementAndGet();
        return copyDistribution(Paths.get(System.getProperty("test.work.dir"), "process", name));
    }

    /** A private copy of target/gateway in {@code target} (emptied first). */
    static Path copyDistribution(Path target) throws IOException {
        Path source = Paths.get(System.getProperty("gateway.dir"));
        if (!Files.isExecutable(source.resolve("bin/gateway"))) {
            throw new AssertionError("no built distribution at " + source + " (run the package phase first)");
        }
        org.rawsockets.socket.testing.TempDirs.delete(target);
        for (String dir : new String[] { "bin", "lib", "system", "etc" }) {
            Path from = source.resolve(dir);
            try (Stream<Path> s = Files.walk(from)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Path to = target.resolve(dir).resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
        Files.createDirectories(target.resolve("deploy"));
        // Each copy's HTTP server on a free port (0): gateways of parallel builds never collide on 8080.
        Files.writeString(target.resolve("etc/gateway.properties"), "\norg.osgi.service.http.port=0\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        return target;
    }

    record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    Result run(Path home, String... args) throws Exception {
        Running g = start(home, args);
        assertTrue(g.process.waitFor(WAIT.toSeconds() * 2, TimeUnit.SECONDS), "gateway -c finished");
        g.drain();
        return new Result(g.process.exitValue(), String.join("\n", g.out), String.join("\n", g.err));
    }

    Running start(Path home, String... args) throws IOException {
        return start(home, true, args);
    }

    Running start(Path home, boolean closeStdin, String... args) throws IOException {
        return start(home, closeStdin, java.util.Map.of(), args);
    }

    /** Starts bin/gateway with {@code env} added to its environment (e.g. GATEWAY_OPTS for a GC log). */
    Running start(Path home, boolean closeStdin, java.util.Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/gateway").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("GATEWAY_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        if (closeStdin) {
            p.getOutputStream().close();
        }
        return new Running(p);
    }

    /** A started gateway process whose output lines are collected as they come. */
    static final class Running {
        final Process process;
        final List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> err = java.util.Collections.synchronizedList(new ArrayList<>());
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Thread outReader;
        private final Thread errReader;

        Running(Process process) {
            this.process = process;
            this.outReader = reader(process.getInputStream(), out, "out");
            this.errReader = reader(process.getErrorStream(), err, "err");
        }

        private Thread reader(java.io.InputStream in, List<String> sink, String name) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        sink.add(line);
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // process gone
                }
            }, "gateway-" + name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        String awaitLine(String regex, Duration timeout) throws InterruptedException {
            java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no line matching '" + regex + "' within " + timeout + "; stdout:\n"
                            + String.join("\n", out) + "\nstderr:\n" + String.join("\n", err));
                }
                if (p.matcher(line).find()) {
                    return line;
                }
            }
        }

        /** The next connection to the peer; on failure the gateway's output says why. */
        LoopbackPeer.Connection accept(LoopbackPeer peer) throws InterruptedException {
            try {
                return peer.accept(WAIT);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; gateway stdout:\n" + String.join("\n", out) + "\nstderr:\n"
                        + String.join("\n", err), e);
            }
        }

        void drain() throws InterruptedException {
            outReader.join(5000);
            errReader.join(5000);
        }
    }
}
