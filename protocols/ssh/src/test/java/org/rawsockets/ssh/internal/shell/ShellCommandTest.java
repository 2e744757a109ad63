package org.rawsockets.ssh.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.ssh.e2e.OpenSshTestServer;
import org.rawsockets.ssh.internal.SshHostComponent;

/**
 * {@code ssh:shell} as Gogo calls it (a {@link CommandSession} whose keyboard and console are pipes)
 * against a real OpenSSH sshd: a PTY, the remote exit status, the {@code ~.} escape, the end of the
 * input, the attach channel's terminal variables and raw mode hook, and no thread or socket left.
 */
class ShellCommandTest {

    @TempDir
    Path dir;
    private OpenSshTestServer sshd;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SshHostComponent component;
    private SshCommands commands;
    private PipedOutputStream keyboard;
    private PipedInputStream keyboardIn;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final Map<String, Object> variables = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        Path key = OpenSshTestServer.keygen("ed25519", dir.resolve("id_ed25519"), "");
        sshd = OpenSshTestServer.start(dir.resolve("sshd"), List.of(Path.of(key + ".pub")));
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        Path secrets = Files.createDirectories(dir.resolve("secrets"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine("127.0.0.1") + "\n");
        ConfigRegistry registry = new ConfigRegistry(SshHostComponent.PID, "SSH host");
        Map<String, Object> props = new HashMap<>(Map.of("name", "lab", "host", "127.0.0.1", "port", sshd.port(), "user", "root",
                "keyFile", key.toString(), "knownHosts", knownHosts.toString(), "service.pid", SshHostComponent.PID + "~lab",
                "service.factoryPid", SshHostComponent.PID));
        component = new SshHostComponent(sockets, props, new SecretFiles(secrets.toString()), registry, pid -> { });
        commands = new SshCommands(registry);
        commands.addHost(component);
        keyboardIn = new PipedInputStream(64 * 1024);
        keyboard = new PipedOutputStream(keyboardIn);
    }

    @AfterEach
    void stop() throws Exception {
        org.rawsockets.ssh.internal.Deactivation.deactivate(component);
        sockets.close();
        engine.close();
        sshd.close();
    }

