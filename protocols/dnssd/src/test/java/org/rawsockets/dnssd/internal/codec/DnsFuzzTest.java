package org.rawsockets.dnssd.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rawsockets.dnssd.DnsMessageException;

/**
 * Seeded, bounded mutation fuzz of the decoder: every mutated message either decodes (and then
 * re-encodes to a message that decodes to the same content) or fails with
 * {@link DnsMessageException}; nothing else escapes, and no decode runs long.
 */
class DnsFuzzTest {

    static final long SEED = 0x15_d25dL;
    static final int ROUNDS = 30_000;

    @Test
    void mutatedMessagesOnlyFailWithTypedErrors() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(DnsEncoder.encode(DnsCodecTest.sample()));
        seeds.add(DnsEncoder.encodeQuery(List.of(DnsQuestion.of(DnsCodecTest.TYPE, RecordType.PTR)),
                List.of(DnsRecord.of(DnsCodecTest.TYPE, 4500, new DnsRecord.Ptr(DnsCodecTest.INSTANCE))), 9000).get(0));
        Random r = new Random(SEED);
        int decoded = 0;
        int refused = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] m = seeds.get(r.nextInt(seeds.size())).clone();
            int edits = 1 + r.nextInt(4);
            for (int e = 0; e < edits; e++) {
                switch (r.nextInt(5)) {
                    case 0 -> m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                    case 1 -> m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                    case 2 -> m[r.nextInt(m.length)] = (byte) (0xc0 | r.nextInt(64)); // pointer-ish byte
                    case 3 -> m = java.util.Arrays.copyOf(m, Math.max(0, m.length - 1 - r.nextInt(8)));
                    default -> {
                        byte[] longer = java.util.Arrays.copyOf(m, m.length + 1 + r.nextInt(8));
                        for (int i = m.length; i < longer.length; i++) {
                            longer[i] = (byte) r.nextInt(256);
                        }
                        m = longer;
                    }
                }
                if (m.length == 0) {
                    m = new byte[1];
                }
            }
            long t0 = System.nanoTime();
            try {
                DnsMessage d = DnsDecoder.decode(m);
                decoded++;
                DnsMessage again = DnsDecoder.decode(DnsEncoder.encode(d));
                assertEquals(d, again, "round " + round + ": re-encoding changed the message");
            } catch (DnsMessageException expected) {
                refused++;
                assertTrue(expected.getMessage().startsWith("malformed DNS message at offset "), expected.getMessage());
            } catch (RuntimeException | Error e) {
                fail("round " + round + " (seed " + SEED + "): " + e + " escaped for " + java.util.HexFormat.of().formatHex(m), e);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 2_000, "round " + round + " took " + ms + " ms");
        }
        assertTrue(decoded > 100 && refused > 100, "decoded " + decoded + ", refused " + refused);
    }
}
