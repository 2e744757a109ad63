package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Bytes.ascii;
import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;
import static org.rawsockets.socket.contract.Stages.awaitFailure;
import static org.rawsockets.socket.contract.Stages.eventually;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.SocketState;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;

/** Ownership: per-owner listings, the admin view, cleanup when an owner releases the service, endpoints. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class LifecycleContract extends ContractSupport {

    private static final String OTHER = "org.rawsockets.contract.other";

    private static void assertEof(Socket peer, String what) throws IOException {
        try {
            assertEquals(-1, peer.getInputStream().read(), what + ": the peer sees EOF");
        } catch (SocketTimeoutException e) {
            throw new AssertionError(what + ": the peer's connection is still open after " + PROMPT);
        }
    }

    @Test
    void releasingTheServiceClosesEverythingItOpened() throws IOException {
        JdkServer server = jdkServer();
        FullBacklogListener backlog = fullBacklogListener();
        SocketService other = fixture.open(OTHER);

        List<TcpSocket> mine = new ArrayList<>();
        List<Socket> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TcpSocket s = service.openTcp("127.0.0.1", server.port());
            await(s.opened(), "open #" + i);
            mine.add(s);
            peers.add(server.accept());
        }
        TcpSocket pending = service.openTcp("127.0.0.1", backlog.port(),
                TcpSocketOptions.builder().connectTimeout(Duration.ofSeconds(60)).build());
        UdpSocket udp = service.openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
        await(udp.opened(), "udp open");
        TcpServerSocket listener = service.listenTcp(TcpServerSocketOptions.of("127.0.0.1", 0));
        await(listener.opened(), "listen");

        TcpSocket others = other.openTcp("127.0.0.1", server.port());
        await(others.opened(), "other owner's open");
        Socket othersPeer = server.accept();

        assertEquals(6, service.sockets().size(), "the owner's listing: " + service.sockets());
        assertEquals(1, other.sockets().size(), "the other owner's listing: " + other.sockets());
        assertTrue(fixture.admin().sockets().stream().filter(s -> s.owner().contains(OWNER)).count() == 6,
                "admin lists the owner's sockets: " + fixture.admin().sockets());

        fixture.release(service);

        for (int i = 0; i < peers.size(); i++) {
            assertEof(peers.get(i), "connection #" + i + " after release");
        }
        awaitFailure(pending.opened(), SocketClosedException.class, "pending open after release");
        for (TcpSocket s : mine) {
            Stages.future(s.closed()).handle((v, e) -> null).join();
        }
        await(udp.closed(), "udp closed after release");
        await(listener.closed(), "listener closed after release");
        eventually("the admin no longer lists the released owner's sockets", PROMPT,
                () -> fixture.admin().sockets().stream().noneMatch(s -> s.owner().contains(OWNER)));

        // The other owner is untouched.
        assertEquals(SocketState.OPEN, others.info().state());
        await(others.writable().write(ascii("alive")), "other owner's write");
        assertEquals("alive", ascii(othersPeer.getInputStream().readNBytes(5)));
        assertTrue(fixture.admin().sockets().stream().anyMatch(s -> s.id() == others.info().id()),
                "the other owner's socket is still listed");
    }

    /** A write stalled on a non-reading peer fails with SocketClosedException when the owner releases the service. */
    @Test
    void releaseFailsStalledWrites() throws IOException {
        JdkServer server = closeAfter(new JdkServer(16 * 1024));
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(),
                TcpSocketOptions.builder().sendBufferSize(16 * 1024).build());
        await(socket.opened(), "open");
        server.accept();
        var stalled = socket.writable().write(new byte[(int) Math.max(16L << 20, 4 * fixture.bufferBound())]);
        fixture.release(service);
        awaitFailure(stalled, SocketClosedException.class, "a stalled write when the service is released");
    }

    /**
     * A write or read made once the owner released the service (a protocol client's worker racing its
     * bundle's stop) fails with the release as its reason, the owner named: at once, and after the
     * socket finished closing. (Found by the SMTP churn: a write made just after the release was queued
     * and failed as a bare "the socket ... is closed" when the connection went.)
     */
    @Test
    void aWriteOrReadAfterTheReleaseFailsNamingIt() throws IOException {
        JdkServer server = jdkServer();
        TcpSocket socket = service.openTcp("127.0.0.1", server.port());
        await(socket.opened(), "open");
        server.accept();
        UdpSocket udp = service.openUdp(UdpSocketOptions.connected("127.0.0.1", server.port()));
        await(udp.opened(), "udp open");
        fixture.release(service);
        assertReleased(awaitFailure(socket.writable().write(ascii("late")), SocketClosedException.class,
                "a write right after the release"));
        assertReleased(awaitFailure(udp.writable().write(org.rawsockets.socket.UdpMessage.of(ascii("late"))),
                SocketClosedException.class, "a datagram sent right after the release"));
        assertReleased(awaitFailure(socket.readable().read(), SocketClosedException.class,
                "a read right after the release"));
        Stages.future(socket.closed()).handle((v, e) -> null).join();
        assertReleased(awaitFailure(socket.writable().write(ascii("later")), SocketClosedException.class,
                "a write after the socket closed"));
        Stages.future(udp.closed()).handle((v, e) -> null).join();
        assertReleased(awaitFailure(udp.writable().write(org.rawsockets.socket.UdpMessage.of(ascii("later"))),
                SocketClosedException.class, "a datagram sent after the socket closed"));
    }

    private static void assertReleased(SocketClosedException e) {
        assertTrue(e.getMessage().contains(OWNER) && e.getMessage().contains("released"),
                "the failure names the owner's release: " + e.getMessage());
    }

    @Test
    void adminListsAllOwnersAndClosesById() throws IOException {
        JdkServer server = jdkServer();
        SocketService other = fixture.open(OTHER);
        TcpSocket a = service.openTcp("127.0.0.1", server.port());
        await(a.opened(), "a");
        Socket peerA = server.accept();
        TcpSocket b = other.openTcp("127.0.0.1", server.port());
        await(b.opened(), "b");
        server.accept();
        List<SocketInfo> all = fixture.admin().sockets();
        SocketInfo ia = all.stream().filter(s -> s.id() == a.info().id()).findFirst().orElseThrow();
        SocketInfo ib = all.stream().filter(s -> s.id() == b.info().id()).findFirst().orElseThrow();
        assertTrue(ia.owner().contains(OWNER), ia.owner());
        assertTrue(ib.owner().contains(OTHER), ib.owner());
        assertTrue(ia.id() != ib.id(), "ids are unique");
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).id() < all.get(i).id(), "ordered by id: " + all);
        }
        assertTrue(service.sockets().stream().noneMatch(s -> s.id() == ib.id()), "owners see only their own");

        await(fixture.admin().close(ia.id()).orElseThrow(), "admin close by id");
        await(a.closed(), "closed by the admin");
        assertEof(peerA, "connection closed by the admin");
        assertTrue(fixture.admin().close(Long.MAX_VALUE).isEmpty(), "closing an unknown id");
    }

    @Test
    void namedEndpoint() {
        int port = socatTcpEcho();
        // A fixture that cannot configure endpoints fails here (UnsupportedOperationException): never a skip.
        fixture.configureEndpoint(new EndpointInfo("contract-echo", "127.0.0.1", port, TlsMode.OFF, null, "socat echo"));
        assertTrue(service.endpoints().stream().anyMatch(e -> e.name().equals("contract-echo")),
                "the endpoint is listed: " + service.endpoints());
        assertTrue(fixture.admin().endpoints().stream().anyMatch(e -> e.name().equals("contract-echo")),
                "the admin lists the endpoint: " + fixture.admin().endpoints());
        TcpSocket socket = service.openTcpEndpoint("contract-echo", TcpSocketOptions.defaults());
        assertEquals(port, await(socket.opened(), "open the endpoint").remoteAddress().getPort());
        assertTrue(socket.info().destination().contains("contract-echo"),
                "destination names the endpoint: " + socket.info().destination());
        await(socket.writable().write(ascii("via endpoint")), "write");
        assertEquals("via endpoint", ascii(Bytes.readExactly(socket.readable(), 12)));

        int udpPort = peer("socat", "-d", "-d", "UDP-LISTEN:0,bind=127.0.0.1", "PIPE").awaitSocatPort();
        fixture.configureEndpoint(new EndpointInfo("contract-udp-echo", "127.0.0.1", udpPort, TlsMode.OFF, null, ""));
        UdpSocket udp = service.openUdpEndpoint("contract-udp-echo", UdpSocketOptions.connected("127.0.0.1", 9));
        assertEquals(udpPort, await(udp.opened(), "open the UDP endpoint").remote().orElseThrow().getPort(),
                "the endpoint's port, not the options'");
        await(udp.writable().write(org.rawsockets.socket.UdpMessage.of(ascii("udp via endpoint"))), "send");
        assertEquals("udp via endpoint", ascii(await(udp.readable().read(), "echo").value().bytes()));
    }
}
