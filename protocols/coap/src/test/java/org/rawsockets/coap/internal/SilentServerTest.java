package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapTimeoutException;

/** A peer that receives and never answers: the spec's retransmissions, then a typed timeout. */
class SilentServerTest extends CoapTestSupport {

    /** A bound loopback UDP socket recording every datagram (arrival time, bytes) and never answering. */
    static final class SilentPeer implements AutoCloseable {
        final DatagramSocket socket;
        final List<long[]> arrivals = Collections.synchronizedList(new ArrayList<>());
        final List<byte[]> datagrams = Collections.synchronizedList(new ArrayList<>());
        final Thread thread;

        SilentPeer() throws Exception {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                byte[] buf = new byte[2048];
                while (!socket.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                    } catch (Exception e) {
                        return;
                    }
                    arrivals.add(new long[] { System.nanoTime() });
                    datagrams.add(Arrays.copyOf(p.getData(), p.getLength()));
                }
            }, "silent-coap-peer");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Test
    void confirmableRequestIsRetransmittedWithDoublingTimeoutThenTimesOut() throws Exception {
        SilentPeer peer = closing(new SilentPeer());
        // ACK_TIMEOUT 250 ms, no random factor, MAX_RETRANSMIT 3: sends at 0, 250, 750, 1750 ms, gives up at 3750 ms
        CoapClientImpl c = client(CoapSettings.of("silent", "127.0.0.1", peer.port()).withAck(250, 1.0f, 3));
        long start = System.nanoTime();
        CoapTimeoutException e = assertThrows(CoapTimeoutException.class, () -> await(c.get("/sensors/temp")));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("not acknowledged after 4 transmissions"), e.getMessage());
        assertTrue(e.getMessage().contains("silent (127.0.0.1:" + peer.port() + ")"), e.getMessage());
        assertTrue(elapsedMs >= 3700, "gave up after " + elapsedMs + " ms, before the spec's 3750 ms");
        assertTrue(elapsedMs < 60_000, "bounded: " + elapsedMs + " ms");
        Waits.until(10_000, "4 datagrams at the silent peer", () -> peer.datagrams.size() >= 4, peer.datagrams::size);
        assertEquals(4, peer.datagrams.size(), "1 transmission + MAX_RETRANSMIT 3");
        // the same message (same message id and token) each time, CON
        byte[] first = peer.datagrams.get(0);
        assertEquals(0, (first[0] >> 4) & 0x3, "type CON");
        for (byte[] d : peer.datagrams) {
            assertTrue(Arrays.equals(first, d), "retransmission differs from the original");
        }
        // gaps at least ACK_TIMEOUT, doubled each time (lower bounds only: a busy machine is later, never earlier)
        long[] t = new long[4];
        for (int i = 0; i < 4; i++) {
            t[i] = peer.arrivals.get(i)[0];
        }
        for (int i = 1; i < 4; i++) {
            long gapMs = (t[i] - t[i - 1]) / 1_000_000;
            long expected = 250L << (i - 1);
            assertTrue(gapMs >= expected - 20, "gap " + i + " was " + gapMs + " ms, expected >= " + expected);
        }
    }

    @Test
    void nonConfirmableRequestEndsAtTheOverallDeadline() throws Exception {
        SilentPeer peer = closing(new SilentPeer());
        CoapClientImpl c = client(CoapSettings.of("silent", "127.0.0.1", peer.port()).withTimeout(1500));
        CoapTimeoutException e = assertThrows(CoapTimeoutException.class,
                () -> await(c.send(CoapRequest.get("/x").withConfirmable(false))));
        assertTrue(e.getMessage().contains("no response within timeoutMillis 1500 ms"), e.getMessage());
        Waits.until(10_000, "the NON request at the peer", () -> peer.datagrams.size() >= 1, peer.datagrams::size);
        assertEquals(1, peer.datagrams.size(), "a NON message is never retransmitted");
        assertEquals(1, (peer.datagrams.get(0)[0] >> 4) & 0x3, "type NON");
    }
}
