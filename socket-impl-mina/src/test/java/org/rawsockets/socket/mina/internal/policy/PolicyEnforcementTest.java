package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;

/**
 * The policy enforced by the real engine on loopback: DNS rebinding, refusal before any packet,
 * quotas per bundle, bound-UDP send and receive filtering, audit entries.
 */
class PolicyEnforcementTest {

    static final long TIMEOUT_S = 20;
    static final String DECLARE_ALL = "TCP;host=\"*\";ports=\"*\",UDP_BOUND;host=\"*\";ports=\"*\"";

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    private MinaSocketEngine engine(PolicyEngine policy, AuditLog audit, HostResolver resolver) {
        return closeLater(new MinaSocketEngine(EngineConfig.defaults(), policy, audit, resolver));
    }

    private static PolicyEngine policy(Map<String, Object> config) {
        return new PolicyEngine(PolicySettings.from(config), o -> DECLARE_ALL);
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + TIMEOUT_S + " s", e);
        }
    }

    private static Throwable failure(CompletionStage<?> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + TIMEOUT_S + " s", e);
        }
        return fail("expected the stage to fail, it succeeded");
    }

    /** Accepts one connection, failing the test after the timeout. */
    private static Socket accept(ServerSocket server) throws IOException {
        server.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_S));
        try {
            return server.accept();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no connection reached " + server.getLocalSocketAddress() + " within " + TIMEOUT_S + " s", e);
        }
    }

    /**
     * A resolver that answers 127.0.0.1 on the first lookup and 127.0.0.2 on every later one. Only
     * 127.0.0.1 is granted; a listener on each address, same port.
     */
    @Test
    void dnsRebindingConnectsToTheCheckedAddressAndARefusedAnswerNeverConnects() throws Exception {
        InetAddress good = InetAddress.getByName("127.0.0.1");
        InetAddress evil = InetAddress.getByName("127.0.0.2");
        ServerSocket allowedListener = closeLater(new ServerSocket(0, 50, good));
        int port = allowedListener.getLocalPort();
        ServerSocket deniedListener = closeLater(new ServerSocket(port, 50, evil));

        AtomicInteger lookups = new AtomicInteger();
        HostResolver rebinding = (host, type) -> List.of(lookups.incrementAndGet() == 1 ? good : evil);
        RingAuditLog audit = new RingAuditLog(100);
        PolicyEngine policy = policy(Map.of("defaultGrants", false, "grant.app", "org.example.app tcp 127.0.0.1 " + port));
        OwnedSocketService sockets = engine(policy, audit, rebinding).serviceFor(Owner.of(42, "org.example.app"));

        // 1st lookup: 127.0.0.1, allowed. The connection must go to exactly that address.
        TcpSocket first = sockets.openTcp("rebind.test", port);
        TcpOpenInfo info = await(first.opened());
        assertEquals(good, info.remoteAddress().getAddress(), "connected to " + info.remoteAddress());
        try (Socket accepted = accept(allowedListener)) {
            assertEquals(good, accepted.getLocalAddress());
        }
        assertEquals(1, lookups.get(), "exactly one lookup per open (no second resolution)");

        // 2nd lookup: 127.0.0.2, refused before any packet.
        TcpSocket second = sockets.openTcp("rebind.test", port);
        Throwable refused = failure(second.opened());
        assertInstanceOf(NotAllowedException.class, refused);
        String m = refused.getMessage();
        assertTrue(m.contains("org.example.app [42]") && m.contains("rebind.test (127.0.0.2):" + port), m);
        assertTrue(m.contains("grant.app-tcp-127.0.0.2-" + port + " = org.example.app tcp 127.0.0.2 " + port), m);
        assertEquals(2, lookups.get());

        // The denied listener's first connection must be our marker: nothing of the engine's came before it.
        try (Socket marker = new Socket(evil, port); Socket seen = accept(deniedListener)) {
            assertEquals(marker.getLocalPort(), seen.getPort(),
                    "the denied listener saw a connection from port " + seen.getPort() + " before the marker");
        }

        List<AuditLog.Entry> entries = audit.recent(10);
        assertTrue(entries.stream().anyMatch(e -> e.outcome() == AuditLog.Outcome.OPENED
                && e.address() != null && e.address().getAddress().equals(good)), entries.toString());
        assertTrue(entries.stream().anyMatch(e -> e.outcome() == AuditLog.Outcome.REFUSED
                && e.address() != null && e.address().getAddress().equals(evil) && e.detail().equals(m)), entries.toString());
        await(first.close());
    }

    @Test
    void aBundleOverItsQuotaGetsNotAllowedAndOtherBundlesAreUnaffected() throws Exception {
        ServerSocket listener = closeLater(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
        int port = listener.getLocalPort();
        PolicyEngine policy = policy(Map.of("quota.small", "org.example.small maxOpenSockets=1"));
        MinaSocketEngine engine = engine(policy, AuditLog.NONE, HostResolver.JDK);
        OwnedSocketService small = engine.serviceFor(Owner.of(1, "org.example.small"));
        OwnedSocketService other = engine.serviceFor(Owner.of(2, "org.example.other"));

        TcpSocket s1 = small.openTcp("127.0.0.1", port);
        await(s1.opened());
        closeLater(accept(listener));
        Throwable over = failure(small.openTcp("127.0.0.1", port).opened());
        assertInstanceOf(NotAllowedException.class, over);
        assertTrue(over.getMessage().contains("org.example.small [1]") && over.getMessage().contains("maxOpenSockets"),
                over.getMessage());

        // Another bundle is not disturbed.
        for (int i = 0; i < 3; i++) {
            await(other.openTcp("127.0.0.1", port).opened());
            closeLater(accept(listener));
        }
        // Once the small bundle closes its socket it may open again.
        await(s1.close());
        await(small.openTcp("127.0.0.1", port).opened());
        closeLater(accept(listener));
    }

    @Test
    void boundUdpSendsToUngrantedDestinationsFailAndDatagramsFromUngrantedSourcesAreDropped() throws Exception {
        InetAddress good = InetAddress.getByName("127.0.0.1");
        InetAddress evil = InetAddress.getByName("127.0.0.2");
        DatagramSocket goodPeer = closeLater(new DatagramSocket(0, good));
        DatagramSocket evilPeer = closeLater(new DatagramSocket(goodPeer.getLocalPort(), evil));
        goodPeer.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_S));
        PolicyEngine policy = policy(Map.of("defaultGrants", false, "grant.udp", "org.example.udp udp-bound 127.0.0.1 *"));
        OwnedSocketService sockets = engine(policy, AuditLog.NONE, HostResolver.JDK).serviceFor(Owner.of(9, "org.example.udp"));

        UdpSocket udp = sockets.openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
        int localPort = await(udp.opened()).localAddress().getPort();
        int peerPort = goodPeer.getLocalPort();

        Throwable refused = failure(udp.writable().write(UdpMessage.to("127.0.0.2", peerPort, "no".getBytes(StandardCharsets.US_ASCII))));
        assertInstanceOf(NotAllowedException.class, refused);
        assertTrue(refused.getMessage().contains("udp send 127.0.0.2:" + peerPort), refused.getMessage());
        await(udp.writable().write(UdpMessage.to("127.0.0.1", peerPort, "yes".getBytes(StandardCharsets.US_ASCII))));
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        goodPeer.receive(p);
        assertEquals("yes", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));

        // Inbound: first from the ungranted source, then from the granted one; only the second arrives.
        InetSocketAddress target = new InetSocketAddress(good, localPort);
        byte[] evilData = "evil".getBytes(StandardCharsets.US_ASCII);
        byte[] goodData = "good".getBytes(StandardCharsets.US_ASCII);
        evilPeer.send(new DatagramPacket(evilData, evilData.length, target));
        goodPeer.send(new DatagramPacket(goodData, goodData.length, target));
        UdpMessage got = await(udp.readable().read()).value();
        assertNotNull(got);
        assertEquals("good", new String(got.bytes(), StandardCharsets.US_ASCII));
        assertEquals("127.0.0.1", got.remoteAddress());
        assertEquals(1, udp.droppedDatagrams(), "the datagram from 127.0.0.2 is dropped and counted");
        await(udp.close());
    }

    @Test
    void defaultPolicyRefusesAnUndeclaredBundleBeforeConnecting() throws Exception {
        ServerSocket listener = closeLater(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
        PolicyEngine policy = new PolicyEngine(PolicySettings.defaults(), o -> null);
        OwnedSocketService sockets = engine(policy, AuditLog.NONE, HostResolver.JDK).serviceFor(Owner.of(3, "org.example.undeclared"));
        Throwable refused = failure(sockets.openTcp("127.0.0.1", listener.getLocalPort()).opened());
        assertInstanceOf(NotAllowedException.class, refused);
        assertTrue(refused.getMessage().contains("declares no socket access"), refused.getMessage());
        try (Socket marker = new Socket(InetAddress.getByName("127.0.0.1"), listener.getLocalPort());
                Socket seen = accept(listener)) {
            assertEquals(marker.getLocalPort(), seen.getPort(), "the listener saw the refused bundle's connection");
        }
    }

    /**
     * Opens kept pending by a resolver that waits for a gate: a second pending open and writes
     * beyond the buffered-bytes quota fail for the small bundle only.
     */
    @Test
    void pendingOpensAndBufferedBytesQuotasArePerBundle() throws Exception {
        ServerSocket listener = closeLater(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
        int port = listener.getLocalPort();
        CountDownLatch gate = new CountDownLatch(1);
        closeables.add(gate::countDown);
        HostResolver gated = (host, type) -> {
            if (host.equals("slow.test")) {
                try {
                    if (!gate.await(TIMEOUT_S, TimeUnit.SECONDS)) {
                        throw new UnknownHostException("test gate not opened within " + TIMEOUT_S + " s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UnknownHostException("interrupted");
                }
                return List.of(InetAddress.getByName("127.0.0.1"));
            }
            return HostResolver.JDK.resolve(host, type);
        };
        PolicyEngine policy = policy(Map.of("quota.small", "org.example.small maxPendingOpens=1 maxBufferedBytes=100000"));
        MinaSocketEngine engine = engine(policy, AuditLog.NONE, gated);
        OwnedSocketService small = engine.serviceFor(Owner.of(1, "org.example.small"));
        OwnedSocketService other = engine.serviceFor(Owner.of(2, "org.example.other"));

        TcpSocket pending = small.openTcp("slow.test", port);
        Throwable overPending = failure(small.openTcp("slow.test", port).opened());
        assertInstanceOf(NotAllowedException.class, overPending);
        assertTrue(overPending.getMessage().contains("org.example.small [1]")
                && overPending.getMessage().contains("maxPendingOpens"), overPending.getMessage());

        // Writes on the pending socket are buffered (and counted) until it opens.
        CompletionStage<Void> w1 = pending.writable().write(new byte[60_000]);
        Throwable overBytes = failure(pending.writable().write(new byte[60_000]));
        assertInstanceOf(NotAllowedException.class, overBytes);
        assertTrue(overBytes.getMessage().contains("maxBufferedBytes"), overBytes.getMessage());

        // The other bundle is not limited by the small one's quotas.
        TcpSocket otherPending = other.openTcp("slow.test", port);
        TcpSocket otherSecond = other.openTcp("slow.test", port);
        CompletionStage<Void> o1 = otherPending.writable().write(new byte[60_000]);
        CompletionStage<Void> o2 = otherPending.writable().write(new byte[60_000]);
        assertTrue(!o1.toCompletableFuture().isCompletedExceptionally() && !o2.toCompletableFuture().isCompletedExceptionally());

        gate.countDown();
        await(pending.opened());
        await(otherPending.opened());
        await(otherSecond.opened());
        await(w1);
        await(o1);
        await(o2);
        for (int i = 0; i < 3; i++) {
            closeLater(accept(listener));
        }
    }

    /**
     * checkTcp decides as an open would (after DNS, per address), opens nothing, and audits a
     * refusal as a refused open; a name that does not resolve here is decided by name grants only.
     */
    @Test
    void checkTcpDecidesAfterDnsAuditsARefusalAndOpensNothing() throws Exception {
        ServerSocket listener = closeLater(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
        int port = listener.getLocalPort();
        HostResolver resolver = (host, type) -> {
            if (host.equals("other.example") || host.equals("127.0.0.1")) {
                return List.of(InetAddress.getByName("127.0.0.1"));
            }
            throw new UnknownHostException(host);
        };
        RingAuditLog audit = new RingAuditLog(100);
        Map<String, Object> config = Map.of("defaultGrants", false,
                "grant.ip", "org.example.app tcp 127.0.0.1 " + port,
                "grant.name", "org.example.app tcp behind.bastion " + port);
        PolicyEngine policy = policy(config);
        OwnedSocketService sockets = engine(policy, audit, resolver).serviceFor(Owner.of(42, "org.example.app"));

        await(sockets.checkTcp("127.0.0.1", port, org.rawsockets.socket.DnsQueryType.ANY));
        // a name resolving to the granted address is allowed after DNS, as openTcp would be
        await(sockets.checkTcp("other.example", port, org.rawsockets.socket.DnsQueryType.ANY));
        // not resolvable here: decided by the name grant alone
        await(sockets.checkTcp("behind.bastion", port, org.rawsockets.socket.DnsQueryType.ANY));

        Throwable refused = failure(sockets.checkTcp("127.0.0.1", port + 1 > 65535 ? port - 1 : port + 1,
                org.rawsockets.socket.DnsQueryType.ANY));
        assertInstanceOf(NotAllowedException.class, refused);
        assertTrue(refused.getMessage().contains("org.example.app"), refused.getMessage());
        Throwable unknown = failure(sockets.checkTcp("elsewhere.bastion", port, org.rawsockets.socket.DnsQueryType.ANY));
        assertInstanceOf(NotAllowedException.class, unknown);
        assertTrue(unknown.getMessage().contains("elsewhere.bastion"), unknown.getMessage());

        List<AuditLog.Entry> entries = audit.recent(10);
        assertEquals(2, entries.size(), "one entry per refusal, none for an allowed check: " + entries);
        AuditLog.Entry e = entries.get(1);
        assertEquals(AuditLog.Outcome.REFUSED, e.outcome());
        assertEquals(AccessKind.TCP_CONNECT, e.kind());
        assertEquals(0, e.socketId());
        assertEquals("elsewhere.bastion:" + port, e.destination());
        assertEquals(unknown.getMessage(), e.detail());
        assertTrue(sockets.sockets().isEmpty(), "no socket: " + sockets.sockets());
        listener.setSoTimeout(200);
        try (Socket s = listener.accept()) {
            fail("checkTcp connected to the listener");
        } catch (SocketTimeoutException expected) {
            // nothing connected
        }
    }
}
