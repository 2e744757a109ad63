package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.GatewayProcessIT.Result;
import org.rawsockets.launcher.GatewayProcessIT.Running;
import org.rawsockets.launcher.fixture.SlowShutdownHook;
import org.rawsockets.launcher.fixture.TestBundles;
import org.rawsockets.launcher.fixture.ThrowingServiceListener;

/**
 * The launcher's fixes from issue 20, each against the real launcher process: the interactive
 * readiness count, framework errors kept out of {@code -c} output, other shutdown hooks run at
 * SIGTERM, bad numbers and the start wait in {@code gateway.properties}, a distribution without
 * leftovers of earlier runs.
 */
class LauncherFixesProcessIT {

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
    void interactiveReadinessLineCountsTheShellToo(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Running g = start(home, false);
        String ready = g.awaitLine("gateway ready in|gateway started", GatewayProcessIT.WAIT);
        Matcher m = Pattern.compile("(\\d+) bundles active").matcher(ready);
        assertTrue(m.find(), ready);
        int announced = Integer.parseInt(m.group(1));
        try (Writer w = new java.io.OutputStreamWriter(g.process.getOutputStream(), StandardCharsets.UTF_8)) {
            w.write("lb -s\necho lb-done\n");
            w.flush();
            g.awaitLine("lb-done", GatewayProcessIT.WAIT);
        }
        assertTrue(g.process.waitFor(GatewayProcessIT.WAIT.toSeconds(), TimeUnit.SECONDS));
        g.drain();
        long active;
        synchronized (g.out) {
            active = g.out.stream().filter(l -> l.matches("(g! )?\\s*\\d+\\|Active\\s*\\|.*")).count();
        }
        assertEquals(active, announced, "readiness line '" + ready + "' vs lb:\n" + String.join("\n", g.out));
    }

    @Test
    void frameworkErrorsStayOutOfTheCommandOutput(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        TestBundles.activatorBundle(home.resolve("deploy/throwing.jar"), "rawsockets.test.throwing",
                ThrowingServiceListener.class);
        Result r = run(home, "-c", "echo only-this");
        assertEquals(0, r.exit(), r.toString());
        // stdout is the commands' output, nothing else.
        assertEquals("only-this", r.stdout().strip(), r.toString());
        // The framework's error is not lost: stderr (and the log) have it.
        assertTrue(r.stderr().contains("EventDispatcher"), r.toString());
    }

    @Test
    void sigtermLetsOtherShutdownHooksFinishAndExitsZero(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path marker = home.resolve("hook.marker");
        Files.writeString(home.resolve("etc/gateway.properties"), "\ntest.hook.marker=" + marker + "\n",
                StandardOpenOption.APPEND);
        TestBundles.activatorBundle(home.resolve("deploy/hook.jar"), "rawsockets.test.hook", SlowShutdownHook.class);
        Running g = start(home, true, "--headless");
        g.awaitLine("gateway ready in|gateway started", GatewayProcessIT.WAIT);
        GatewayProcessIT.sigterm(g.process);
        assertTrue(g.process.waitFor(GatewayProcessIT.WAIT.toSeconds(), TimeUnit.SECONDS));
        g.drain();
        assertEquals(0, g.process.exitValue(), "exit code after SIGTERM; stderr: " + g.err);
        assertTrue(Files.exists(marker), "the bundle's shutdown hook ran to its end before the JVM exited; stderr: " + g.err);
        assertTrue(String.join("\n", g.err).contains("stopped in"), String.join("\n", g.err));
    }

