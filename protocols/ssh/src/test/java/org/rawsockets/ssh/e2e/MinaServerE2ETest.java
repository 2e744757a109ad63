package org.rawsockets.ssh.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.ssh.e2e.TestSockets.await;
import static org.rawsockets.ssh.e2e.TestSockets.failure;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.ssh.HostKeyMode;
import org.rawsockets.ssh.SshConnector;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;

import com.sun.net.httpserver.HttpServer;

/**
 * The client through the socket-service transport against Apache MINA SSHD's own server in the JVM
 * (on its NIO2 transport): password and public key authentication, and peers that are not SSH.
 */
class MinaServerE2ETest {

    private static final String PASSWORD = "s3cret-Pa55";

    @TempDir
    Path dir;
    private SshServer server;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SshConnector ssh;
    private final List<PublicKey> authorized = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("hostkey.ser")));
        server.setPasswordAuthenticator((user, password, session) -> "alice".equals(user) && PASSWORD.equals(password));
        server.setPublickeyAuthenticator((user, key, session) -> "alice".equals(user)
                && authorized.stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
        server.setCommandFactory(ProcessShellCommandFactory.INSTANCE);
        server.start();
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        ssh = SshConnector.start(sockets);
    }

    @AfterEach
    void stop() throws Exception {
        ssh.close();
        sockets.close();
        engine.close();
        server.stop(true);
    }

    private SshSettings.Builder base() {
        return SshSettings.builder().host("127.0.0.1").port(server.getPort()).user("alice").hostKeyMode(HostKeyMode.OFF)
                .connectTimeout(Duration.ofSeconds(20));
    }

    @Test
    void passwordAuthentication() throws Exception {
        SshSession s = await(ssh.connect(base().password(PASSWORD).build()));
        assertEquals("hello\n", await(s.exec("echo hello", Duration.ofSeconds(30))).stdoutText());
        s.close();

        SshException e = failure(ssh.connect(base().password("wrong").build()), Duration.ofSeconds(30));
        assertEquals(Reason.AUTH_FAILED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("SSH authentication failed for user alice at 127.0.0.1:" + server.getPort()
                + ": server refused "), e.getMessage());
        assertTrue(e.getMessage().contains("password") && e.getMessage().contains("methods left: "), e.getMessage());
        assertFalse(e.getMessage().contains("wrong"), "the password is never in a message");
    }

    @Test
    void publicKeyAuthentication() throws Exception {
        Path key = OpenSshServer.keygen("ed25519", dir.resolve("id_ed25519"), "");
        KeyPair pair;
        try (InputStream in = Files.newInputStream(key)) {
            pair = SecurityUtils.loadKeyPairIdentities(null, () -> key.toString(), in, null).iterator().next();
        }
        SshException refused = failure(ssh.connect(base().keyFile(key).build()), Duration.ofSeconds(30));
        assertEquals(Reason.AUTH_FAILED, refused.reason(), refused.getMessage());
        assertTrue(refused.getMessage().contains("server refused publickey; methods left: "), refused.getMessage());

        authorized.add(pair.getPublic());
        SshSession s = await(ssh.connect(base().keyFile(key).build()));
        assertEquals("hello\n", await(s.exec("echo hello", Duration.ofSeconds(30))).stdoutText());
        s.close();
    }

    @Test
    void anHttpServerIsNotSsh() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        http.start();
        try {
            long t0 = System.nanoTime();
            SshException e = failure(ssh.connect(base().port(http.getAddress().getPort()).password(PASSWORD).build()),
                    Duration.ofSeconds(30));
            assertEquals(Reason.NOT_SSH, e.reason(), e.getMessage());
            assertEquals("127.0.0.1:" + http.getAddress().getPort() + " is not an SSH server: it closed the connection"
                    + " without an SSH identification line (check the port)", e.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20));
            TestSockets.waitUntil("socket released", Duration.ofSeconds(10), () -> sockets.sockets().isEmpty());
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aSilentPeerTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.add(silent.accept()); // accepts, then never says a word
                } catch (Exception ignored) {
                    // closed
                }
            });
            acceptor.start();
            long t0 = System.nanoTime();
            SshException e = failure(ssh.connect(base().port(silent.getLocalPort()).password(PASSWORD)
                    .connectTimeout(Duration.ofSeconds(2)).build()), Duration.ofSeconds(20));
            long took = System.nanoTime() - t0;
            assertEquals(Reason.TIMEOUT, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("timed out after 2 s during waiting for the SSH identification"), e.getMessage());
            assertTrue(e.getMessage().contains("is it an SSH server?"), e.getMessage());
            assertTrue(took < TimeUnit.SECONDS.toNanos(10), "bounded: " + took / 1_000_000 + " ms");
            TestSockets.waitUntil("socket released", Duration.ofSeconds(10), () -> sockets.sockets().isEmpty());
            for (Socket s : accepted) {
                s.close();
            }
            acceptor.join(5000);
        }
    }

    @Test
    void serverStoppedMidCommand() throws Exception {
        SshSession s = await(ssh.connect(base().password(PASSWORD).build()));
        var running = s.exec("sleep 60", Duration.ofSeconds(90));
        TestSockets.waitUntil("command running", Duration.ofSeconds(10), () -> !server.getActiveSessions().isEmpty()
                && server.getActiveSessions().get(0).isOpen());
        server.stop(true);
        SshException e = failure(running, Duration.ofSeconds(20));
        assertEquals(Reason.DISCONNECTED, e.reason(), e.getMessage());
        TestSockets.waitUntil("socket released", Duration.ofSeconds(10), () -> sockets.sockets().isEmpty());
    }
}
