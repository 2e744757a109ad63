package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.GatewayProcessIT.Running;
import org.rawsockets.launcher.fixture.TestBundles;

/**
 * {@code bin/gateway-client} against a real headless gateway process: commands run in the running
 * gateway with their output and exit status, Ctrl-C interrupts a command inside the gateway, a clear
 * error when no gateway runs, and the channel only the gateway's user can open.
 */
class AttachProcessIT {

    static final Duration WAIT = GatewayProcessIT.WAIT;

    private final List<Process> processes = new ArrayList<>();

    /** Debian's group of user nobody. */
    private static final String NOBODY_GROUP = "nogroup";

    private final List<Path> cleanupDirs = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException, IOException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        cleanupDirs.forEach(org.rawsockets.socket.testing.TempDirs::delete);
    }

    @Test
    void commandsRunInTheRunningGatewayWithTheirOutputAndExitStatus(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        TestBundles.blockingCommand(home.resolve("deploy/blocking.jar"));
        Running g = start(home, "bin/gateway", "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);

        GatewayProcessIT.Result ok = client(home, "-c", "echo attached-ok; lb -s");
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.stdout().contains("attached-ok"), ok.toString());
        // The bundle that FileInstall installed in the running gateway: the commands ran in it.
        assertTrue(ok.stdout().contains(TestBundles.BLOCKING_COMMAND_BSN), ok.toString());

        // Per statement: what ran before the failing statement printed, nothing after it ran.
        GatewayProcessIT.Result failed = client(home, "-c", "echo before-failure; no-such-command; echo after-failure");
        assertEquals(1, failed.exit(), failed.toString());
        assertTrue(failed.stdout().contains("before-failure"), failed.toString());
        assertFalse(failed.stdout().contains("after-failure"), failed.toString());
        assertTrue(failed.stderr().contains("command failed: no-such-command"), failed.toString());

        // Interactive: one session for the connection (a variable lives across lines); 'exit' leaves
        // the client, not the gateway.
        Running interactive = start(home, false, "bin/gateway-client");
        try (Writer w = new java.io.OutputStreamWriter(interactive.process.getOutputStream(), StandardCharsets.UTF_8)) {
            w.write("greeting = interactive-attached\necho $greeting\nexit\n");
        }
        interactive.awaitLine("interactive-attached", WAIT);
        assertTrue(interactive.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "client left at 'exit'");
        assertEquals(0, interactive.process.exitValue());
        assertTrue(g.process.isAlive(), "the gateway keeps running after the client leaves");

        // Back to back: a client sending its next command as soon as the status of the last one arrived
        // never gets "a command is still running" (the finished command's thread could still be alive).
        try (AttachSession session = AttachSession.open(home, WAIT)) {
            for (int i = 0; i < 1000; i++) {
                AttachSession.Reply r = session.run("echo back-to-back-" + i, WAIT);
                assertEquals(0, r.status(), "command " + i + ": " + r);
                assertEquals("back-to-back-" + i, r.out().trim(), "command " + i + ": " + r);
            }
        }

        // 'stop 0' through the client stops the headless gateway itself, which removes its socket.
        client(home, "-c", "stop 0");
        assertTrue(g.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "gateway stopped by the client's 'stop 0'");
        assertEquals(0, g.process.exitValue());
        assertFalse(Files.exists(home.resolve(AttachProtocol.SOCKET)), "socket removed at stop");
        assertFalse(Files.exists(home.resolve(AttachProtocol.TOKEN_FILE)), "token removed at stop");
    }

    @Test
    void ctrlCInterruptsTheCommandInsideTheGateway(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        TestBundles.blockingCommand(home.resolve("deploy/blocking.jar"));
        Running g = start(home, "bin/gateway", "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
        Path marker = home.resolve("blocked.marker");

        // SIGINT at its default, as in a terminal, however this build was started (a background job
        // of a non-interactive shell inherits SIGINT ignored, and so would the client).
        Running c = start(home, "/usr/bin/env", "--default-signal=INT", "bin/gateway-client", "-c", "echo starting; test:block "
                + marker);
        c.awaitLine("^blocking$", WAIT);
        long t0 = System.nanoTime();
        GatewayProcessIT.exec(home, "kill", "-INT", Long.toString(c.process.pid()));
        assertTrue(c.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "client ended after Ctrl-C");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        c.drain();
        assertEquals(130, c.process.exitValue(), "exit status of an interrupted command; stderr: " + c.err);
        assertTrue(String.join("\n", c.err).contains("interrupted"), "stderr: " + c.err);
        // The command itself was interrupted inside the gateway (not only the client gone).
        awaitFile(marker, "interrupted");
        System.out.println("ATTACH Ctrl-C -> client exit 130 in " + millis + " ms");

        // The gateway still answers.
        GatewayProcessIT.Result after = client(home, "-c", "echo still-answering");
        assertEquals(0, after.exit(), after.toString());
        assertTrue(after.stdout().contains("still-answering"), after.toString());

        // A client killed outright (no interrupt frame) also ends its command in the gateway.
        Path marker2 = home.resolve("killed.marker");
        Running k = start(home, "bin/gateway-client", "-c", "test:block " + marker2);
        k.awaitLine("^blocking$", WAIT);
        k.process.destroyForcibly();
        awaitFile(marker2, "interrupted");
    }

    @Test
    void noGatewayRunningIsAClearErrorWithExitStatus4(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        GatewayProcessIT.Result none = client(home, "-c", "lb");
        assertEquals(AttachClient.EXIT_NO_GATEWAY, none.exit(), none.toString());
        assertTrue(none.stderr().contains("no gateway is running in " + home), none.toString());

        // A gateway killed outright leaves its socket behind: still a clear error, and the next
        // gateway replaces the stale socket.
        Running g = start(home, "bin/gateway", "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
        g.process.destroyForcibly();
        assertTrue(g.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(Files.exists(home.resolve(AttachProtocol.SOCKET)), "SIGKILL leaves the socket");
        GatewayProcessIT.Result stale = client(home, "-c", "lb");
        assertEquals(AttachClient.EXIT_NO_GATEWAY, stale.exit(), stale.toString());
        assertTrue(stale.stderr().contains("did not stop cleanly"), stale.toString());

        Running again = start(home, "bin/gateway", "--headless");
        again.awaitLine("gateway ready in|gateway started", WAIT);
        GatewayProcessIT.Result ok = client(home, "-c", "echo replaced-stale-socket");
        assertEquals(0, ok.exit(), ok.toString());
        GatewayProcessIT.sigterm(again.process);
        assertTrue(again.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        GatewayProcessIT.Result stopped = client(home, "-c", "lb");
        assertEquals(AttachClient.EXIT_NO_GATEWAY, stopped.exit(), stopped.toString());
    }

    @Test
    void onlyTheGatewaysUserWithTheTokenCanAttach(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Running g = start(home, "bin/gateway", "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
        Path socket = home.resolve(AttachProtocol.SOCKET);
        Path token = home.resolve(AttachProtocol.TOKEN_FILE);
        // Other users cannot reach the socket or read the token.
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
        assertEquals(64, Files.readString(token).length(), "256-bit random token, hex");

        // A client that presents a wrong token is refused with a message, and nothing runs.
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            byte[] wrong = "0".repeat(64).getBytes(StandardCharsets.US_ASCII);
            AttachProtocol.write(ch, AttachProtocol.TOKEN, wrong, 0, wrong.length);
            AttachProtocol.Frame f = AttachProtocol.read(ch);
            assertNotNull(f);
            assertEquals(AttachProtocol.REFUSED, f.type(), f.text());
            assertTrue(f.text().contains("wrong or missing token"), f.text());
            assertEquals(null, AttachProtocol.read(ch), "connection closed after the refusal");
        }
        // A client that sends a command without the token first: refused too.
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            AttachProtocol.write(ch, AttachProtocol.COMMAND, "stop 0");
            AttachProtocol.Frame f = AttachProtocol.read(ch);
            assertEquals(AttachProtocol.REFUSED, f.type(), f.text());
        }
        assertTrue(g.process.isAlive(), "the refused 'stop 0' did not run");
        // A token from an earlier start is worth nothing: a new one is written at every start.
        String first = Files.readString(token);
        GatewayProcessIT.sigterm(g.process);
        assertTrue(g.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        Running g2 = start(home, "bin/gateway", "--headless");
        g2.awaitLine("gateway ready in|gateway started", WAIT);
        assertFalse(first.equals(Files.readString(token)), "new token at every start");
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            byte[] old = first.getBytes(StandardCharsets.US_ASCII);
            AttachProtocol.write(ch, AttachProtocol.TOKEN, old, 0, old.length);
            assertEquals(AttachProtocol.REFUSED, AttachProtocol.read(ch).type());
        }
        GatewayProcessIT.Result ok = client(home, "-c", "echo owner-attached");
        assertEquals(0, ok.exit(), ok.toString());
    }

    /**
     * A client run as another OS user ({@code nobody}, through setpriv) is refused: first by the modes
     * of {@code data/} and the socket; then, with those opened up and the token readable, by the attach
     * server itself (SO_PEERCRED), so the server's own check is what is tested. Needs root (CI runs as
     * root) and setpriv (util-linux): without them this fails, it never skips.
     */
    @Test
    void aClientRunAsAnotherOsUserIsRefused() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assertEquals(0, uid, "this test runs a client as user nobody, which needs root (CI runs as root)");
        String java = System.getProperty("java.home");
        Running probe = asNobody(Path.of("/"), java + "/bin/java", "-version");
        assertTrue(probe.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "java -version as nobody finished");
        probe.drain();
        assertEquals(0, probe.process.exitValue(), "user nobody must be able to run " + java
                + "/bin/java (setpriv from util-linux, a JDK readable by all): " + probe.err);

        // The gateway's folder where every user may reach it (the build folder may not be): under /tmp.
        Path tmp = Files.createTempDirectory(Path.of("/tmp"), "rawsockets-attach-");
        cleanupDirs.add(tmp);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = GatewayProcessIT.copyDistribution(tmp.resolve("gateway"));
        Running g = start(home, "bin/gateway", "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
        Path socket = home.resolve(AttachProtocol.SOCKET);
        Path token = home.resolve(AttachProtocol.TOKEN_FILE);
        assertFalse(Files.isSymbolicLink(socket), "bound in data/ itself (short path)");

        // As installed: nobody cannot even reach the socket (data/ is 0700).
        GatewayProcessIT.Result denied = clientAsNobody(home, "-c", "echo should-not-run");
        assertEquals(AttachClient.EXIT_REFUSED, denied.exit(), denied.toString());
        assertTrue(denied.stderr().contains("permission denied on " + socket), denied.toString());
        assertFalse(denied.stdout().contains("should-not-run"), denied.toString());

        // Socket and token opened up to everyone: the attach server still refuses another user.
        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        GatewayProcessIT.Result refused = clientAsNobody(home, "-c", "stop 0");
        assertEquals(AttachClient.EXIT_REFUSED, refused.exit(), refused.toString());
        assertTrue(refused.stderr().contains("refused: user nobody is not the gateway's user (root)"), refused.toString());
        // The refused 'stop 0' did not run: the gateway still answers its own user.
        GatewayProcessIT.Result owner = client(home, "-c", "echo owner-still-attached");
        assertEquals(0, owner.exit(), owner.toString());
        assertTrue(owner.stdout().contains("owner-still-attached"), owner.toString());
        assertTrue(g.process.isAlive());
    }

    @Test
    void onATerminalTheSessionHasLineEditingAndCtrlCInterrupts(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        TestBundles.blockingCommand(home.resolve("deploy/blocking.jar"));
        Running g = start(home, "bin/gateway", "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
        // A pseudo-terminal from script(1), as an operator's ssh session or console would give.
        // script(1) runs the command with $SHELL -c, /bin/sh (dash) when SHELL is unset (as in CI):
        // dash stays the pty's foreground parent, gets the Ctrl-C's SIGINT too and dies of it when the
        // client ends, so script reported 130 for a client that exited 0. 'exec' makes the client
        // itself the child, as an operator's login shell running it in the foreground would; env
        // --default-signal=INT gives it SIGINT at its default, however this build was started.
        ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-c",
                "exec env --default-signal=INT " + home.resolve("bin/gateway-client"), "/dev/null")
                .directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("TERM", "xterm");
        Path trace = home.resolve("client.trace");
        pb.environment().put(ClientTrace.VARIABLE, trace.toString());
        Process p = pb.start();
        processes.add(p);
        StringBuffer screen = new StringBuffer();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (java.io.InputStream in = p.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    screen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        java.io.OutputStream keys = p.getOutputStream();
        awaitScreen(screen, "g! ", 0);
        // Type "echo ac", one character back (Ctrl-B), "b", Enter: with line editing the command is
        // "echo abc" (without, the terminal would pass "echo ac^Bb").
        int mark = screen.length();
        keys.write("echo ac\u0002b\r".getBytes(StandardCharsets.UTF_8));
        keys.flush();
        awaitScreen(screen, "abc\r\n", mark); // the command's output line (the typed line echoes "ac", Ctrl-B, "b")
        // Ctrl-C while a command runs interrupts it in the gateway; the session goes on.
        Path marker = home.resolve("terminal.marker");
        mark = screen.length();
        keys.write(("test:block " + marker + "\r").getBytes(StandardCharsets.UTF_8));
        keys.flush();
        awaitScreen(screen, "blocking", mark);
        keys.write(3); // Ctrl-C
        keys.flush();
        awaitFile(marker, "interrupted");
        mark = screen.length();
        keys.write("echo 'after' 'ctrl-c'\r".getBytes(StandardCharsets.UTF_8));
        keys.flush();
        awaitScreen(screen, "after ctrl-c\r\n", mark);
        keys.write("exit\r".getBytes(StandardCharsets.UTF_8));
        keys.flush();
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "client left at 'exit':\n" + screen);
        // Everything the client printed until it exited (e.g. why it left), before judging its status.
        reader.join(WAIT.toMillis());
        assertEquals(0, p.exitValue(), () -> "-- client trace:\n" + read(trace) + "\n-- screen:\n" + screen
                + "\n-- gateway stdout:\n" + String.join("\n", g.out)
                + "\n-- gateway stderr:\n" + String.join("\n", g.err) + "\n-- log/gateway.log:\n" + tail(home.resolve(
                        "log/gateway.log")));
        assertTrue(g.process.isAlive());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static void awaitScreen(StringBuffer screen, String text, int from) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (screen.indexOf(text, from) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + text.replace("\r", "\\r").replace("\n", "\\n") + "' not on the terminal within "
                        + WAIT + ":\n" + screen);
            }
            Thread.sleep(20);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static void awaitFile(Path file, String content) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(Files.exists(file) && Files.readString(file).equals(content))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " does not say '" + content + "' within " + WAIT + ": "
                        + (Files.exists(file) ? Files.readString(file) : "missing"));
            }
            Thread.sleep(20);
        }
    }

    /** bin/gateway-client run as user nobody (setpriv: real and effective uid and gid, no supplementary groups). */
    private GatewayProcessIT.Result clientAsNobody(Path home, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/gateway-client").toString(), "--home", home.toString()));
        cmd.addAll(List.of(args));
        Running c = asNobody(home, cmd.toArray(String[]::new));
        assertTrue(c.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "gateway-client as nobody finished");
        c.drain();
        return new GatewayProcessIT.Result(c.process.exitValue(), String.join("\n", c.out), String.join("\n", c.err));
    }

    private Running asNobody(Path dir, String... cmd) throws IOException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=" + NOBODY_GROUP,
                "--clear-groups", "--"));
        command.addAll(List.of(cmd));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("HOME", "/tmp");
        pb.environment().remove("GATEWAY_OPTS");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("setpriv is missing (util-linux): it runs the client as another user", e);
        }
        processes.add(p);
        p.getOutputStream().close();
        return new Running(p);
    }

    private GatewayProcessIT.Result client(Path home, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "bin/gateway-client";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Running c = start(home, cmd);
        assertTrue(c.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "gateway-client finished");
        c.drain();
        return new GatewayProcessIT.Result(c.process.exitValue(), String.join("\n", c.out), String.join("\n", c.err));
    }

    private Running start(Path home, String... cmd) throws IOException {
        return start(home, true, cmd);
    }

    private Running start(Path home, boolean closeStdin, String... cmd) throws IOException {
        List<String> command = new ArrayList<>(List.of(cmd));
        command.set(0, home.resolve(cmd[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
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
