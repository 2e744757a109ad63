package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.contract.FullBacklogListener;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;
import org.rawsockets.socket.mina.internal.policy.RingAuditLog;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * Happy Eyeballs (RFC 8305) on loopback: one name resolving to 127.0.0.1 and ::1 (injected resolver),
 * one of them blackholed by a listener whose backlog is full (its SYNs are dropped, the connect hangs).
 */
class HappyEyeballsTest {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final InetAddress V4 = address("127.0.0.1");
    static final InetAddress V6 = address("::1");

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        closeables.add(c);
        return c;
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private MinaSocketEngine engine(SocketPolicy policy, AuditLog audit, InetAddress... answer) {
        HostResolver resolver = (host, type) -> List.of(answer);
        return later(new MinaSocketEngine(new EngineConfig(2, CONNECT_TIMEOUT, 256 * 1024, 64 * 1024, 65507, 16, 4),
                policy, audit, resolver));
    }

    /** A blackholed listener on {@code dead} and a live one on {@code live}, both on the same port. */
    private record Pair(FullBacklogListener dead, ServerSocket live) {
        int port() {
            return live.getLocalPort();
        }
    }

    private Pair pair(InetAddress dead, InetAddress live) throws IOException {
        for (int i = 0; i < 20; i++) {
            FullBacklogListener d = new FullBacklogListener(dead, 0);
            try {
                ServerSocket l = new ServerSocket(d.port(), 50, live);
                later(d);
                later(l);
                return new Pair(d, l);
            } catch (BindException taken) {
                d.close(); // the port is used on the other address: another one
            }
        }
        throw new AssertionError("no port free on both " + dead + " and " + live + " after 20 tries");
    }

    private static <T> T await(CompletionStage<T> s) throws Exception {
        try {
            return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within 30 s", e);
        }
    }

