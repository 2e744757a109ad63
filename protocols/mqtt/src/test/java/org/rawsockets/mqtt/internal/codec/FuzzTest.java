package org.rawsockets.mqtt.internal.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.rawsockets.mqtt.internal.codec.Samples.bytes;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.testing.ScriptedReadable;

/**
 * Seeded, bounded mutation fuzz: valid packets of every type with bytes flipped, inserted, removed,
 * set to 0x00/0xFF/0x80, truncated or with length fields blown up. Only the typed
 * {@link MqttProtocolException} may escape the decoder; over a stream also the socket API's
 * {@link NetworkException} ({@code CLOSED_BY_PEER}) for a stream that ends inside a packet. The
 * memory one decode allocates is bounded by the configured maximum packet size, never by a length
 * field.
 */
class FuzzTest {

    static final long SEED = 0x5EED_17L;
    static final int ROUNDS = 40_000;
    static final int MAX = 4096;

    static List<byte[]> corpus(boolean v5) throws Exception {
        List<byte[]> l = new ArrayList<>();
        for (Packet p : v5 ? Samples.v5() : Samples.v311()) {
            byte[] w = bytes(Encoder.encode(p, v5, Integer.MAX_VALUE));
            if (w.length <= MAX) {
                l.add(w);
            }
        }
        return l;
    }

    static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int i = r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0 -> b[i] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[i] = (byte) r.nextInt(256);
                case 2 -> b[i] = (byte) new int[] {0x00, 0xFF, 0x80, 0x7F}[r.nextInt(4)];
                case 3 -> b = Arrays.copyOf(b, i); // truncate
                case 4 -> { // insert
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, i);
                    c[i] = (byte) r.nextInt(256);
                    System.arraycopy(b, i, c, i + 1, b.length - i);
                    b = c;
                }
                case 5 -> { // remove
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, i);
                    System.arraycopy(b, i + 1, c, i, b.length - i - 1);
                    b = c;
                }
                default -> { // a 16-bit length somewhere becomes huge
                    if (i + 1 < b.length) {
                        b[i] = (byte) 0xFF;
                        b[i + 1] = (byte) 0xFF;
                    }
                }
            }
        }
        return b;
    }

    @Test
    void decoderThrowsOnlyTypedProtocolErrors() throws Exception {
        Random r = new Random(SEED);
        int rejected = 0;
        for (boolean v5 : new boolean[] {true, false}) {
            List<byte[]> corpus = corpus(v5);
            for (int n = 0; n < ROUNDS; n++) {
                byte[] b = mutate(corpus.get(r.nextInt(corpus.size())), r);
                if (b.length < 1) {
                    continue;
                }
                ByteBuffer buf = ByteBuffer.wrap(b);
                int header = buf.get() & 0xFF;
                try {
                    int len = Decoder.remainingLength(buf);
                    if (len < 0 || len != buf.remaining()) {
                        continue; // the framing layer handles these (stream test below)
                    }
                    Decoder.decode(header, buf, v5);
                } catch (MqttProtocolException e) {
                    rejected++;
                    assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
                } catch (RuntimeException e) {
                    throw new AssertionError("seed " + SEED + " round " + n + ": " + Samples.class.getSimpleName()
                            + " mutation " + java.util.HexFormat.of().formatHex(b) + " threw " + e, e);
                }
            }
        }
        assertTrue(rejected > ROUNDS / 4, "rejected " + rejected);
    }

    @Test
    void streamDecodingIsTypedAndBoundedInMemory() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        Random r = new Random(SEED + 1);
        long worst = 0;
        int packets = 0;
        int errors = 0;
        for (boolean v5 : new boolean[] {true, false}) {
            List<byte[]> corpus = corpus(v5);
            for (int n = 0; n < ROUNDS / 4; n++) {
                // two mutated packets back to back, split at a random byte
                byte[] a = mutate(corpus.get(r.nextInt(corpus.size())), r);
                byte[] b = corpus.get(r.nextInt(corpus.size()));
                byte[] all = new byte[a.length + b.length];
                System.arraycopy(a, 0, all, 0, a.length);
                System.arraycopy(b, 0, all, a.length, b.length);
                int split = r.nextInt(all.length + 1);
                ScriptedReadable in = ScriptedReadable.of(Arrays.copyOfRange(all, 0, split),
                        Arrays.copyOfRange(all, split, all.length));
                long before = mx.getThreadAllocatedBytes(tid);
                PacketReader reader = new PacketReader(new FrameReader(in, MAX), v5, MAX);
                for (int k = 0; k < 4; k++) {
                    try {
                        if (reader.next().toCompletableFuture().join().done()) {
                            break;
                        }
                        packets++;
                    } catch (CompletionException e) {
                        Throwable c = e.getCause();
                        if (c instanceof MqttProtocolException
                                || (c instanceof NetworkException ne && ne.reason() == NetworkException.Reason.CLOSED_BY_PEER)) {
                            errors++;
                            break;
                        }
                        fail("round " + n + ": unexpected " + c, c);
                    }
                }
                if (n > 1000) { // after class loading and JIT warm-up
                    worst = Math.max(worst, mx.getThreadAllocatedBytes(tid) - before);
                }
            }
        }
        assertTrue(packets > 1000 && errors > 1000, packets + " packets, " + errors + " errors");
        // the reader's buffer (MAX) + at most two bodies (each < MAX) and their decoded copies + exceptions
        // and small objects: a few MAX, while the mutated length fields announce up to 268 MB
        System.out.println("fuzz: worst allocation per stream " + worst + " bytes (max packet size " + MAX + ")");
        assertTrue(worst < 8L * MAX + 16 * 1024, "worst allocation per stream " + worst + " bytes");
    }
}
