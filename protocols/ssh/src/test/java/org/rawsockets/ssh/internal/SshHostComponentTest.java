package org.rawsockets.ssh.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.e2e.OpenSshTestServer;
import org.rawsockets.ssh.internal.shell.SshCommands;

/**
 * The DS component and the shell commands, built from configuration maps as DS and FileInstall give
 * them, against a real OpenSSH sshd: secrets by reference, exec through the SshHost service, the
 * commands, and deactivation (bundle stop) closing every session and thread.
 */
class SshHostComponentTest {

    @TempDir
    Path dir;
    private OpenSshTestServer sshd;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SecretFiles secrets;
    private ConfigRegistry registry;
    private Path key;
    private Path knownHosts;
    private SshHostComponent component;
    /** The PIDs whose refused literal secrets the components asked to remove from the configuration store. */
    private final List<String> removed = new java.util.concurrent.CopyOnWriteArrayList<>();

    @RegisterExtension
    final TestWatcher printLog = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (sshd != null) {
                System.err.println("---- sshd log of " + context.getDisplayName() + " ----\n" + sshd.log());
            }
        }
    };

    @BeforeEach
    void start() throws Exception {
        key = OpenSshTestServer.keygen("ed25519", dir.resolve("id_ed25519"), "key pass phrase");
        sshd = OpenSshTestServer.start(dir.resolve("sshd"), List.of(Path.of(key + ".pub")));
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        secrets = TestSecrets.with(dir, "lab-key", "key pass phrase");
        registry = new ConfigRegistry(SshHostComponent.PID, "SSH host");
        knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine("127.0.0.1") + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (component != null) {
            component.deactivate();
        }
        sockets.close();
        engine.close();
        sshd.close();
    }

    private Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("name", "lab");
        m.put("host", "127.0.0.1");
        m.put("port", sshd.port());
        m.put("user", "root");
        m.put("keyFile", key.toString());
        m.put(".passphrase", "secret:lab-key");
        m.put("knownHosts", knownHosts.toString());
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        m.putIfAbsent("service.pid", SshHostComponent.PID + "~" + m.get("name"));
        m.putIfAbsent("service.factoryPid", SshHostComponent.PID);
        return m;
    }

    private static String run(ThrowingSupplier<Object> command) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            Object r = command.get();
            return out + (r == null ? "" : String.valueOf(r));
        } finally {
            System.setOut(old);
        }
    }

    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    @Test
    void reconnectsWithBackoffWhileTheServerIsDownButNotAfterARefusal() throws Exception {
        int port = sshd.port();
        sshd.close(); // the server is down: connects are refused
        component = new SshHostComponent(sockets, props("reconnectAttempts", 50, "reconnectMinMillis", 100L,
                "reconnectMaxMillis", 400L), secrets, registry, removed::add);
        java.util.concurrent.CompletableFuture<org.rawsockets.ssh.SshSession> pending = component.connect().toCompletableFuture();
        waitUntil("two failed attempts", () -> component.failedAttempts() >= 2);
        assertFalse(pending.isDone(), "still trying: " + pending);
        sshd = OpenSshTestServer.start(dir.resolve("sshd"), List.of(Path.of(key + ".pub")), port); // same host key
        org.rawsockets.ssh.SshSession s = pending.get(120, TimeUnit.SECONDS);
        assertEquals("back\n", s.exec("echo back", Duration.ofSeconds(30)).toCompletableFuture().get(60, TimeUnit.SECONDS)
                .stdoutText());
        s.close();
        long failed = component.failedAttempts();
        assertTrue(failed >= 2, "retried " + failed);
        component.deactivate();

        // a host key refusal is final: no retry
        Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
        component = new SshHostComponent(sockets, props("name", "lab2", "knownHosts", empty.toString(), "reconnectAttempts", 50,
                "reconnectDelayMillis", 100L), secrets, registry, removed::add);
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> component.connect().toCompletableFuture().get(120, TimeUnit.SECONDS));
        assertEquals(org.rawsockets.ssh.SshException.Reason.HOST_KEY_UNKNOWN, ((org.rawsockets.ssh.SshException) e.getCause()).reason());
        assertEquals(0, component.failedAttempts(), "not retried");
    }

    @Test
    void shellForwardAddListRemove() throws Exception {
        component = new SshHostComponent(sockets, props(), secrets, registry, removed::add);
        SshCommands shell = new SshCommands(registry);
        shell.addHost(component);
        // a local forward to the sshd's own port: what comes through is its SSH identification line
        String added = shell.forward("add", "lab", "L", "0:127.0.0.1:" + sshd.port());
        assertTrue(added.matches("1  lab  -L 127\\.0\\.0\\.1:\\d+:127\\.0\\.0\\.1:" + sshd.port()), added);
        int port = Integer.parseInt(added.split(":")[1]);
        try (java.net.Socket c = new java.net.Socket("127.0.0.1", port)) {
            c.setSoTimeout(60_000);
            String banner = new String(c.getInputStream().readNBytes(8), java.nio.charset.StandardCharsets.US_ASCII);
            assertEquals("SSH-2.0-", banner);
        }
        assertTrue(shell.forward("list").startsWith("1  lab  -L 127.0.0.1:" + port), shell.forward("list"));
        assertEquals("removed 1: -L 127.0.0.1:" + port + ":127.0.0.1:" + sshd.port(), shell.forward("remove", "1"));
        assertEquals("no forwards", shell.forward("list"));
        waitUntil("nothing listens on " + port, () -> {
            try (java.net.Socket c = new java.net.Socket("127.0.0.1", port)) {
                return false;
            } catch (java.io.IOException refused) {
                return true;
            }
        });
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> shell.forward("add", "lab", "X", "1:h:2"));
        assertTrue(bad.getMessage().startsWith("usage: ssh:forward add"), bad.getMessage());
    }

    @Test
    void execThroughTheServiceAndTheShell() throws Exception {
        component = new SshHostComponent(sockets, props(), secrets, registry, removed::add);
        assertEquals("lab", component.name());
        assertEquals("hi\n", component.exec("echo hi", Duration.ofSeconds(30)).toCompletableFuture().get(60, TimeUnit.SECONDS)
                .stdoutText());

        SshCommands shell = new SshCommands(registry);
        shell.addHost(component);
        assertEquals("lab  root@127.0.0.1:" + sshd.port() + "  auth=publickey  hostKeyMode=strict", shell.hosts());
        assertEquals("out\n0", run(() -> shell.exec(false, 30, "lab", "echo", "out")));
        assertEquals("3", run(() -> shell.exec(false, 30, "lab", "exit", "3")));
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> shell.exec(true, 30, "lab", "exit 3"));
        assertEquals("'exit 3' on lab exited with status 3", failed.getMessage());

        Path local = Files.writeString(dir.resolve("up.txt"), "shell upload\n");
        Path remoteDir = Files.createDirectories(dir.resolve("remote"));
        assertTrue(run(() -> shell.put(false, "lab", local.toString(), remoteDir + "/up.txt")).contains("100% (13/13 bytes)"));
        assertTrue(shell.ls("lab", remoteDir.toString()).endsWith("up.txt"), shell.ls("lab", remoteDir.toString()));
        Path back = dir.resolve("back.txt");
        run(() -> shell.get(false, "lab", remoteDir + "/up.txt", back.toString()));
        assertEquals("shell upload\n", Files.readString(back));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> shell.ls("nope", "/"));
        assertEquals("no SSH host 'nope' (configured: [lab]; see ssh:hosts)", unknown.getMessage());
    }

    @Test
    void fingerprintShowsAndLearnsTheHostKey() throws Exception {
        Path fresh = dir.resolve("fresh_known_hosts");
        component = new SshHostComponent(sockets, props("knownHosts", fresh.toString()), secrets, registry, removed::add);
        SshException unknown = assertThrows(SshException.class, () -> await(component.connect()));
        assertEquals(SshException.Reason.HOST_KEY_UNKNOWN, unknown.reason());
        SshCommands shell = new SshCommands(registry);
        shell.addHost(component);
        String shown = shell.fingerprint(true, "lab");
        assertTrue(shown.startsWith("lab  " + sshd.hostKeyFingerprint() + "\n[127.0.0.1]:" + sshd.port() + " ssh-ed25519 "),
                shown);
        assertTrue(shown.endsWith("added to " + fresh), shown);
        SshSession s = await(component.connect());
        s.close();
    }

    @Test
    void reconnectDelaysAreCheckedNamingTheProperty() {
        RuntimeException below = assertThrows(RuntimeException.class, () -> new SshHostComponent(sockets,
                props("name", "slow", "reconnectMinMillis", 5000L, "reconnectMaxMillis", 1000L), secrets, registry,
                removed::add));
        assertTrue(below.getMessage().contains("reconnectMaxMillis") && below.getMessage().contains("below reconnectMinMillis"
                + " (5000)"), below.getMessage());
        RuntimeException zero = assertThrows(RuntimeException.class, () -> new SshHostComponent(sockets,
                props("name", "zero", "reconnectMinMillis", 0L), secrets, registry, removed::add));
        assertTrue(zero.getMessage().contains("reconnectMinMillis"), zero.getMessage());
    }

    @Test
    void secretsAreReferencesNeverLiterals() throws Exception {
        ConfigRejectedException literal = assertThrows(ConfigRejectedException.class,
                () -> new SshHostComponent(sockets, props("name", "lit", ".passphrase", "key pass phrase"), secrets, registry, removed::add));
        assertFalse(literal.getMessage().contains("key pass phrase"), literal.getMessage());
        assertTrue(literal.getMessage().contains(".passphrase = secret:"), literal.getMessage());
        assertEquals(List.of(SshHostComponent.PID + "~lit"), removed, "the refused literal is removed from the store");
        // given back by Config Admin with the marker in its place: the same refusal, nothing more to remove
        ConfigRejectedException again = assertThrows(ConfigRejectedException.class, () -> new SshHostComponent(sockets,
                props("name", "lit", ".passphrase", null, ".passphrase.refused", "removed"), secrets, registry, removed::add));
        assertEquals(literal.getMessage(), again.getMessage());
        ConfigRejectedException password = assertThrows(ConfigRejectedException.class, () -> new SshHostComponent(sockets,
                props("name", "pw", "auth", "password", ".password", "hunter2"), secrets, registry, removed::add));
        assertTrue(password.getMessage().contains(".password = secret:"), password.getMessage());
        assertEquals(List.of(SshHostComponent.PID + "~lit", SshHostComponent.PID + "~pw"), removed);
        ConfigRejectedException noKnownHosts = assertThrows(ConfigRejectedException.class,
                () -> new SshHostComponent(sockets, props("name", "nokh", "knownHosts", null), secrets, registry, removed::add));
        assertTrue(noKnownHosts.getMessage().contains("knownHosts"), noKnownHosts.getMessage());

        component = new SshHostComponent(sockets, props(".passphrase", "secret:missing"), secrets, registry, removed::add);
        SshException missing = assertThrows(SshException.class, () -> await(component.connect()));
        assertEquals(SshException.Reason.CONFIGURATION, missing.reason(), missing.getMessage());
        assertTrue(missing.getMessage().startsWith("SSH host 'lab': the .passphrase "), missing.getMessage());
        assertFalse(sshd.log().contains("Connection from"), "nothing sent without the secret");
    }

    @Test
    void deactivationClosesSessionsAndThreads() throws Exception {
        component = new SshHostComponent(sockets, props(), secrets, registry, removed::add);
        SshSession s = await(component.connect());
        var running = s.exec("sleep 60", Duration.ofSeconds(90));
        sshd.waitForLog("Starting session: command", Duration.ofSeconds(20));
        assertEquals(1, sockets.sockets().size());
        component.deactivate();
        component = null;
        assertThrows(Exception.class, () -> running.toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertFalse(s.isOpen());
        waitUntil("socket closed", () -> sockets.sockets().isEmpty());
        waitUntil("no SSH threads: " + threads(), () -> threads().isEmpty());
        waitUntil("sshd saw the session end", () -> sshd.log().matches(
                "(?s).*(Received disconnect from 127\\.0\\.0\\.1|Connection closed by|Broken pipe|Connection reset).*"));
    }

    private static List<String> threads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.contains("rawsockets-ssh") || n.contains("SshClient")).toList();
    }

    private static void waitUntil(String what, java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }
}
