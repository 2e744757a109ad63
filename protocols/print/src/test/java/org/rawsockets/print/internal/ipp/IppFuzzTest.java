package org.rawsockets.print.internal.ipp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rawsockets.print.IppProtocolException;

/**
 * Seeded, bounded fuzzing of the IPP decoder: mutations of a valid message (bit flips, byte
 * overwrites with tag and length values, truncations, insertions) must decode or fail with
 * {@link IppProtocolException}; nothing else (no index error, no out-of-memory, no endless loop).
 */
class IppFuzzTest {

    @Test
    void mutatedMessagesGiveOnlyTypedErrors() {
        byte[] base = IppEncoder.encode(IppCodecTest.everyTag());
        Random r = new Random(0x1995_8010L);
        IppDecoder.Limits limits = new IppDecoder.Limits(64 * 1024, 2000, 8);
        int decoded = 0;
        int rejected = 0;
        long until = System.nanoTime() + 20_000_000_000L;
        for (int i = 0; i < 30_000 && System.nanoTime() < until; i++) {
            byte[] b = base.clone();
            int n = 1 + r.nextInt(6);
            for (int k = 0; k < n; k++) {
                int p = r.nextInt(b.length);
                switch (r.nextInt(5)) {
                    case 0 -> b[p] ^= (byte) (1 << r.nextInt(8));
                    case 1 -> b[p] = (byte) new int[] {0x00, 0x03, 0x0F, 0x34, 0x37, 0x4A, 0x7F, 0xFF}[r.nextInt(8)];
                    case 2 -> b = java.util.Arrays.copyOf(b, Math.max(1, p));
                    case 3 -> b[p] = (byte) r.nextInt(256);
                    default -> {
                        if (p + 1 < b.length) {
                            b[p] = (byte) 0x7F;
                            b[p + 1] = (byte) 0xFF;
                        }
                    }
                }
            }
            try {
                IppDecoder.decode(b, limits, "fuzz");
                decoded++;
            } catch (IppProtocolException e) {
                rejected++;
            }
            // the streaming form, fed in random pieces
            IppDecoder d = new IppDecoder(limits, "fuzz");
            ByteBuffer in = ByteBuffer.wrap(b);
            try {
                while (in.hasRemaining()) {
                    ByteBuffer piece = in.slice(in.position(), Math.min(in.remaining(), 1 + r.nextInt(64)));
                    int before = piece.remaining();
                    if (d.feed(piece) != null) {
                        break;
                    }
                    in.position(in.position() + before - piece.remaining());
                }
                if (!in.hasRemaining()) {
                    d.finish();
                }
            } catch (IppProtocolException e) {
                // typed: fine
            }
        }
        assertTrue(rejected > 1000 && decoded > 10, "decoded " + decoded + ", rejected " + rejected);
    }
}
