package org.rawsockets.ssh.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.e2e.OpenSshTestServer;

/**
 * The SSH hosts on the web console's Devices page, against a real OpenSSH sshd: the configured host
 * is IDLE, shows its session while one is open, IDLE again once it is closed (by the client, and when
 * the server dies), FAILED with the connect's error once the server is gone; never the passphrase.
 */
class SshHostsComponentTest {

    private static final String PASSPHRASE = "key pass phrase";

    @TempDir
    Path dir;
    private OpenSshTestServer sshd;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SshHostComponent lab;

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
        Path key = OpenSshTestServer.keygen("ed25519", dir.resolve("id_ed25519"), PASSPHRASE);
        sshd = OpenSshTestServer.start(dir.resolve("sshd"), List.of(Path.of(key + ".pub")));
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        SecretFiles secrets = TestSecrets.with(dir, "lab-key", PASSPHRASE);
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine("127.0.0.1") + "\n");
        Map<String, Object> m = new HashMap<>();
        m.put("name", "lab");
        m.put("host", "127.0.0.1");
        m.put("port", sshd.port());
        m.put("user", "root");
        m.put("keyFile", key.toString());
        m.put(".passphrase", "secret:lab-key");
        m.put("knownHosts", knownHosts.toString());
        m.put("reconnectAttempts", 0); // a connect to the stopped server fails at once
        m.put("service.pid", SshHostComponent.PID + "~lab");
        m.put("service.factoryPid", SshHostComponent.PID);
        lab = new SshHostComponent(sockets, m, secrets,
                new ConfigRegistry(SshHostComponent.PID, "SSH host"), pid -> {
                });
    }

    @AfterEach
    void stop() throws Exception {
        lab.deactivate();
        sockets.close();
        engine.close();
        sshd.close();
    }

    @Test
    void hostsShowTheirOpenSessionsAndTheLastConnectError() throws Exception {
        SshHostsComponent provider = new SshHostsComponent(List.of(lab));
        String endpoint = "root@127.0.0.1:" + sshd.port();
        assertEquals(List.of(new DeviceStatus("lab", "ssh", endpoint, "IDLE", null, null)), provider.devices());

        SshSession first = lab.connect().toCompletableFuture().get(60, TimeUnit.SECONDS);
        DeviceStatus connected = until(provider, s -> s.state().equals("CONNECTED (1 session open)"));
        assertNull(connected.lastError());
        assertNotNull(connected.lastChange());
        SshSession second = lab.connect().toCompletableFuture().get(60, TimeUnit.SECONDS);
        until(provider, s -> s.state().equals("CONNECTED (2 sessions open)"));

        second.close(); // the client ends one
        Instant before = until(provider, s -> s.state().equals("CONNECTED (1 session open)")).lastChange();
        first.close();
        DeviceStatus idle = until(provider, s -> s.state().equals("IDLE"));
        assertFalse(idle.lastChange().isBefore(before), idle + " after " + before);

        SshSession third = lab.connect().toCompletableFuture().get(60, TimeUnit.SECONDS);
        until(provider, s -> s.state().equals("CONNECTED (1 session open)"));
        sshd.close(); // the server dies: the session ends
        until(provider, s -> s.state().equals("IDLE"));
        assertFalse(third.isOpen());

        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> lab.connect().toCompletableFuture().get(60, TimeUnit.SECONDS));
        DeviceStatus failed = until(provider, s -> s.state().equals("FAILED"));
        assertEquals(refused.getCause().getMessage(), failed.lastError());
        assertTrue(failed.lastError().contains(String.valueOf(sshd.port())), failed.lastError());
        assertEquals(endpoint, failed.endpoint());
        assertFalse(failed.toString().contains(PASSPHRASE), failed.toString());
    }

    private static DeviceStatus until(SshHostsComponent provider, Predicate<DeviceStatus> condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<DeviceStatus> now = provider.devices();
            assertEquals(1, now.size(), now.toString());
            if (condition.test(now.get(0))) {
                return now.get(0);
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 60 s; devices: " + now);
            }
            Thread.sleep(20);
        }
    }
}
