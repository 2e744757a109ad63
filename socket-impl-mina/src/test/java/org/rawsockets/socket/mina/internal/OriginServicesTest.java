package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.OriginSocketService;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;
import org.rawsockets.socket.mina.internal.policy.RingAuditLog;

/** Sockets opened for a web origin, through the real engine and policy, to a loopback listener. */
class OriginServicesTest {

    static final String ORIGIN = "http://127.0.0.1:8080";

    private ServerSocket peer;
    private MinaSocketEngine engine;
    private OriginServices origins;
    private final RingAuditLog audit = new RingAuditLog(100);

    @BeforeEach
    void start() throws Exception {
        peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        PolicyEngine policy = new PolicyEngine(PolicySettings.from(Map.of(
                "grant.page", "origin:" + ORIGIN + " tcp 127.0.0.1 " + peer.getLocalPort(),
                "quota.page", "origin:" + ORIGIN + " maxOpenSockets=2")), o -> "TCP;host=\"*\";ports=\"*\"");
        engine = new MinaSocketEngine(EngineConfig.defaults(), policy, audit, HostResolver.JDK);
        origins = new OriginServices(engine, Owner.of(7, "org.rawsockets.webbridge"));
    }

    @AfterEach
    void stop() throws Exception {
        origins.close();
        engine.close();
        audit.close();
        peer.close();
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void quotaCountsPerOriginAcrossConnectionsAndEachConnectionClosesItsOwnSockets() throws Exception {
        OriginSocketService a = origins.forOrigin(ORIGIN, "alice");
        OriginSocketService b = origins.forOrigin(ORIGIN, "bob");
        TcpSocket a1 = a.openTcp("127.0.0.1", peer.getLocalPort());
        TcpSocket b1 = b.openTcp("127.0.0.1", peer.getLocalPort());
        await(a1.opened());
        await(b1.opened());
        TcpSocket b2 = b.openTcp("127.0.0.1", peer.getLocalPort());
        ExecutionException over = assertThrows(ExecutionException.class, () -> await(b2.opened()));
        assertInstanceOf(NotAllowedException.class, over.getCause());
        assertTrue(over.getCause().getMessage().contains("maxOpenSockets (2"), over.getCause().getMessage());

        SocketInfo listed = engine.admin().sockets().get(0);
        assertEquals("org.rawsockets.webbridge [7] for origin " + ORIGIN, listed.owner());
        assertTrue(audit.recent(100).stream().anyMatch(e -> e.outcome() == AuditLog.Outcome.OPENED
                && ORIGIN.equals(e.owner().origin())), "the audit shows the origin");

        a.close();
        await(a1.closed().exceptionally(e -> null));
        assertTrue(b1.opened().toCompletableFuture().isDone() && !b1.closed().toCompletableFuture().isDone(),
                "closing alice's connection closed bob's socket");
        TcpSocket b3 = b.openTcp("127.0.0.1", peer.getLocalPort());
        await(b3.opened()); // alice's slot is free again
        b.close();
    }

    @Test
    void refusedDestinationIsNotAllowedAndAudited() throws Exception {
        OriginSocketService a = origins.forOrigin(ORIGIN, "alice");
        TcpSocket s = a.openTcp("127.0.0.1", peer.getLocalPort() == 65535 ? 65534 : peer.getLocalPort() + 1);
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(s.opened()));
        assertInstanceOf(NotAllowedException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("for origin " + ORIGIN), e.getCause().getMessage());
        assertTrue(audit.recent(100).stream().anyMatch(x -> x.outcome() == AuditLog.Outcome.REFUSED
                && ORIGIN.equals(x.owner().origin())));
        assertTrue(RingAuditLog.format(audit.recent(1).get(0)).contains("for origin " + ORIGIN));
    }

    @Test
    void originsMustBeSerialisedOrigins() {
        for (String bad : new String[] {"https://hmi.example.com/", "HTTPS://hmi", "hmi.example.com", "null", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> origins.forOrigin(bad, null));
            assertTrue(e.getMessage().contains("serialised web origin"), e.getMessage());
        }
        origins.forOrigin("https://[::1]:8443", null).close();
    }

    @Test
    void aClosedConnectionRefusesNewOpens() {
        OriginSocketService a = origins.forOrigin(ORIGIN, null);
        a.close();
        assertThrows(IllegalStateException.class, () -> a.openTcp("127.0.0.1", 1));
    }
}
