package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * A bound UDP socket talks to its peers only: no made-up session (formerly one to 127.0.0.1:9); its
 * datagrams go out on the sender's thread, without a MINA session, while nothing of the socket waits
 * in MINA.
 */
class BoundUdpTest {

    @Test
    void noSessionIsCreatedExceptWithRealPeers() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (MinaSocketEngine engine = MinaSocketEngine.standalone(); DatagramSocket peer = new DatagramSocket(0, lo)) {
            peer.setSoTimeout(20_000);
            UdpSocket udp = engine.serviceFor(Owner.of(1, "udp.bundle")).openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
            int local = udp.opened().toCompletableFuture().get(20, TimeUnit.SECONDS).localAddress().getPort();
            UdpSocketImpl impl = (UdpSocketImpl) udp;
            assertEquals(0, impl.peerSessionsCreated(), "sessions created by opening: " + impl.peerSessions());

            udp.writable().write(UdpMessage.to("127.0.0.1", peer.getLocalPort(), "ping".getBytes(StandardCharsets.US_ASCII)))
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            peer.receive(p);
            assertEquals("ping", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
            assertEquals(local, p.getPort());
            byte[] pong = "pong".getBytes(StandardCharsets.US_ASCII);
            peer.send(new DatagramPacket(pong, pong.length, new InetSocketAddress(lo, local)));
            UdpMessage got = udp.readable().read().toCompletableFuture().get(20, TimeUnit.SECONDS).value();
            assertEquals("pong", new String(got.bytes(), StandardCharsets.US_ASCII));

            assertEquals(1, impl.peerSessionsCreated(), "one session, the peer's: " + impl.peerSessions());
            assertEquals(List.of(new InetSocketAddress(lo, peer.getLocalPort())), impl.peerSessions());
            udp.close().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    /**
     * A datagram goes out on the sender's thread straight to the socket's channel, without MINA's
     * write path and the session MINA would make for its destination: sending to many peers keeps
     * no session per peer.
     */
    @Test
    void datagramsGoOutInPlaceWithoutAPeerSession() throws Exception {
        try (MinaSocketEngine engine = MinaSocketEngine.standalone(); DatagramSocket a = new DatagramSocket(0, LO);
                DatagramSocket b = new DatagramSocket(0, LO)) {
            a.setSoTimeout(20_000);
            b.setSoTimeout(20_000);
            UdpSocket udp = engine.serviceFor(Owner.of(1, "udp.bundle")).openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
            int local = udp.opened().toCompletableFuture().get(20, TimeUnit.SECONDS).localAddress().getPort();
            UdpSocketImpl impl = (UdpSocketImpl) udp;
            for (int i = 0; i < 3; i++) {
                for (DatagramSocket peer : List.of(a, b)) {
                    udp.writable().write(UdpMessage.to("127.0.0.1", peer.getLocalPort(), ("ping" + i).getBytes(StandardCharsets.US_ASCII)))
                            .toCompletableFuture().get(20, TimeUnit.SECONDS);
                    DatagramPacket p = new DatagramPacket(new byte[100], 100);
                    peer.receive(p);
                    assertEquals("ping" + i, new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
                    assertEquals(local, p.getPort());
                }
            }
            assertEquals(0, udp.writable().queuedBytes());
            assertEquals(0, impl.peerSessionsCreated(), "sessions created by sending: " + impl.peerSessions());
            assertEquals(30, udp.info().bytesOut(), "bytes counted as sent");
            udp.close().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    /** {@code -Drawsockets.writeInPlace=false}: every datagram goes through MINA's session for its destination, as before. */
    @Test
    void theSwitchSendsThroughMinasPeerSession() throws Exception {
        MinaSocketEngine handOff = InPlaceWriteTest.startedWith("rawsockets.writeInPlace", "false", MinaSocketEngine::standalone);
        try (handOff; DatagramSocket peer = new DatagramSocket(0, LO)) {
            peer.setSoTimeout(20_000);
            UdpSocket udp = handOff.serviceFor(Owner.of(1, "udp.bundle")).openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
            udp.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
            udp.writable().write(UdpMessage.to("127.0.0.1", peer.getLocalPort(), "ping".getBytes(StandardCharsets.US_ASCII)))
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            peer.receive(p);
            assertEquals("ping", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
            assertEquals(1, ((UdpSocketImpl) udp).peerSessionsCreated());
            udp.close().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    private static final InetAddress LO = loopback();

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
