package org.rawsockets.ssh.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.ssh.e2e.TestSockets.await;
import static org.rawsockets.ssh.e2e.TestSockets.failure;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.helpers.AbstractConnectionService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.Quotas;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;
import org.rawsockets.ssh.PortForward;
import org.rawsockets.ssh.SshConnector;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;

/**
 * Local ({@code -L}) and remote ({@code -R}) port forwarding through a real OpenSSH sshd to a socat
 * echo peer: bytes checked both ways, the gateway's listener is a socket-service socket under the
 * policy, closing a forward ends its connections and channels.
 */
class ForwardingE2ETest {

    private static final int SIZE = 8 << 20;

    @TempDir
    static Path keys;
    private static Path key;

    @TempDir
    Path dir;
    private OpenSshServer sshd;
    private SocatEcho echo;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SshConnector ssh;

    @RegisterExtension
    final TestWatcher printLog = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (sshd != null) {
                System.err.println("---- sshd log of " + context.getDisplayName() + " ----\n" + sshd.log());
            }
            if (echo != null) {
                System.err.println("---- socat log ----\n" + echo.log());
            }
        }
    };

    @BeforeAll
    static void keys() throws Exception {
        key = OpenSshServer.keygen("ed25519", keys.resolve("id_ed25519"), "");
    }

    @BeforeEach
    void start() throws Exception {
        sshd = OpenSshServer.start(dir.resolve("sshd"), "ed25519", List.of(Path.of(key + ".pub")), "AllowTcpForwarding yes");
        echo = SocatEcho.start(dir.resolve("echo"));
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        ssh = SshConnector.start(sockets);
    }

    @AfterEach
    void stop() throws Exception {
        ssh.close();
        sockets.close();
        engine.close();
        echo.close();
        sshd.close();
    }

    private SshSettings settings() throws Exception {
        Path kh = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine("127.0.0.1") + "\n");
        return SshSettings.builder().host("127.0.0.1").port(sshd.port).user("root").keyFile(key).knownHosts(kh)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void localForwardCarriesBytesBothWaysThroughASocketServiceListener() throws Exception {
        SshSession s = await(ssh.connect(settings()));
        PortForward f = await(s.forwardLocal("127.0.0.1", 0, "127.0.0.1", echo.port));
        assertEquals(PortForward.Kind.LOCAL, f.kind());
        assertTrue(f.listenPort() > 0, f.toString());
        assertTrue(sockets.sockets().stream().anyMatch(i -> i.kind() == SocketKind.TCP_LISTEN
                && i.local().map(a -> a.getPort() == f.listenPort()).orElse(false)),
                "the listener is a socket of the socket service: " + sockets.sockets());
        roundTrip(f.listenPort(), 1);
        roundTrip(f.listenPort(), 2); // a second connection on the same forward
        assertEquals(List.of(f), s.forwards());
        closingEndsConnectionsAndChannels(s, f);
        s.close();
    }

    @Test
    void remoteForwardCarriesBytesBothWaysThroughTheServer() throws Exception {
        SshSession s = await(ssh.connect(settings()));
        PortForward f = await(s.forwardRemote("127.0.0.1", 0, "127.0.0.1", echo.port));
        assertEquals(PortForward.Kind.REMOTE, f.kind());
        assertTrue(f.listenPort() > 0, "the server chose a port: " + f);
        roundTrip(f.listenPort(), 3);
        closingEndsConnectionsAndChannels(s, f);
        s.close();
    }

    @Test
    void policyDecidesWhetherTheGatewayMayListen() throws Exception {
        SocketPolicy noListening = new SocketPolicy() {
            @Override
            public void check(Owner owner, Access access) throws NotAllowedException {
                if (access.kind() == AccessKind.TCP_LISTEN) {
                    throw new NotAllowedException("bundle " + owner.symbolicName() + " has no grant for " + access.describe());
                }
            }

            @Override
            public Quotas quotas(Owner owner) {
                return Quotas.UNLIMITED;
            }
        };
        try (MinaSocketEngine strict = new MinaSocketEngine(EngineConfig.defaults(), noListening, AuditLog.NONE, HostResolver.JDK);
                SshConnector c = SshConnector.start(strict.serviceFor(Owner.of(2, "org.rawsockets.ssh")))) {
            SshSession s = await(c.connect(settings()));
            SshException e = failure(s.forwardLocal("127.0.0.1", 0, "127.0.0.1", echo.port), Duration.ofSeconds(60));
            assertEquals(Reason.NOT_ALLOWED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith("local forward 127.0.0.1:0 -> 127.0.0.1:" + echo.port + " on root@127.0.0.1:"
                    + sshd.port + " not allowed: "), e.getMessage());
            assertTrue(e.getMessage().contains("tcp listen"), e.getMessage());
            assertTrue(s.forwards().isEmpty());
            assertTrue(s.isOpen(), "the session survives a refused forward");
            s.close();
        }
    }

    @Test
    void serverRefusingARemoteForwardIsATypedError() throws Exception {
        sshd.close();
        sshd = OpenSshServer.start(dir.resolve("sshd2"), "ed25519", List.of(Path.of(key + ".pub")), "AllowTcpForwarding local");
        SshSession s = await(ssh.connect(settings()));
        SshException e = failure(s.forwardRemote("127.0.0.1", 0, "127.0.0.1", echo.port), Duration.ofSeconds(60));
        assertEquals(Reason.FORWARD, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("refused by root@127.0.0.1:" + sshd.port) && e.getMessage().contains("AllowTcpForwarding"),
                e.getMessage());
        assertTrue(s.isOpen());
        s.close();
    }

    /** Sends {@code SIZE} random bytes through {@code port} and checks the echo byte for byte (SHA-256). */
    private static void roundTrip(int port, long seed) throws Exception {
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
            c.setSoTimeout(120_000);
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = c.getOutputStream();
                    Random r = new Random(seed);
                    byte[] chunk = new byte[64 * 1024];
                    for (int done = 0; done < SIZE; done += chunk.length) {
                        r.nextBytes(chunk);
                        sent.update(chunk);
                        out.write(chunk);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            InputStream in = c.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            while (got < SIZE) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, SIZE - got));
                if (n < 0) {
                    throw new AssertionError("the forward ended after " + got + " of " + SIZE + " bytes");
                }
                received.update(buf, 0, n);
                got += n;
            }
            writer.get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertArrayEquals(sent.digest(), received.digest(), "echoed bytes differ");
        }
    }

    private void closingEndsConnectionsAndChannels(SshSession s, PortForward f) throws Exception {
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress("127.0.0.1", f.listenPort()), 30_000);
            c.setSoTimeout(120_000);
            c.getOutputStream().write("ping".getBytes());
            byte[] pong = c.getInputStream().readNBytes(4);
            assertEquals("ping", new String(pong));
            TestSockets.waitUntil("a channel for the connection", Duration.ofSeconds(30), () -> channels(s) > 0);
            if (f.kind() == PortForward.Kind.REMOTE) {
                assertTrue(sockets.sockets().stream().anyMatch(i -> i.kind() == SocketKind.TCP
                        && i.remote().map(a -> a.getPort() == echo.port).orElse(false)),
                        "the gateway reached the target through its socket service: " + sockets.sockets());
            }
            long t0 = System.nanoTime();
            f.close();
            int end;
            try {
                end = c.getInputStream().read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the forwarded connection stayed open after close()", e);
            } catch (IOException reset) {
                end = -1;
            }
            assertEquals(-1, end, "the connection ends");
            TestSockets.waitUntil(() -> "the forward's channels closed, left: " + channels(s), Duration.ofSeconds(30),
                    () -> channels(s) == 0);
            System.out.printf("%s closed its connection and channel in %d ms%n", f, (System.nanoTime() - t0) / 1_000_000);
        }
        assertTrue(!f.isOpen() && s.forwards().isEmpty());
        TestSockets.waitUntil("nothing listens on " + f.listenPort() + " any more", Duration.ofSeconds(30),
                () -> !SocatEcho.accepting(f.listenPort()));
        assertTrue(s.isOpen(), "the session stays open");
    }

    private static int channels(SshSession s) {
        return ((AbstractConnectionService) s.clientSession().getService(ConnectionService.class)).getChannels().size();
    }
}
