package org.rawsockets.webbridge.internal.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.webbridge.internal.protocol.Frame;

/**
 * Backpressure across the bridge, both directions, with a real device on loopback. "Stalled" is a
 * condition waited for with a generous deadline: the device's non-blocking writes (or the page's
 * credit) make no progress for half a second in a row. A bridge that ignored credit would keep
 * moving bytes and fail the deadline, never pass by luck.
 */
class FlowControlTest {

    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(90);
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private MinaSocketEngine engine;
    private MinaSocketEngine.OwnedSocketService sockets;
    private final LoopbackPeers peers = new LoopbackPeers();
    private final FakePage page = new FakePage();

    @BeforeEach
    void start() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.webbridge"));
    }

    @AfterEach
    void stop() {
        if (page.session != null) {
            page.session.ended();
        }
        sockets.close();
        engine.close();
        peers.close();
    }

    /** Writes {@code data} non-blocking until the device's send buffer stays full for {@link #QUIET_NANOS}. */
    private static int writeUntilStalled(SocketChannel device, ByteBuffer data) throws IOException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        long quietSince = System.nanoTime();
        int written = 0;
        while (true) {
            int n = device.write(data);
            written += n;
            long now = System.nanoTime();
            if (n > 0) {
                quietSince = now;
            } else if (now - quietSince >= QUIET_NANOS) {
                return written;
            }
            if (!data.hasRemaining()) {
                fail("the device wrote all " + written + " bytes: the bridge kept reading without the page's credit");
            }
            if (now > deadline) {
                fail("the device's writes never stalled within " + DEADLINE_NANOS / 1_000_000_000 + " s");
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void aPageThatStopsReadingStopsTheGatewayReadingFromTheDevice() throws Exception {
        ServerSocketChannelPeer device = new ServerSocketChannelPeer();
        peers.register(device);
        page.connect(sockets, Limits.DEFAULTS);
        page.open(Frame.OPEN_TCP, 1, BridgeSessionTest.tcp(device.port()));
        int credit = 100_000;
        page.credit(1, credit);
        page.expect(Frame.OPENED, 1);
        SocketChannel dev = device.accept();
        byte[] payload = new byte[64 << 20];
        new Random(3).nextBytes(payload);
        ByteBuffer toSend = ByteBuffer.wrap(payload);
        int written = writeUntilStalled(dev, toSend);

        // the page got exactly its credit, no byte more
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < credit) {
            FakePage.Got g = page.nextNonCredit();
            assertEquals(Frame.DATA, g.type(), "unexpected " + g);
            got.writeBytes(g.payload());
        }
        assertEquals(credit, got.size());
        assertTrue(page.frames.stream().noneMatch(g -> g.type() == Frame.DATA), "DATA beyond the page's credit");
        SocketInfo info = sockets.sockets().get(0);
        System.out.printf("page stopped reading: device wrote %d bytes before stalling, gateway received %d,"
                + " page got %d; bridge outbound queue peak %d%n", written, info.bytesIn(), got.size(),
                page.session.outboundPeak());
        assertTrue(written < payload.length / 4, "device wrote " + written);
        assertTrue(page.session.outboundPeak() <= Limits.DEFAULTS.outboundMax());

        // the page reads again: everything arrives, in order
        Thread writer = new Thread(() -> {
            try {
                while (toSend.hasRemaining()) {
                    if (dev.write(toSend) == 0) {
                        Thread.onSpinWait();
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "device-writer");
        writer.setDaemon(true);
        writer.start();
        page.credit(1, 1 << 20);
        long granted = credit + (1 << 20);
        while (got.size() < payload.length) {
            FakePage.Got g = page.nextNonCredit();
            assertEquals(Frame.DATA, g.type(), "unexpected " + g);
            got.writeBytes(g.payload());
            assertTrue(got.size() <= granted, "DATA beyond the page's credit");
            if (granted - got.size() < (1 << 19)) {
                page.credit(1, 1 << 20);
                granted += 1 << 20;
            }
        }
        assertArrayEquals(sha256(payload), sha256(got.toByteArray()));
    }

    @Test
    void aDeviceThatStopsReadingStallsThePagesWrites() throws Exception {
        LinkedBlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        ServerSocket server = peers.tcpServer(accepted);
        page.connect(sockets, Limits.DEFAULTS);
        page.open(Frame.OPEN_TCP, 1, BridgeSessionTest.tcp(server.getLocalPort()));
        page.expect(Frame.OPENED, 1);
        int credit = page.expect(Frame.CREDIT, 1).creditAmount();
        Socket device = accepted.poll(60, TimeUnit.SECONDS);
        assertTrue(device != null);

        byte[] payload = new byte[64 << 20];
        new Random(5).nextBytes(payload);
        int sent = 0;
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (true) {
            while (credit > 0 && sent < payload.length) {
                int n = Math.min(Math.min(credit, Frame.MAX_DATA), payload.length - sent);
                page.send(Frame.encode(Frame.DATA, 1, ByteBuffer.wrap(payload, sent, n)));
                sent += n;
                credit -= n;
            }
            assertTrue(sent < payload.length, "the page could send everything to a device that does not read");
            FakePage.Got g = page.frames.poll(QUIET_NANOS, TimeUnit.NANOSECONDS);
            if (g == null) {
                break; // no credit came back for half a second: the page's writes are stalled
            }
            assertEquals(Frame.CREDIT, g.type(), "unexpected " + g);
            credit += g.creditAmount();
            assertTrue(System.nanoTime() < deadline, "the page's writes never stalled");
        }
        System.out.printf("device stopped reading: the page sent %d bytes before its writes stalled%n", sent);
        assertTrue(sent < payload.length / 4, "sent " + sent);

        // the device reads again: the rest flows, the bytes are intact
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = device.getInputStream();
        Thread devReader = new Thread(() -> {
            byte[] b = new byte[65536];
            try {
                int n;
                while (got.size() < payload.length && (n = in.read(b)) > 0) {
                    synchronized (got) {
                        got.write(b, 0, n);
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "device-reader");
        devReader.setDaemon(true);
        devReader.start();
        while (sent < payload.length) {
            while (credit > 0 && sent < payload.length) {
                int n = Math.min(Math.min(credit, Frame.MAX_DATA), payload.length - sent);
                page.send(Frame.encode(Frame.DATA, 1, ByteBuffer.wrap(payload, sent, n)));
                sent += n;
                credit -= n;
            }
            if (sent < payload.length) {
                FakePage.Got g = page.expect(Frame.CREDIT, 1);
                credit += g.creditAmount();
            }
        }
        devReader.join(TimeUnit.NANOSECONDS.toMillis(DEADLINE_NANOS));
        synchronized (got) {
            assertArrayEquals(sha256(payload), sha256(got.toByteArray()));
        }
    }

    @Test
    void aWebSocketThatStopsTakingFramesStopsTheReadsAtTheQueueBound() throws Exception {
        ServerSocketChannelPeer device = new ServerSocketChannelPeer();
        peers.register(device);
        page.connect(sockets, Limits.DEFAULTS);
        page.stall(); // the transport takes frames but never finishes sending them
        page.open(Frame.OPEN_TCP, 1, BridgeSessionTest.tcp(device.port()));
        page.credit(1, Limits.DEFAULTS.maxCredit());
        SocketChannel dev = device.accept();
        byte[] payload = new byte[64 << 20];
        int written = writeUntilStalled(dev, ByteBuffer.wrap(payload));
        System.out.printf("stalled WebSocket: device wrote %d, bridge queue %d (peak %d, high mark %d)%n", written,
                page.session.outboundQueued(), page.session.outboundPeak(), Limits.DEFAULTS.outboundHigh());
        assertTrue(page.session.outboundPeak() <= Limits.DEFAULTS.outboundHigh() + Frame.HEADER + Frame.MAX_DATA + 64,
                "queue peak " + page.session.outboundPeak());
        assertTrue(!page.session.isEnded(), "a slow WebSocket within the bounds is not an error");
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    /** A loopback server whose accepted connection is a non-blocking channel the test drives. */
    static final class ServerSocketChannelPeer implements AutoCloseable {
        private final java.nio.channels.ServerSocketChannel server;
        private SocketChannel accepted;

        ServerSocketChannelPeer() throws IOException {
            server = java.nio.channels.ServerSocketChannel.open();
            server.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
        }

        int port() throws IOException {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        }

        SocketChannel accept() throws IOException {
            accepted = server.accept(); // blocking: the gateway connects first (the test waited for OPENED)
            accepted.configureBlocking(false);
            return accepted;
        }

        @Override
        public void close() throws IOException {
            if (accepted != null) {
                accepted.close();
            }
            server.close();
        }
    }
}
