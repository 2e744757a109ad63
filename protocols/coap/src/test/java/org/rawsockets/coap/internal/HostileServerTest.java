package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapResponse;
import org.rawsockets.coap.CoapTimeoutException;

/**
 * A server that answers with malformed datagrams (option delta 15, option length 15, truncated
 * token): they are dropped, the exchange completes with the good answer that follows, or ends with
 * a typed timeout when none comes.
 */
class HostileServerTest extends CoapTestSupport {

    /** Answers each request with {@code malformed} datagrams built from its MID and token, then optionally a good ACK. */
    static final class Hostile implements AutoCloseable {
        final DatagramSocket socket;
        final AtomicInteger requests = new AtomicInteger();

        Hostile(boolean thenGood) throws Exception {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                byte[] buf = new byte[2048];
                while (!socket.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                        requests.incrementAndGet();
                        byte[] req = Arrays.copyOf(p.getData(), p.getLength());
                        int tkl = req[0] & 0x0F;
                        byte[] token = Arrays.copyOfRange(req, 4, 4 + tkl);
                        for (byte[] d : answers(req[2], req[3], token, thenGood)) {
                            socket.send(new DatagramPacket(d, d.length, p.getSocketAddress()));
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "hostile-coap-peer");
            t.setDaemon(true);
            t.start();
        }

        static List<byte[]> answers(byte mid1, byte mid2, byte[] token, boolean thenGood) {
            int tkl = token.length;
            byte ack = (byte) (0x60 | tkl); // version 1, ACK
            byte content = 0x45; // 2.05
            byte[] head = concat(new byte[] { ack, content, mid1, mid2 }, token);
            byte[] delta15 = concat(head, new byte[] { (byte) 0xF1, 0x00 });
            byte[] length15 = concat(head, new byte[] { (byte) 0xBF, 0x00 });
            byte[] truncatedToken = Arrays.copyOf(head, 4 + Math.max(0, tkl - 3));
            if (tkl < 3) {
                truncatedToken = new byte[] { 0x68, content, mid1, mid2, 1 };
            }
            byte[] emptyWithPayload = { 0x60, 0x00, mid1, mid2, (byte) 0xFF, 'x' };
            byte[] good = concat(head, new byte[] { (byte) 0xFF, 'o', 'k' });
            return thenGood ? List.of(delta15, length15, truncatedToken, emptyWithPayload, good)
                    : List.of(delta15, length15, truncatedToken, emptyWithPayload);
        }

        static byte[] concat(byte[] a, byte[] b) {
            byte[] c = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
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
    void malformedAnswersAreDroppedAndTheGoodOneCompletes() throws Exception {
        Hostile peer = closing(new Hostile(true));
        CoapClientImpl c = client(CoapSettings.of("hostile", "127.0.0.1", peer.port()));
        CoapResponse r = await(c.get("/x"));
        assertEquals("2.05", r.code());
        assertEquals("ok", r.text());
        assertEquals(1, peer.requests.get(), "answered at the first transmission");
        assertTrue(c.running().join().connector().datagramsReceived() >= 5);
        assertTrue(c.status().contains("malformed "), c.status());
    }

    @Test
    void onlyMalformedAnswersEndInATypedTimeout() throws Exception {
        Hostile peer = closing(new Hostile(false));
        CoapClientImpl c = client(CoapSettings.of("hostile", "127.0.0.1", peer.port()).withAck(200, 1.0f, 2));
        long start = System.nanoTime();
        CoapTimeoutException e = assertThrows(CoapTimeoutException.class, () -> await(c.get("/x")));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("not acknowledged after 3 transmissions"), e.getMessage());
        assertTrue(ms >= 1350 && ms < 60_000, "bounded: " + ms + " ms");
        Waits.until(10_000, "3 transmissions at the peer", () -> peer.requests.get() >= 3, peer.requests::get);
    }
}
