package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * {@code ssh:shell lab} in a running headless gateway through {@code bin/gateway-client}, against an
 * OpenSSH sshd the test starts: from a pipe ({@code -c}, line mode: the lines run, the remote status
 * is the client's exit code) and on a pseudo-terminal from script(1) (raw mode: the remote PTY, a
 * window resize passed on, the {@code ~.} escape, and the client's line editing back at the prompt afterwards), then in the
 * gateway's own Gogo console on a pseudo-terminal (raw mode through the console's stty switch: the
 * terminal's size, Ctrl-B reaching the remote line editor, {@code ~.}; then the terminal cooked again:
 * the next line is echoed locally and reaches Gogo; and the terminal cooked after a gateway stopped
 * in the middle of a raw shell).
 */
class SshShellProcessIT {

    static final Duration WAIT = GatewayProcessIT.WAIT;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sshShellThroughTheAttachChannel(TestInfo info) throws Exception {
        SshGatewayProcessIT.Lab lab = SshGatewayProcessIT.lab(info);
        processes.add(lab.sshd());
        Path home = lab.home();
        ProcessBuilder gw = new ProcessBuilder(home.resolve("bin/gateway").toString(), "--headless").directory(home.toFile());
        gw.environment().put("JAVA_HOME", System.getProperty("java.home"));
        gw.environment().remove("GATEWAY_OPTS");
        Process gateway = gw.start();
        processes.add(gateway);
        gateway.getOutputStream().close();
        GatewayProcessIT.Running g = new GatewayProcessIT.Running(gateway);
        g.awaitLine("gateway ready in|gateway started", WAIT);

        // From a pipe: the lines are typed into the remote terminal as they come; -c: the remote status is the exit code.
        ProcessBuilder piped = new ProcessBuilder(home.resolve("bin/gateway-client").toString(), "-c", "ssh:shell -c lab")
                .directory(home.toFile()).redirectErrorStream(true);
        piped.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = piped.start();
        processes.add(p);
        try (OutputStream in = p.getOutputStream()) {
            in.write("tty | sed 's/^/TTY=/'; echo h''i; exit 3\n".getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(readAll(p.getInputStream()), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), out);
        assertEquals(3, p.exitValue(), out + "\n--- sshd\n" + Files.readString(lab.sshdLog()));
        assertTrue(out.contains("line mode"), out);
        assertTrue(out.contains("TTY=/dev/pts/"), out);
        assertTrue(out.contains("hi\n") && !out.contains("hi\r"), "line mode: no CR added: " + out);
        assertTrue(out.contains("shell on lab exited with status 3"), out);

        // On a terminal: the interactive client, raw mode while the shell runs, ~. ends it, the prompt edits lines again.
        ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-c",
                "exec env --default-signal=INT " + home.resolve("bin/gateway-client"), "/dev/null")
                .directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("TERM", "xterm");
        Process t = pb.start();
        processes.add(t);
        StringBuffer screen = new StringBuffer();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (InputStream in = t.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0;) {
                    screen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        OutputStream keys = t.getOutputStream();
        awaitScreen(screen, "g! ", 0);
        int mark = screen.length();
        type(keys, "ssh:shell lab\r");
        awaitScreen(screen, "raw mode", mark);
        mark = screen.length();
        // Computed markers (the remote terminal echoes the typed line). Ctrl-B is bash's backward-char: the
        // raw key reaches the remote line editor (a local cooked terminal would pass it on inside the line).
        type(keys, "tty | sed 's/^/TTY=/'; echo $TERM | sed 's/^/TERM=/'; echo RAW=ac\u0002b\r");
        awaitScreen(screen, "RAW=abc\r\n", mark);
        String shown = screen.substring(mark);
        assertTrue(shown.contains("TTY=/dev/pts/"), shown);
        assertTrue(shown.contains("TERM=xterm"), shown);
        // A window resize of the client's terminal reaches the remote one (SIGWINCH -> TERMINAL frame -> window-change).
        String pts = clientTty(t);
        resize(pts, 101, 37);
        mark = screen.length();
        type(keys, "while [ \"$(stty size)\" != '37 101' ]; do sleep 0.1; done; echo RESIZED''-OK\r");
        awaitScreen(screen, "RESIZED-OK\r\n", mark);
        mark = screen.length();
        type(keys, "sleep 600\r");
        type(keys, "~.");
        awaitScreen(screen, "~. : closed the shell on lab", mark);
        awaitScreen(screen, "g! ", mark);
        mark = screen.length();
        // back at the client's prompt with line editing: Ctrl-B moves back one character
        type(keys, "echo ac\u0002b\r");
        awaitScreen(screen, "abc\r\n", mark);
        type(keys, "exit\r");
        assertTrue(t.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "client left at 'exit':\n" + screen);
        assertEquals(0, t.exitValue(), screen.toString());
        awaitLog(lab.sshdLog(), "Disconnected from user root", 2);
        assertTrue(gateway.isAlive());
        // no pump thread left in the gateway (its JVM's thread dump)
        String dump = threadDump(gateway);
        assertTrue(dump.contains("gateway-attach"), dump);
        assertTrue(!dump.contains("ssh-shell-"), dump);

        // The gateway's own console (Gogo's, line mode): stop the headless one, start it on a pseudo-terminal.
        gateway.destroy(); // SIGTERM: a clean stop
        assertTrue(gateway.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the headless gateway stopped");
        ProcessBuilder cb = new ProcessBuilder("script", "-q", "-e", "-c", "'" + home.resolve("bin/gateway")
                + "'; echo AFTER''-STOP; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo"
                + " -e isig -e -isig | sed 's/^/MODE=/'", "/dev/null")
                .directory(home.toFile()).redirectErrorStream(true);
        cb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        cb.environment().put("TERM", "xterm");
        cb.environment().remove("GATEWAY_OPTS");
        Process c = cb.start();
        processes.add(c);
        StringBuffer console = new StringBuffer();
        Thread consoleReader = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (InputStream in = c.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0;) {
                    console.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // ended
            }
        });
        consoleReader.setDaemon(true);
        consoleReader.start();
        OutputStream ckeys = c.getOutputStream();
        awaitScreen(console, "g! ", 0);
        String consoleTty = clientTty(c);
        resize(consoleTty, 120, 40);
        mark = console.length();
        type(ckeys, "ssh:shell lab\r");
        awaitScreen(console, "120x40, raw mode", mark);
        mark = console.length();
        // raw: Ctrl-B reaches the remote bash line editor (a cooked terminal would pass it on inside the line)
        type(ckeys, "tty | sed 's/^/TTY=/'; stty size | sed 's/^/SIZE=/'; echo RAW=ac\u0002b\r");
        awaitScreen(console, "RAW=abc\r\n", mark);
        assertTrue(console.substring(mark).contains("TTY=/dev/pts/"), console.substring(mark));
        assertTrue(console.substring(mark).contains("SIZE=40 120"), console.substring(mark));
        // a resized console window reaches the remote terminal (SIGWINCH to the gateway, window-change)
        resize(consoleTty, 97, 31);
        mark = console.length();
        type(ckeys, "while [ \"$(stty size)\" != '31 97' ]; do sleep 0.1; done; echo CONSOLE-RESIZED''-OK\r");
        awaitScreen(console, "CONSOLE-RESIZED-OK\r\n", mark);
        assertTrue(sttySays(consoleTty, "-icanon", "-echo", "-isig"), "the console's terminal is raw while the shell runs");
        mark = console.length();
        type(ckeys, "sleep 600\r");
        type(ckeys, "~.");
        awaitScreen(console, "~. : closed the shell on lab", mark);
        awaitScreen(console, "g! ", mark);
        assertTrue(sttySays(consoleTty, "icanon", "echo", "isig"), "the console's terminal is cooked again");
        // the next console line is echoed by the terminal and reaches Gogo (no thread of the shell left reading it)
        mark = console.length();
        type(ckeys, "echo back''-at-gogo\r");
        awaitScreen(console, "back-at-gogo\r\n", mark);
        assertTrue(console.substring(mark).contains("echo back''-at-gogo"), "echoed locally: " + console.substring(mark));
        // a gateway stopped (SIGTERM) while a shell runs raw gives the terminal its modes back on the way out
        mark = console.length();
        type(ckeys, "ssh:shell lab\r");
        awaitScreen(console, "raw mode", mark);
        type(ckeys, "echo REMOTE''-UP\r");
        awaitScreen(console, "REMOTE-UP\r\n", mark);
        assertTrue(sttySays(consoleTty, "-icanon", "-echo"), "raw again");
        List<ProcessHandle> javas = c.descendants().filter(h -> h.info().command().orElse("").endsWith("java")).toList();
        assertEquals(1, javas.size(), "the console gateway's JVM: " + c.descendants().toList());
        mark = console.length();
        javas.get(0).destroy();
        assertTrue(javas.get(0).onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS) != null);
        // script(1) runs stty -a on the same terminal after the gateway: its modes were given back
        awaitScreen(console, "AFTER-STOP", mark);
        assertTrue(c.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "script(1) ended after the gateway:\n" + console);
        String after = console.substring(console.indexOf("AFTER-STOP", mark));
        for (String flag : new String[] { "MODE=icanon", "MODE=echo", "MODE=isig" }) {
            assertTrue(after.contains(flag + "\r\n"), flag + " after the gateway stopped raw: " + after);
        }
        awaitLog(lab.sshdLog(), "Disconnected from user root", 4);
    }

    /**
     * Whether {@code stty -a} of the pseudo-terminal shows every flag (e.g. {@code -icanon}) — read
     * until it does or the deadline passes (the switch runs stty in the gateway).
     */
    private static boolean sttySays(String tty, String... flags) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String shown = "";
        do {
            Process p = new ProcessBuilder("stty", "-a", "-F", tty).redirectErrorStream(true).start();
            shown = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<String> words = List.of(shown.split("[\\s;]+"));
            if (java.util.Arrays.stream(flags).allMatch(words::contains)) {
                return true;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        System.err.println("stty -a -F " + tty + ":\n" + shown);
        return false;
    }

    /** jcmd Thread.print of the gateway's JVM (bin/gateway's process or the java it started). */
    private static String threadDump(Process gateway) throws Exception {
        List<ProcessHandle> candidates = new ArrayList<>(List.of(gateway.toHandle()));
        gateway.descendants().forEach(candidates::add);
        for (ProcessHandle h : candidates) {
            Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(h.pid()), "Thread.print").redirectErrorStream(true).start();
            j.getOutputStream().close();
            String text = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (j.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS) && j.exitValue() == 0 && text.contains("Full thread dump")) {
                return text;
            }
        }
        throw new AssertionError("no thread dump of the gateway (jcmd of " + candidates + ")");
    }

    /** Sets the window size of the pseudo-terminal {@code tty} (its foreground processes get SIGWINCH). */
    private static void resize(String tty, int columns, int rows) throws Exception {
        Process p = new ProcessBuilder("stty", "-F", tty, "cols", String.valueOf(columns), "rows", String.valueOf(rows))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS) && p.exitValue() == 0, "stty -F " + tty);
    }

    /** The pseudo-terminal script(1) gave the client ({@code /dev/pts/N}). */
    private static String clientTty(Process script) throws Exception {
        for (ProcessHandle h : script.descendants().toList()) {
            try {
                String tty = Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "fd", "0")).toString();
                if (tty.startsWith("/dev/pts/")) {
                    return tty;
                }
            } catch (IOException gone) {
                // not this one
            }
        }
        throw new AssertionError("no pts of the client under script(1): " + script.descendants().toList());
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    private static void type(OutputStream keys, String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private static void awaitScreen(StringBuffer screen, String text, int from) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (screen.indexOf(text, from) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + text + "' not on the terminal within " + WAIT + ":\n" + screen.substring(from));
            }
            Thread.sleep(20);
        }
    }

    private static void awaitLog(Path log, String line, int times) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (Files.readString(log).split(java.util.regex.Pattern.quote(line), -1).length - 1 < times) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(times + " x '" + line + "' not in the sshd log within " + WAIT + ":\n"
                        + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }
}
