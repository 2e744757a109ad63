package org.rawsockets.ssh.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
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
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.e2e.OpenSshTestServer;
import org.rawsockets.ssh.internal.shell.SshCommands;

/**
 * The {@code jump} property of the host configuration against two real OpenSSH sshd (a bastion and a
 * target): the host's commands go through the bastion (the bundle's only socket is the bastion's, the
 * target's SSH_CONNECTION is its own port), chains, and the configuration errors (unknown name, cycle,
 * itself, with an endpoint).
 */
class SshHostJumpTest {

    @TempDir
    Path dir;
    private OpenSshTestServer bastion;
    private OpenSshTestServer target;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SecretFiles secrets;
    private ConfigRegistry registry;
    private Path key;
    private Path knownHosts;
    private final List<SshHostComponent> components = new ArrayList<>();

    @RegisterExtension
    final TestWatcher printLog = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (bastion != null) {
                System.err.println("---- bastion sshd log of " + context.getDisplayName() + " ----\n" + bastion.log());
            }
            if (target != null) {
                System.err.println("---- target sshd log of " + context.getDisplayName() + " ----\n" + target.log());
            }
        }
    };

    @BeforeEach
    void start() throws Exception {
        key = OpenSshTestServer.keygen("ed25519", dir.resolve("id_ed25519"), "key pass phrase");
        bastion = OpenSshTestServer.start(dir.resolve("bastion"), List.of(Path.of(key + ".pub")));
        target = OpenSshTestServer.start(dir.resolve("target"), List.of(Path.of(key + ".pub")));
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        secrets = TestSecrets.with(dir, "lab-key", "key pass phrase");
        registry = new ConfigRegistry(SshHostComponent.PID, "SSH host");
        knownHosts = Files.writeString(dir.resolve("known_hosts"), bastion.knownHostsLine("127.0.0.1") + "\n"
                + target.knownHostsLine("127.0.0.1") + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        for (SshHostComponent c : components) {
            c.deactivate();
        }
        sockets.close();
        engine.close();
        bastion.close();
        target.close();
    }

    private SshHostComponent host(String name, OpenSshTestServer server, Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("name", name);
        m.put("host", "127.0.0.1");
        m.put("port", server.port());
        m.put("user", "root");
        m.put("keyFile", key.toString());
        m.put(".passphrase", "secret:lab-key");
        m.put("knownHosts", knownHosts.toString());
        m.put("reconnectAttempts", 0);
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        m.put("service.pid", SshHostComponent.PID + "~" + name);
        m.put("service.factoryPid", SshHostComponent.PID);
        SshHostComponent c = new SshHostComponent(sockets, m, secrets, registry, pid -> {
        });
        components.add(c);
        return c;
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
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

    /**
     * "plc" configured with jump = bastion (activated before its bastion: the name is looked up at
     * connect): its session's only socket goes to the bastion, and the command runs on the target
     * (SSH_CONNECTION names the target's port). SshHost.exec and ssh:exec go the same way, and a
     * chain (a host on the bastion's sshd reached through plc, itself through the bastion) works.
     */
    @Test
    void theHostsCommandsGoThroughTheConfiguredBastion() throws Exception {
        SshHostComponent plc = host("plc", target, "jump", "bastion");
        host("bastion", bastion);

        SshSession s = await(plc.connect());
        String connection = await(s.exec("echo $SSH_CONNECTION", Duration.ofSeconds(60))).stdoutText().trim();
        assertTrue(connection.endsWith(" " + target.port()), "the command ran on the target: " + connection);
        List<SocketInfo> open = sockets.sockets();
        assertEquals(1, open.size(), "one socket, to the bastion: " + open);
        assertEquals(bastion.port(), open.get(0).remote().orElseThrow().getPort(), open.toString());
        assertTrue(bastion.log().contains("Accepted publickey for root"), bastion.log());
        s.close();
        waitUntil("the bastion's socket closed: " + sockets.sockets(), () -> sockets.sockets().isEmpty());

        assertEquals("root\n", await(plc.exec("whoami", Duration.ofSeconds(60))).stdoutText());
        SshCommands shell = new SshCommands(registry);
        components.forEach(shell::addHost);
        assertTrue(shell.hosts().contains("plc  root@127.0.0.1:" + target.port() + " via root@127.0.0.1:" + bastion.port()
                + "  auth=publickey"), shell.hosts());

        // a chain: back (the bastion's sshd again) through plc, through the bastion
        SshHostComponent back = host("back", bastion, "jump", "plc");
        SshSession b = await(back.connect());
        String again = await(b.exec("echo $SSH_CONNECTION", Duration.ofSeconds(60))).stdoutText().trim();
        assertTrue(again.endsWith(" " + bastion.port()), again);
        assertEquals(1, sockets.sockets().size(), "still one socket, to the bastion: " + sockets.sockets());
        assertEquals(bastion.port(), sockets.sockets().get(0).remote().orElseThrow().getPort(), sockets.sockets().toString());
        b.close();
        waitUntil("the chain's socket closed: " + sockets.sockets(), () -> sockets.sockets().isEmpty());
    }

    /** An unknown jump name and a cycle fail each connect with CONFIGURATION naming the hosts, before any packet. */
    /**
     * A caller waiting for a connect (the shell commands) allows every hop of the chain its own
     * connect time limit, and every retry with its longest delay (jitter included): 3 attempts of 4 s
     * (bastion) + 7 s (target), 1.2 s and 2.4 s between them. It waited one hop's limit + 5 s before,
     * whatever the chain and retries.
     */
    @Test
    void aConnectIsAllowedEveryHopsTimeLimitAndEveryRetry() throws Exception {
        SshHostComponent plc = host("plc", target, "jump", "bastion", "connectTimeoutMillis", 7000L,
                "reconnectAttempts", 2, "reconnectMinMillis", 1000L);
        host("bastion", bastion, "connectTimeoutMillis", 4000L, "reconnectAttempts", 5);
        assertEquals(Duration.ofMillis(3 * (4000 + 7000) + 1200 + 2400), plc.connectLimit());
        assertEquals(Duration.ofMillis(3 * (4000 + 7000) + 1200 + 2400 + 5000), SshCommands.connectLimit(plc),
                "the shell adds 5 s");
        SshHostComponent alone = host("alone", target, "connectTimeoutMillis", 20_000L, "reconnectAttempts", 4,
                "reconnectMinMillis", 20_000L);
        // delays double up to reconnectMaxMillis (default 30 s), +20 % jitter at most: 24, 36, 36, 36
        assertEquals(Duration.ofSeconds(5 * 20 + 24 + 36 + 36 + 36), alone.connectLimit());
        // reconnectMaxMillis set; and the former name reconnectDelayMillis still read as reconnectMinMillis
        SshHostComponent capped = host("capped", target, "connectTimeoutMillis", 1000L, "reconnectAttempts", 3,
                "reconnectMinMillis", 500L, "reconnectMaxMillis", 800L);
        assertEquals(Duration.ofMillis(4 * 1000 + 600 + 960 + 960), capped.connectLimit());
        SshHostComponent renamed = host("renamed", target, "connectTimeoutMillis", 20_000L, "reconnectAttempts", 4,
                "reconnectDelayMillis", 20_000L);
        assertEquals(alone.connectLimit(), renamed.connectLimit());
    }

    @Test
    void unknownJumpAndCycleAreConfigurationErrors() throws Exception {
        SshHostComponent plc = host("plc", target, "jump", "nowhere");
        SshException unknown = assertThrows(SshException.class, () -> await(plc.connect()));
        assertEquals(SshException.Reason.CONFIGURATION, unknown.reason(), unknown.getMessage());
        assertEquals("SSH host 'plc': jump 'nowhere' of host 'plc' is not a configured SSH host (configured: plc); set jump to"
                + " the name of an org.rawsockets.ssh.host configuration; nothing was sent", unknown.getMessage());

        host("a", bastion, "jump", "b");
        SshHostComponent b = host("b", target, "jump", "a");
        SshHostComponent c = host("c", target, "jump", "b");
        SshException cycle = assertThrows(SshException.class, () -> await(c.connect()));
        assertEquals(SshException.Reason.CONFIGURATION, cycle.reason(), cycle.getMessage());
        assertTrue(cycle.getMessage().startsWith("SSH host 'c': the jump chain c -> b -> a -> b is a cycle;"), cycle.getMessage());
        SshException exec = assertThrows(SshException.class, () -> await(b.exec("true", Duration.ofSeconds(10))));
        assertTrue(exec.getMessage().startsWith("SSH host 'b': the jump chain b -> a -> b is a cycle;"), exec.getMessage());

        assertTrue(sockets.sockets().isEmpty(), "nothing opened: " + sockets.sockets());
        assertFalse(bastion.log().contains("Connection from"), "the bastion saw nothing:\n" + bastion.log());
        assertFalse(target.log().contains("Connection from"), "the target saw nothing:\n" + target.log());
    }

    /** Mistakes visible in one configuration are refused at activation, naming the field. */
    @Test
    void jumpToItselfOrWithAnEndpointIsRefused() {
        ConfigRejectedException self = assertThrows(ConfigRejectedException.class, () -> host("self", target, "jump", "self"));
        assertTrue(self.getMessage().contains("jump") && self.getMessage().contains("names this host itself"), self.getMessage());
        ConfigRejectedException endpoint = assertThrows(ConfigRejectedException.class,
                () -> host("ep", target, "host", null, "endpoint", "plc", "jump", "bastion"));
        assertTrue(endpoint.getMessage().contains("jump") && endpoint.getMessage().contains("endpoint"), endpoint.getMessage());
    }
}
