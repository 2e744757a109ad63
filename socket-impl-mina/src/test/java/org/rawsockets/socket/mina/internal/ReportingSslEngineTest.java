package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client engine wraps and unwraps as many application-data records per call as the buffers
 * hold (MINA's TLS handler sends or forwards one buffer per call), and stops at anything else: a
 * key update, the peer's close_notify, an incomplete record. JDK engines on both sides, in memory.
 */
class ReportingSslEngineTest {

    ReportingSslEngine client;
    /** The plaintext one record of the JDK's engine holds (16,367 bytes with TLS 1.3 in JDK 17). */
    int fragment;
    SSLEngine server;

    @BeforeEach
    void handshake() throws Exception {
        SSLContext ctx = TestPki.get().serverContext(); // its trust managers trust the test CA: a client context too
        SSLEngine c = ctx.createSSLEngine("localhost", 443);
        c.setUseClientMode(true);
        c.setEnabledProtocols(new String[] {"TLSv1.3"});
        client = new ReportingSslEngine(c, e -> {
            throw new AssertionError("task failure", e);
        }, null);
        server = ctx.createSSLEngine();
        server.setUseClientMode(false);
        client.beginHandshake();
        server.beginHandshake();
        ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
        ByteBuffer sink = ByteBuffer.allocate(1 << 17);
        for (int i = 0; i < 200 && !(done(client) && done(server)); i++) {
            step(client, toServer, toClient, sink);
            step(server, toClient, toServer, sink);
        }
        assertTrue(done(client) && done(server), "handshake: " + client.getHandshakeStatus() + " / " + server.getHandshakeStatus());
        // the server's session ticket (TLS 1.3) is in toClient or was read: drain what is left
        toClient.flip();
        while (toClient.hasRemaining()) {
            sink.clear();
            assertEquals(0, client.unwrap(toClient, sink).bytesProduced());
        }
        ByteBuffer one = ByteBuffer.allocate(packet(server));
        fragment = server.wrap(ByteBuffer.allocate(20_000), one).bytesConsumed(); // a plain engine: one record
        assertEquals(fragment, client.unwrap(one.flip(), ByteBuffer.allocate(20_000)).bytesProduced());
    }

    private static boolean done(SSLEngine e) {
        return e.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING;
    }

    /** One handshake step of {@code e}: runs tasks, wraps into {@code out}, unwraps from {@code in}. */
    private static void step(SSLEngine e, ByteBuffer out, ByteBuffer in, ByteBuffer sink) throws SSLException {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
        }
        if (e.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            e.wrap(ByteBuffer.allocate(0), out);
        }
        in.flip();
        while (in.hasRemaining() && e.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
            sink.clear();
            if (e.unwrap(in, sink).getStatus() != Status.OK) {
                break;
            }
        }
        in.compact();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static int packet(SSLEngine e) {
        return e.getSession().getPacketBufferSize();
    }

    /** Unwraps everything in {@code net} with a plain JDK engine, a record per call. */
    private static byte[] unwrapAll(SSLEngine e, ByteBuffer net) throws SSLException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer app = ByteBuffer.allocate(e.getSession().getApplicationBufferSize());
        while (net.hasRemaining()) {
            app.clear();
            SSLEngineResult r = e.unwrap(net, app);
            assertEquals(Status.OK, r.getStatus());
            out.write(app.array(), 0, app.position());
        }
        return out.toByteArray();
    }

    /**
     * A 64 KiB write in the buffer MINA allocates for it (four packets): four full records and the
     * short fifth, which the engine would wrap only with a whole packet of room (wrapped aside).
     */
    @Test
    void oneWrapFillsTheBufferWithRecords() throws Exception {
        byte[] data = random(65_536, 1);
        assertTrue(data.length > 4 * fragment, "a fifth record");
        ByteBuffer net = ByteBuffer.allocate(4 * packet(client));
        SSLEngineResult r = client.wrap(ByteBuffer.wrap(data), net);
        assertEquals(Status.OK, r.getStatus());
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, r.getHandshakeStatus());
        assertEquals(data.length, r.bytesConsumed(), "all five records in one call");
        assertEquals(net.position(), r.bytesProduced());
        assertArrayEquals(data, unwrapAll(server, net.flip()));
    }

    /** A short last record that might not fit in the room left (plaintext + the largest overhead) waits for the next call. */
    @Test
    void aShortLastRecordThatMightNotFitWaits() throws Exception {
        byte[] data = random(4 * fragment + 2_000, 8);
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteBuffer net = ByteBuffer.allocate(4 * packet(client));
        assertTrue(net.capacity() - 4 * (fragment + 22) < 2_000 + packet(client) - 16_384, "the test's premise");
        assertEquals(4 * fragment, client.wrap(src, net).bytesConsumed());
        ByteBuffer rest = ByteBuffer.allocate(2 * packet(client));
        assertEquals(2_000, client.wrap(src, rest).bytesConsumed());
        net.flip();
        ByteBuffer all = ByteBuffer.allocate(net.remaining() + rest.flip().remaining()).put(net).put(rest).flip();
        assertArrayEquals(data, unwrapAll(server, all));
    }

    @Test
    void aWrapStopsWhereTheBufferEnds() throws Exception {
        byte[] data = random(4 * fragment, 2);
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteBuffer net = ByteBuffer.allocate(2 * packet(client) + 100); // two records and a bit
        SSLEngineResult r = client.wrap(src, net);
        assertEquals(2 * fragment, r.bytesConsumed());
        net.flip();
        ByteBuffer rest = ByteBuffer.allocate(4 * packet(client));
        assertEquals(2 * fragment, client.wrap(src, rest).bytesConsumed());
        ByteBuffer all = ByteBuffer.allocate(net.remaining() + rest.flip().remaining()).put(net).put(rest).flip();
        assertArrayEquals(data, unwrapAll(server, all));
    }

    @Test
    void oneUnwrapTakesEveryWholeRecordAndLeavesAnIncompleteOne() throws Exception {
        byte[] data = random(4 * fragment, 3);
        ByteBuffer net = ByteBuffer.allocate(4 * packet(server));
        for (int i = 0; i < 4; i++) { // the plain JDK engine: a record per call
            assertEquals(fragment, server.wrap(ByteBuffer.wrap(data, i * fragment, fragment), net).bytesConsumed());
        }
        net.flip();
        int whole = net.remaining();
        ByteBuffer first = ByteBuffer.allocate(whole - 100).put(net.duplicate().limit(whole - 100)).flip();
        ByteBuffer app = ByteBuffer.allocate(4 * client.getSession().getApplicationBufferSize());
        SSLEngineResult r = client.unwrap(first, app);
        assertEquals(Status.OK, r.getStatus());
        assertEquals(3 * fragment, r.bytesProduced(), "three whole records in one call");
        assertEquals(whole - 100 - first.remaining(), r.bytesConsumed());
        ByteBuffer last = ByteBuffer.allocate(first.remaining() + 100).put(first).put(net.position(whole - 100)).flip();
        SSLEngineResult r2 = client.unwrap(last, app);
        assertEquals(fragment, r2.bytesProduced());
        assertArrayEquals(data, java.util.Arrays.copyOf(app.array(), app.position()));
    }

    @Test
    void anUnwrapStopsAtAKeyUpdateAndTheDataGoesOn() throws Exception {
        byte[] a = random(fragment, 4);
        byte[] b = random(fragment, 5);
        ByteBuffer net = ByteBuffer.allocate(4 * packet(server));
        server.wrap(ByteBuffer.wrap(a), net);
        server.beginHandshake(); // TLS 1.3 on a connected engine: a KeyUpdate
        assertEquals(HandshakeStatus.NEED_WRAP, server.getHandshakeStatus());
        SSLEngineResult update = server.wrap(ByteBuffer.allocate(0), net);
        assertTrue(update.bytesProduced() > 0, "the KeyUpdate record");
        server.wrap(ByteBuffer.wrap(b), net);
        net.flip();
        ByteBuffer app = ByteBuffer.allocate(4 * client.getSession().getApplicationBufferSize());
        SSLEngineResult r = client.unwrap(net, app);
        assertEquals(fragment, r.bytesProduced(), "the records before the KeyUpdate, and the KeyUpdate");
        assertTrue(net.hasRemaining(), "the record after the KeyUpdate is left for the next call");
        if (client.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) { // the update asked for ours
            ByteBuffer reply = ByteBuffer.allocate(packet(client));
            client.wrap(ByteBuffer.allocate(0), reply);
            ByteBuffer sink = ByteBuffer.allocate(fragment);
            assertEquals(0, server.unwrap(reply.flip(), sink).bytesProduced());
        }
        SSLEngineResult r2 = client.unwrap(net, app);
        assertEquals(fragment, r2.bytesProduced());
        assertTrue(!net.hasRemaining());
        byte[] both = new byte[2 * fragment];
        System.arraycopy(a, 0, both, 0, fragment);
        System.arraycopy(b, 0, both, fragment, fragment);
        assertArrayEquals(both, java.util.Arrays.copyOf(app.array(), app.position()));
        // and the keys on both sides still agree
        ByteBuffer more = ByteBuffer.allocate(4 * packet(client));
        byte[] c = random(3 * fragment, 6);
        assertEquals(c.length, client.wrap(ByteBuffer.wrap(c), more).bytesConsumed());
        assertArrayEquals(c, unwrapAll(server, more.flip()));
    }

    @Test
    void anUnwrapReportsThePeersCloseAfterItsData() throws Exception {
        byte[] data = random(2 * fragment, 7);
        ByteBuffer net = ByteBuffer.allocate(4 * packet(server));
        server.wrap(ByteBuffer.wrap(data, 0, fragment), net);
        server.wrap(ByteBuffer.wrap(data, fragment, fragment), net);
        server.closeOutbound();
        SSLEngineResult bye = server.wrap(ByteBuffer.allocate(0), net);
        assertEquals(Status.CLOSED, bye.getStatus());
        net.flip();
        ByteBuffer app = ByteBuffer.allocate(4 * client.getSession().getApplicationBufferSize());
        SSLEngineResult r = client.unwrap(net, app);
        assertEquals(2 * fragment, r.bytesProduced());
        if (r.getStatus() != Status.CLOSED) { // the close_notify after the data, in a call of its own
            assertTrue(net.hasRemaining());
            r = client.unwrap(net, app);
        }
        assertEquals(Status.CLOSED, r.getStatus());
        assertTrue(client.isInboundDone());
        assertNotEquals(0, app.position());
        assertArrayEquals(data, java.util.Arrays.copyOf(app.array(), app.position()));
    }

    /** A record that fails its check after good ones: the good ones come out, the failure with the next call. */
    @Test
    void aBadRecordAfterGoodOnesFailsTheNextCall() throws Exception {
        byte[] data = random(4 * fragment, 9);
        ByteBuffer net = ByteBuffer.allocate(4 * packet(server));
        int[] ends = new int[4];
        for (int i = 0; i < 4; i++) {
            server.wrap(ByteBuffer.wrap(data, i * fragment, fragment), net);
            ends[i] = net.position();
        }
        net.flip();
        net.put(ends[2] - 1, (byte) (net.get(ends[2] - 1) ^ 1)); // the third record's tag
        ByteBuffer app = ByteBuffer.allocate(4 * client.getSession().getApplicationBufferSize());
        SSLEngineResult r = client.unwrap(net, app);
        assertEquals(2 * fragment, r.bytesProduced(), "the two good records");
        assertArrayEquals(java.util.Arrays.copyOf(data, 2 * fragment), java.util.Arrays.copyOf(app.array(), app.position()));
        assertTrue(net.hasRemaining(), "MINA calls again for the bytes left");
        org.junit.jupiter.api.Assertions.assertThrows(SSLException.class, () -> client.unwrap(net, app));
    }
}