    @Test
    void aBadNumberInGatewayPropertiesIsOneLineNamingTheKey(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Files.writeString(home.resolve("etc/gateway.properties"), "\ngateway.stop.timeout.seconds=15s\n",
                StandardOpenOption.APPEND);
        Result r = run(home, "-c", "lb");
        assertEquals(Main.EXIT_START_FAILED, r.exit(), r.toString());
        List<String> lines = r.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.toString());
        assertTrue(lines.get(0).contains("gateway.stop.timeout.seconds=15s"), r.toString());
        assertFalse(r.stderr().contains("NumberFormatException"), r.toString());
    }

    @Test
    void theStartWaitIsConfigurable(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        // A system bundle slow to start (its activator takes 3 s), and a start wait of 1 s.
        TestBundles.activatorBundle(home.resolve("system/zz-slow.jar"), "rawsockets.test.slow",
                org.rawsockets.launcher.fixture.SlowActivator.class);
        Files.writeString(home.resolve("etc/gateway.properties"), "\ngateway.start.timeout.seconds=1\n",
                StandardOpenOption.APPEND);
        Result r = run(home, "-c", "lb");
        assertEquals(Main.EXIT_START_FAILED, r.exit(), r.toString());
        assertTrue(r.stderr().contains("within 1 s (gateway.start.timeout.seconds)"), r.toString());
    }

    @Test
    void theDefaultJvmIsC2WithG1AndFastStartIsAnOption(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        // what the running JVM uses, asked of the JVM itself (not of the script's text)
        String flags = jvmFlagsOfARunningGateway(home, null);
        assertTrue(flags.contains("-XX:+UseG1GC"), flags);
        assertFalse(flags.contains("TieredStopAtLevel=1") || flags.contains("-XX:+UseSerialGC"), flags);

        String fast = jvmFlagsOfARunningGateway(home, "true");
        assertTrue(fast.contains("-XX:TieredStopAtLevel=1") && fast.contains("-XX:+UseSerialGC"), fast);
        assertFalse(fast.contains("-XX:+UseG1GC"), fast);

        Path bad = GatewayProcessIT.copyDistribution(home.resolveSibling(home.getFileName() + "-bad"));
        ProcessBuilder pb = new ProcessBuilder(bad.resolve("bin/gateway").toString(), "-c", "lb").directory(bad.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("GATEWAY_FAST_START", "maybe");
        pb.environment().remove("GATEWAY_JVM_OPTS");
        Process p = pb.start();
        processes.add(p);
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(Main.EXIT_START_FAILED, p.exitValue(), err);
        assertTrue(err.contains("GATEWAY_FAST_START must be true or false, not 'maybe'"), err);
    }

    /** Starts the gateway headless (with {@code GATEWAY_FAST_START=fastStart} unless null) and returns {@code jcmd VM.flags}. */
    private String jvmFlagsOfARunningGateway(Path home, String fastStart) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/gateway").toString(), "--headless").directory(home.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("GATEWAY_OPTS");
        pb.environment().remove("GATEWAY_JVM_OPTS");
        if (fastStart == null) {
            pb.environment().remove("GATEWAY_FAST_START");
        } else {
            pb.environment().put("GATEWAY_FAST_START", fastStart);
        }
        Process p = pb.start();
        processes.add(p);
        p.getOutputStream().close();
        Running g = new Running(p);
        g.awaitLine("gateway ready in|gateway started", GatewayProcessIT.WAIT);
        try {
            return JvmSample.jcmd(p.pid(), "VM.flags");
        } finally {
            GatewayProcessIT.sigterm(p);
            assertTrue(p.waitFor(GatewayProcessIT.WAIT.toSeconds(), TimeUnit.SECONDS));
            g.drain();
        }
    }

    @Test
    void theDistributionHoldsNoLeftoversOfEarlierRuns() throws IOException {
        Path dist = Paths.get(System.getProperty("gateway.dir"));
        for (String leftover : new String[] { "log", "data", "secrets" }) {
            assertFalse(Files.exists(dist.resolve(leftover)), dist.resolve(leftover) + " ships in the distribution");
        }
        try (Stream<Path> deploy = Files.list(dist.resolve("deploy"))) {
            List<String> names = deploy.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".jar")).toList();
            assertEquals(List.of("README.txt"), names, "deploy/ holds only its README and protocol bundles");
        }
    }

    @Test
    void theDistributionStartsWithEveryProtocolBundleInDeploy(TestInfo info) throws Exception {
        Path dist = Paths.get(System.getProperty("gateway.dir"));
        Path bundles = dist.resolve("bundles");
        List<String> pristine = jars(bundles);
        List<Path> copies = new ArrayList<>(); // pristine copies: bundles/ and its library folders (bundles/ssh-lib)
        try (Stream<Path> s = Files.walk(bundles, 2)) {
            s.filter(p -> p.toString().endsWith(".jar")).forEach(copies::add);
        }
        List<String> deployed = jars(dist.resolve("deploy"));
        assertTrue(pristine.stream().anyMatch(n -> n.startsWith("modbus-")) && pristine.stream().anyMatch(n -> n.startsWith("smtp-")),
                "bundles/: " + pristine);
        if (!Boolean.getBoolean("gateway.protocols.explicit")) { // else built with -Dgateway.protocols=...: a subset
            assertTrue(deployed.containsAll(pristine), "every protocol bundle of bundles/ " + pristine + " is in deploy/ " + deployed);
        }
        for (String n : deployed) {
            Path copy = copies.stream().filter(p -> p.getFileName().toString().equals(n)).findFirst()
                    .orElseThrow(() -> new AssertionError("deploy/" + n + " has no pristine copy in bundles/"));
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(copy), Files.readAllBytes(dist.resolve("deploy").resolve(n))),
                    n + ": deploy/ copy equals " + copy);
        }
        // The whole platform starts: the distribution's own deploy/ in a private copy, every
        // org.rawsockets bundle active.
        Path home = GatewayProcessIT.copyDistribution(info);
        for (String n : deployed) {
            Files.copy(dist.resolve("deploy").resolve(n), home.resolve("deploy").resolve(n));
        }
        Result r = run(home, "-c", "lb -s");
        assertEquals(0, r.exit(), r.toString());
        List<String> ours = r.stdout().lines().filter(l -> l.matches("\\s*\\d+\\|.*\\|org\\.rawsockets\\..*")).toList();
        assertTrue(ours.size() >= 2 + 2, "core + modbus + smtp at least: " + r);
        for (String l : ours) {
            assertTrue(l.matches("\\s*\\d+\\|Active .*"), "not active: " + l + "\n" + r);
        }
    }

    private static List<String> jars(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
    }

    // ---------------------------------------------------------------------------------------------

    private Result run(Path home, String... args) throws Exception {
        Running g = start(home, true, args);
        assertTrue(g.process.waitFor(GatewayProcessIT.WAIT.toSeconds() * 2, TimeUnit.SECONDS), "gateway finished");
        g.drain();
        return new Result(g.process.exitValue(), String.join("\n", g.out), String.join("\n", g.err));
    }

    private Running start(Path home, boolean closeStdin, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/gateway").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("GATEWAY_OPTS");
        Process p = pb.start();
        processes.add(p);
        if (closeStdin) {
            p.getOutputStream().close();
        }
        return new Running(p);
    }
}
