package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Bytes.ascii;
import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;
import static org.rawsockets.socket.contract.Stages.awaitFailure;
import static org.rawsockets.socket.contract.Stages.eventually;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.socket.DnsQueryType;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.SocketState;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpOpenInfo;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;

/**
 * UDP sockets: connected (socat echo as the peer), bound (a JDK datagram socket as the peer: the
 * test must know the peer's exact source port and see the exact datagrams it received), and
 * multicast on the loopback interface with TTL 1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class UdpContract extends ContractSupport {

    private DatagramSocket jdkPeer() throws IOException {
        DatagramSocket s = closeAfter(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        s.setSoTimeout((int) PROMPT.toMillis());
        return s;
    }

    private static DatagramPacket receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
        s.receive(p);
        return p;
    }

    @Test
    void connectedEchoWithSocat() {
        int port = peer("socat", "-d", "-d", "UDP-LISTEN:0,bind=127.0.0.1", "PIPE").awaitSocatPort();
        UdpSocket socket = service.openUdp(UdpSocketOptions.connected("127.0.0.1", port));
        UdpOpenInfo info = await(socket.opened(), "open connected UDP");
        assertEquals(port, info.remote().orElseThrow().getPort(), "remote port");
        assertTrue(info.localAddress().getPort() > 0, "local port");
        assertEquals(SocketKind.UDP_CONNECTED, socket.info().kind());

        await(socket.writable().write(UdpMessage.of(ascii("datagram one"))), "send");
        UdpMessage reply = await(socket.readable().read(), "receive the echo").value();
        assertEquals("datagram one", ascii(reply.bytes()));
        await(socket.writable().write(UdpMessage.of(ascii("two"))), "send again");
        assertEquals("two", ascii(await(socket.readable().read(), "second echo").value().bytes()));
        eventually("counters", PROMPT, () -> socket.info().bytesOut() == 15 && socket.info().bytesIn() == 15);
    }

    /** A connected socket receives only its peer's datagrams. */
    @Test
    void connectedSocketIgnoresOtherSenders() throws IOException {
        DatagramSocket peer = jdkPeer();
        DatagramSocket stranger = jdkPeer();
        UdpSocket socket = service.openUdp(UdpSocketOptions.connected("127.0.0.1", peer.getLocalPort()));
        int localPort = await(socket.opened(), "open").localAddress().getPort();
        byte[] noise = ascii("stranger");
        stranger.send(new DatagramPacket(noise, noise.length, InetAddress.getLoopbackAddress(), localPort));
        byte[] data = ascii("peer");
        peer.send(new DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), localPort));
        assertEquals("peer", ascii(await(socket.readable().read(), "receive").value().bytes()),
                "the first datagram received is the peer's, the stranger's was filtered");
        await(socket.writable().write(UdpMessage.of(ascii("reply"))), "send");
        DatagramPacket p = receive(peer);
        assertEquals(localPort, p.getPort(), "sent from the connected socket's port");
    }

    @Test
    void boundSocketSeesSourcesAndAddressesEachSend() throws IOException {
        DatagramSocket peer = jdkPeer();
        UdpSocket socket = service.openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
        UdpOpenInfo info = await(socket.opened(), "open bound UDP");
        assertTrue(info.remote().isEmpty(), "a bound socket has no fixed remote");
        int localPort = info.localAddress().getPort();
        assertTrue(localPort > 0, "actual local port reported");
        assertEquals(SocketKind.UDP_BOUND, socket.info().kind());

        byte[] hello = ascii("from the peer");
        peer.send(new DatagramPacket(hello, hello.length, InetAddress.getLoopbackAddress(), localPort));
        UdpMessage m = await(socket.readable().read(), "receive").value();
        assertEquals("from the peer", ascii(m.bytes()));
        assertEquals("127.0.0.1", m.remoteAddress(), "source address");
        assertEquals(peer.getLocalPort(), m.remotePort(), "source port");

        await(socket.writable().write(UdpMessage.to("127.0.0.1", peer.getLocalPort(), ascii("to the peer"))),
                "send to an IP literal");
        DatagramPacket p = receive(peer);
        assertEquals("to the peer", new String(p.getData(), 0, p.getLength(), java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(localPort, p.getPort(), "sent from the bound port");

        await(socket.writable().write(new UdpMessage(ByteBuffer.wrap(ascii("by name")), "localhost",
                peer.getLocalPort(), DnsQueryType.IPV4)), "send to a host name resolved per send");
        DatagramPacket q = receive(peer);
        assertEquals(7, q.getLength(), "datagram sent to localhost");
    }

    /**
     * Nobody reads: datagrams beyond the bounded receive queue are dropped and counted, and what can
     * be read afterwards is at most what was sent minus what was counted as dropped.
     */
    @Test
    void unreadDatagramsAreBoundedAndDropsCounted() throws IOException {
        DatagramSocket peer = jdkPeer();
        UdpSocket socket = service.openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
        int port = await(socket.opened(), "open").localAddress().getPort();
        byte[] payload = new byte[512];
        // bursts until the implementation's queue overflows: on a busy machine the kernel's receive
        // buffer may drop (uncounted) most of one burst before the implementation has read any
        int sent = 0;
        long deadline = System.nanoTime() + PROMPT.toNanos();
        while (socket.droppedDatagrams() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("datagrams dropped and counted while nobody reads: none counted after "
                        + sent + " datagrams within " + PROMPT);
            }
            for (int i = 0; i < 1000; i++) {
                peer.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
            }
            sent += 1000;
        }
        long dropped = socket.droppedDatagrams();
        int received = 0;
        while (received < sent) {
            var read = socket.readable().read();
            if (Stages.stillPendingAfter(read, Duration.ofSeconds(1))) {
                break; // nothing more queued (the pending read is released by close)
            }
            assertEquals(512, await(read, "read").value().bytes().length);
            received++;
        }
        assertTrue(received > 0, "some datagrams were queued");
        assertTrue(received + dropped <= sent, "received " + received + " + dropped " + dropped + " <= sent " + sent);
        assertTrue(received < sent, "the receive queue is bounded: all " + sent + " were kept");
    }

    @Test
    void oversizedDatagramIsRefused() {
        UdpSocket socket = service.openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
        await(socket.opened(), "open");
        UdpMessage huge = UdpMessage.to("127.0.0.1", 9, new byte[70_000]);
        try {
            var stage = socket.writable().write(huge);
            awaitFailure(stage, IllegalArgumentException.class, "write of a 70000-byte datagram");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage() != null, "message");
        }
    }

    @Test
    void closeIsIdempotentAndCancelsReads() {
        UdpSocket socket = service.openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
        await(socket.opened(), "open");
        var pending = socket.readable().read();
        var a = socket.close();
        var b = socket.close();
        await(a, "close");
        await(b, "second close");
        await(socket.closed(), "closed");
        assertTrue(await(pending, "pending read after close").done(), "pending read sees the end");
        assertEquals(SocketState.CLOSED, socket.info().state());
        awaitFailure(socket.writable().write(UdpMessage.to("127.0.0.1", 9, new byte[1])), SocketClosedException.class,
                "send after close");
    }

    /**
     * Multicast on {@code lo} with TTL 1: our socket joins a group and receives what a JDK sender
     * sends to it on {@code lo}, then sends to the group and a JDK member receives it. Linux lets
     * sockets join groups on {@code lo} even without the MULTICAST flag when the interface is named
     * explicitly; {@link LoopbackMulticast} checks the platform first (and, as root, turns the flag on
     * if it must), so a platform limit fails with its own message.
     */
    @Test
    void multicastOnLoopback() throws IOException {
        String group = "239.255." + ThreadLocalRandom.current().nextInt(1, 255) + "."
                + ThreadLocalRandom.current().nextInt(1, 255);
        LoopbackMulticast.ensureAvailable(group);
        NetworkInterface lo = NetworkInterface.getByName("lo");
        InetAddress groupAddress = InetAddress.getByName(group);

        UdpSocket socket = service.openUdp(UdpSocketOptions.builder().local("0.0.0.0", 0).multicastInterface("lo")
                .multicastTimeToLive(1).multicastLoopback(true).multicastAllowAddressSharing(true).build());
        int port = await(socket.opened(), "open bound UDP for multicast").localAddress().getPort();
        await(socket.multicast().joinGroup(group), "join " + group + " on lo");
        assertEquals(java.util.List.of(group), socket.multicast().joinedGroups());

        try (DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
            sender.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
            sender.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
            sender.send(ByteBuffer.wrap(ascii("to the group")), new InetSocketAddress(groupAddress, port));
        }
        UdpMessage m = await(socket.readable().read(), "receive a datagram sent to the group").value();
        assertEquals("to the group", ascii(m.bytes()));

        try (DatagramChannel member = DatagramChannel.open(StandardProtocolFamily.INET)
                .setOption(StandardSocketOptions.SO_REUSEADDR, true).bind(new InetSocketAddress("0.0.0.0", 0))) {
            member.join(groupAddress, lo);
            int memberPort = ((InetSocketAddress) member.getLocalAddress()).getPort();
            await(socket.writable().write(UdpMessage.to(group, memberPort, ascii("from us to the group"))),
                    "send to the group");
            member.socket().setSoTimeout((int) PROMPT.toMillis());
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            member.socket().receive(p);
            assertEquals("from us to the group", new String(p.getData(), 0, p.getLength(),
                    java.nio.charset.StandardCharsets.US_ASCII));
        }

        await(socket.multicast().leaveGroup(group), "leave");
        assertTrue(socket.multicast().joinedGroups().isEmpty(), "no groups after leave");
        assertThrows(IllegalArgumentException.class, () -> socket.multicast().joinGroup("127.0.0.1"),
                "joining a unicast address");
    }

    /** multicastAllowAddressSharing: two sockets bind the same port and both get the group's datagrams. */
    @Test
    void multicastAddressSharing() throws IOException {
        String group = "239.255." + ThreadLocalRandom.current().nextInt(1, 255) + "."
                + ThreadLocalRandom.current().nextInt(1, 255);
        LoopbackMulticast.ensureAvailable(group);
        NetworkInterface lo = NetworkInterface.getByName("lo");
        UdpSocketOptions shared = UdpSocketOptions.builder().local("0.0.0.0", 0).multicastInterface("lo")
                .multicastAllowAddressSharing(true).build();
        UdpSocket first = service.openUdp(shared);
        int port = await(first.opened(), "first").localAddress().getPort();
        UdpSocket second = service.openUdp(shared.toBuilder().local("0.0.0.0", port).build());
        assertEquals(port, await(second.opened(), "second on the same port").localAddress().getPort());
        await(first.multicast().joinGroup(group), "first joins");
        await(second.multicast().joinGroup(group), "second joins");
        try (DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
            sender.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
            sender.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
            sender.send(ByteBuffer.wrap(ascii("to both")), new InetSocketAddress(InetAddress.getByName(group), port));
        }
        assertEquals("to both", ascii(await(first.readable().read(), "first receives").value().bytes()));
        assertEquals("to both", ascii(await(second.readable().read(), "second receives").value().bytes()));
    }

    @Test
    void connectedUdpToAnUnknownHostFails() {
        UdpSocket socket = service.openUdp(UdpSocketOptions.connected("nonexistent.invalid", 53));
        var e = awaitFailure(socket.opened(), org.rawsockets.socket.NetworkException.class, Duration.ofSeconds(60),
                "open UDP to nonexistent.invalid");
        assertTrue(e.getMessage().contains("nonexistent.invalid"), "message names the host: " + e.getMessage());
        assertEquals(org.rawsockets.socket.NetworkException.Reason.DNS, e.reason(), "reason of " + e);
    }
}