    private static Throwable failure(CompletionStage<?> s) throws Exception {
        try {
            s.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        return fail("expected the open to fail");
    }

    private static Socket accept(ServerSocket server) throws IOException {
        server.setSoTimeout(20_000);
        try {
            return server.accept();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no connection reached " + server.getLocalSocketAddress(), e);
        }
    }

    /** Sockets of this process in SYN-SENT towards {@code port} (/proc/net/tcp and tcp6, state 02). */
    static int synSent(int port) throws IOException {
        int n = 0;
        for (String table : new String[] { "/proc/net/tcp", "/proc/net/tcp6" }) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[2].endsWith(String.format(":%04X", port)) && f[3].equals("02")) {
                    n++;
                }
            }
        }
        return n;
    }

    static void awaitNoSynSent(int port, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (synSent(port) > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(synSent(port) + " connect attempt(s) to port " + port
                        + " still in SYN-SENT " + within + " after the open: the losing attempt was not cancelled");
            }
            Thread.sleep(20);
        }
    }

    private void opensOverTheLiveAddressAfterTheAttemptDelay(InetAddress dead, InetAddress live) throws Exception {
        Pair p = pair(dead, live);
        RingAuditLog audit = new RingAuditLog(100);
        MinaSocketEngine engine = engine(SocketPolicy.ALLOW_ALL, audit, dead, live);
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "he.test"));

        long t0 = System.nanoTime();
        TcpSocket s = sockets.openTcp("dual.test", p.port());
        TcpOpenInfo info = await(s.opened());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("HAPPY-EYEBALLS " + dead.getHostAddress() + " blackholed, " + live.getHostAddress()
                + " live: open in " + ms + " ms (connectTimeout " + CONNECT_TIMEOUT.toMillis() + " ms)");
        assertEquals(live, info.remoteAddress().getAddress(), "connected to " + info.remoteAddress());
        assertTrue(ms >= TcpOpener.ATTEMPT_DELAY_MS - 20, "the second attempt started before the attempt delay: " + ms);
        assertTrue(ms < 2_000, "open took " + ms + " ms; one blackholed address must not use up the connectTimeout");
        later(accept(p.live()));

        // the losing attempt is cancelled, nothing of it is counted or kept
        awaitNoSynSent(p.port(), Duration.ofSeconds(10));
        assertEquals(1, engine.tcpConnector().getManagedSessionCount(), "sessions of the connector");
        assertEquals(1, sockets.sockets().size());
        List<AuditLog.Entry> entries = audit.recent(10);
        assertEquals(1, entries.size(), entries.toString());
        assertEquals(AuditLog.Outcome.OPENED, entries.get(0).outcome());
        assertEquals(live, entries.get(0).address().getAddress(), entries.toString());
        await(s.close());
    }

    @Test
    void blackholedIpv4FirstOpensOverIpv6AfterTheAttemptDelay() throws Exception {
        opensOverTheLiveAddressAfterTheAttemptDelay(V4, V6);
    }

    @Test
    void blackholedIpv6FirstOpensOverIpv4AfterTheAttemptDelay() throws Exception {
        opensOverTheLiveAddressAfterTheAttemptDelay(V6, V4);
    }

    /** The live address first: it wins at once and the blackholed one is never tried. */
    @Test
    void liveAddressFirstConnectsWithoutTryingTheOther() throws Exception {
        Pair p = pair(V4, V6);
        MinaSocketEngine engine = engine(SocketPolicy.ALLOW_ALL, AuditLog.NONE, V6, V4);
        TcpSocket s = engine.serviceFor(Owner.of(1, "he.test")).openTcp("dual.test", p.port());
        TcpOpenInfo info = await(s.opened());
        assertEquals(V6, info.remoteAddress().getAddress());
        assertEquals(0, synSent(p.port()), "an attempt to the blackholed 127.0.0.1 was started");
        later(accept(p.live()));
        await(s.close());
    }

    /** Families interleaved (RFC 8305 section 4), starting with the family of the first answer. */
    @Test
    void addressFamiliesAreInterleaved() throws Exception {
        InetAddress a1 = address("127.0.0.1");
        InetAddress a2 = address("127.0.0.2");
        InetAddress a3 = address("127.0.0.3");
        InetAddress b1 = address("::1");
        InetAddress b2 = address("::2");
        assertEquals(List.of(a1, b1, a2, b2, a3), TcpOpener.interleave(List.of(a1, a2, a3, b1, b2)));
        assertEquals(List.of(b1, a1, b2, a2, a3), TcpOpener.interleave(List.of(b1, b2, a1, a2, a3)));
        assertEquals(List.of(a1, a2), TcpOpener.interleave(List.of(a1, a2)));
    }

    @Test
    void everyAddressRefusedListsThemAll() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, V4)) {
            port = free.getLocalPort();
        }
        MinaSocketEngine engine = engine(SocketPolicy.ALLOW_ALL, AuditLog.NONE, V4, V6);
        Throwable t = failure(engine.serviceFor(Owner.of(1, "he.test")).openTcp("dual.test", port).opened());
        assertInstanceOf(NetworkException.class, t);
        String m = t.getMessage();
        assertTrue(m.contains("dual.test") && m.contains(":" + port), m);
        assertTrue(m.contains("127.0.0.1: Connection refused"), m);
        assertTrue(m.contains(V6.getHostAddress() + ": Connection refused"), m);
    }

    /** Both addresses blackholed: the connectTimeout bounds the whole open and names what was tried. */
    @Test
    void connectTimeoutBoundsEveryAttempt() throws Exception {
        FullBacklogListener deadV4 = null;
        FullBacklogListener deadV6 = null;
        for (int i = 0; i < 20 && deadV6 == null; i++) {
            deadV4 = new FullBacklogListener(V4, 0);
            try {
                deadV6 = new FullBacklogListener(V6, deadV4.port());
            } catch (BindException taken) {
                deadV4.close();
            }
        }
        later(deadV4);
        later(deadV6);
        MinaSocketEngine engine = engine(SocketPolicy.ALLOW_ALL, AuditLog.NONE, V4, V6);
        long t0 = System.nanoTime();
        TcpSocket s = engine.serviceFor(Owner.of(1, "he.test")).openTcp("dual.test", deadV4.port(),
                org.rawsockets.socket.TcpSocketOptions.builder().connectTimeout(Duration.ofMillis(1500)).build());
        Throwable t = failure(s.opened());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertInstanceOf(TimedOutException.class, t);
        assertTrue(ms >= 1400 && ms < 5000, "timed out after " + ms + " ms");
        assertTrue(t.getMessage().contains("tried 127.0.0.1, " + V6.getHostAddress()), t.getMessage());
        awaitNoSynSent(deadV4.port(), Duration.ofSeconds(10));
    }

    /**
     * The first answer is denied by the policy: skipped without a packet, the second one is used. Only
     * when every answer is denied does the open fail with the policy's refusal.
     */
    @Test
    void aPolicyDeniedAddressIsSkippedWithoutAPacket() throws Exception {
        InetAddress denied = address("127.0.0.2");
        ServerSocket allowedListener = later(new ServerSocket(0, 50, V4));
        int port = allowedListener.getLocalPort();
        ServerSocket deniedListener = later(new ServerSocket(port, 50, denied));
        PolicyEngine policy = new PolicyEngine(PolicySettings.from(Map.of("defaultGrants", false,
                "grant.app", "org.example.app tcp 127.0.0.1 " + port)), o -> "TCP;host=\"*\";ports=\"*\"");
        RingAuditLog audit = new RingAuditLog(100);
        MinaSocketEngine engine = engine(policy, audit, denied, V4);
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(42, "org.example.app"));

        TcpSocket s = sockets.openTcp("mixed.test", port);
        TcpOpenInfo info = await(s.opened());
        assertEquals(V4, info.remoteAddress().getAddress());
        later(accept(allowedListener));
        // the denied listener's first connection is our marker: nothing of the engine's came before it
        try (Socket marker = new Socket(denied, port); Socket seen = accept(deniedListener)) {
            assertEquals(marker.getLocalPort(), seen.getPort(),
                    "the denied listener saw a connection from port " + seen.getPort() + " before the marker");
        }
        assertTrue(audit.recent(10).stream().allMatch(e -> e.outcome() == AuditLog.Outcome.OPENED
                && e.address().getAddress().equals(V4)), audit.recent(10).toString());

        // every answer denied: the policy's refusal, audited as REFUSED
        MinaSocketEngine onlyDenied = engine(policy, audit, denied);
        Throwable t = failure(onlyDenied.serviceFor(Owner.of(42, "org.example.app")).openTcp("mixed.test", port)
                .opened());
        assertInstanceOf(NotAllowedException.class, t);
        assertTrue(audit.recent(1).get(0).outcome() == AuditLog.Outcome.REFUSED
                && audit.recent(1).get(0).address().getAddress().equals(denied), audit.recent(1).toString());
        await(s.close());
    }
}