    /** Runs {@code ssh:shell [options] lab} on a thread, as the Gogo console would. */
    private CompletableFuture<Integer> shell(boolean check, String term, String size) {
        CommandSession session = session(keyboardIn, new PrintStream(synchronizedScreen(), true, StandardCharsets.UTF_8));
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                done.complete(commands.shell(session, check, term, size, "~", "lab"));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "test-gogo-command");
        t.start();
        return done;
    }

    private java.io.OutputStream synchronizedScreen() {
        return new java.io.OutputStream() {
            @Override
            public void write(int b) {
                synchronized (screen) {
                    screen.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (screen) {
                    screen.write(b, off, len);
                }
            }
        };
    }

    private CommandSession session(InputStream in, PrintStream out) {
        return (CommandSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { CommandSession.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "getKeyboard" -> in;
                    case "getConsole" -> out;
                    case "get" -> variables.get((String) args[0]);
                    case "put" -> variables.put((String) args[0], args[1]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private void type(String keys) throws Exception {
        keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    private String screen() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }

    private void waitForScreen(String marker) throws InterruptedException {
        waitUntil(() -> "'" + marker + "' on the screen; it shows:\n" + screen(), () -> screen().contains(marker));
    }

    private static void waitUntil(Supplier<String> what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 60 s: " + what.get());
            }
            Thread.sleep(20);
        }
    }

    private static List<String> shellThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("ssh-shell-")).toList();
    }

    private void assertAllGone() throws Exception {
        waitUntil(() -> "the SSH socket closed: " + sockets.sockets(), () -> sockets.sockets().isEmpty());
        assertEquals(List.of(), shellThreads(), "no pump thread left");
        sshd.waitForLog("Disconnected from user root", Duration.ofSeconds(30)); // the server saw the end
    }

    @Test
    void runsLinesOnAPtyAndReturnsTheExitStatus() throws Exception {
        CompletableFuture<Integer> status = shell(false, "", "");
        // computed markers: the terminal's echo of the typed line never matches them
        type("tty | sed 's/^/TTY=/'; stty size | sed 's/^/SIZE=/'; echo $TERM | sed 's/^/TERM=/'\n");
        waitForScreen("TERM=");
        String text = screen();
        assertTrue(text.contains("TTY=/dev/pts/"), text);
        assertTrue(text.contains("SIZE=24 80"), text);
        assertTrue(text.contains("[ssh:shell "), text);
        type("echo h''i; exit 3\n");
        assertEquals(3, status.get(60, TimeUnit.SECONDS));
        assertTrue(screen().contains("hi\n") && !screen().contains("hi\r"), "line mode: no CR added: " + screen());
        assertAllGone();
    }

    @Test
    void checkFailsWithTheRemoteStatusAndOptionsSetTheTerminal() throws Exception {
        CompletableFuture<Integer> status = shell(true, "vt100", "100x30");
        type("stty size | sed 's/^/SIZE=/'; echo $TERM | sed 's/^/TERM=/'\n");
        waitForScreen("TERM=vt100");
        assertTrue(screen().contains("SIZE=30 100"), screen());
        type("exit 4\n");
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> status.get(60, TimeUnit.SECONDS));
        RemoteCommandFailed failed = (RemoteCommandFailed) e.getCause();
        assertEquals(4, failed.exitStatus());
        assertEquals("shell on lab exited with status 4", failed.getMessage());
        assertAllGone();
    }

    @Test
    void tildeDotAfterALineEndClosesTheChannel() throws Exception {
        CompletableFuture<Integer> status = shell(false, "", "");
        // a ~. inside a line is typed as it is
        type("echo a~.b | sed 's/^/ESC=/'\n");
        waitForScreen("ESC=a~.b");
        type("echo ~~x | sed 's/^/TILDE=/'\n"); // not at a line start either
        waitForScreen("TILDE=~~x");
        // ~~ at a line start sends one ~: bash expands it to the session's home (a folder of the test) and
        // reports it is a directory (~~ sent as it is would be "command not found")
        type("~~/ 2>&1 | sed 's/^/HOME=/'; echo DOU''BLE\n");
        waitForScreen("DOUBLE\n");
        assertTrue(screen().contains(": Is a directory") && !screen().contains("~~/: No such file"), screen());
        type("sleep 600\n");
        sshd.waitForLog("Starting session: shell on pts/", Duration.ofSeconds(30));
        type("~.");
        assertEquals(-1, status.get(30, TimeUnit.SECONDS), "no exit status: the channel was closed");
        assertTrue(screen().contains("~. : closed the shell on lab"), screen());
        assertAllGone();
    }

    @Test
    void endOfInputEndsTheShell() throws Exception {
        CompletableFuture<Integer> status = shell(false, "", "");
        type("echo be''fore\n");
        keyboard.close(); // end of the console's input: Ctrl-D at the remote prompt logs out
        assertEquals(0, status.get(60, TimeUnit.SECONDS));
        assertTrue(screen().contains("before\n"), screen());
        assertAllGone();
    }

    @Test
    void attachedClientTerminalSizeAndRawModeHook() throws Exception {
        List<String> modes = new java.util.concurrent.CopyOnWriteArrayList<>();
        variables.put("TERM", "screen");
        variables.put("COLUMNS", "132");
        variables.put("LINES", "43");
        variables.put(ShellTerminal.TERMINAL_HOOK, (java.util.function.Function<String, String>) m -> {
            modes.add(m);
            return m;
        });
        CompletableFuture<Integer> status = shell(false, "", "");
        // raw mode: the remote terminal echoes, Enter is \r
        type("stty size | sed 's/^/SIZE=/'; echo $TERM | sed 's/^/TERM=/'\r");
        waitForScreen("TERM=screen");
        assertTrue(screen().contains("SIZE=43 132"), screen());
        assertTrue(screen().contains("echo $TERM"), "the remote terminal echoes in raw mode: " + screen());
        assertTrue(screen().contains("TERM=screen\r\n"), "and sends CR LF: " + screen());
        // the client's window resized: the attach channel updates the variables, the shell gets window-change
        variables.put("COLUMNS", "101");
        variables.put("LINES", "37");
        type("while [ \"$(stty size)\" != '37 101' ]; do sleep 0.1; done; echo RESIZED''-OK\r");
        waitForScreen("RESIZED-OK\r\n");
        type("exit 2\r");
        assertEquals(2, status.get(60, TimeUnit.SECONDS));
        assertEquals(List.of("raw", "off"), modes);
        assertAllGone();
    }

    @Test
    void unknownHostAndBadOptionsSayWhatToDo() {
        CommandSession session = session(keyboardIn, new PrintStream(synchronizedScreen(), true, StandardCharsets.UTF_8));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> commands.shell(session, false, "", "", "~", "nope"));
        assertEquals("no SSH host 'nope' (configured: [lab]; see ssh:hosts)", unknown.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> commands.shell(session, false, "", "80", "~", "lab"));
        assertEquals("ssh:shell -s '80': use COLSxROWS, e.g. -s 120x40", size.getMessage());
        IllegalArgumentException esc = assertThrows(IllegalArgumentException.class,
                () -> commands.shell(session, false, "", "", "ab", "lab"));
        assertEquals("ssh:shell -e 'ab': one ASCII character, or none", esc.getMessage());
    }

    @Test
    void aServerThatIsDownIsATypedErrorAndNoShell() throws Exception {
        int port = sshd.port();
        sshd.close();
        Map<String, Object> props = new HashMap<>(Map.of("name", "down", "host", "127.0.0.1", "port", port, "user", "root",
                "keyFile", dir.resolve("id_ed25519").toString(), "knownHosts", dir.resolve("known_hosts").toString(),
                "reconnectAttempts", 0, "service.pid", SshHostComponent.PID + "~down", "service.factoryPid",
                SshHostComponent.PID));
        SshHostComponent down = new SshHostComponent(sockets, props, new SecretFiles(dir.resolve("secrets").toString()),
                new ConfigRegistry(SshHostComponent.PID, "SSH host"), pid -> { });
        try {
            commands.addHost(down);
            CommandSession session = session(keyboardIn, new PrintStream(synchronizedScreen(), true, StandardCharsets.UTF_8));
            org.rawsockets.ssh.SshException e = assertThrows(org.rawsockets.ssh.SshException.class,
                    () -> commands.shell(session, false, "", "", "~", "down"));
            assertEquals(org.rawsockets.ssh.SshException.Reason.NETWORK, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            assertEquals(List.of(), shellThreads());
            waitUntil(() -> "no socket left: " + sockets.sockets(), () -> sockets.sockets().isEmpty());
        } finally {
            org.rawsockets.ssh.internal.Deactivation.deactivate(down);
        }
        sshd = OpenSshTestServer.start(dir.resolve("sshd"), List.of(Path.of(dir.resolve("id_ed25519") + ".pub")), port);
    }
}
