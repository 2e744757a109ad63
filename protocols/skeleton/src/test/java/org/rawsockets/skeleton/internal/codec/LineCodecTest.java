package org.rawsockets.skeleton.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.testing.ScriptedReadable;

/** The codec without a network: the input split at every byte boundary, one byte at a time, all at once. */
class LineCodecTest {

    static final LineCodec CODEC = new LineCodec(16);
    static final byte[] WIRE = "héllo\r\n\r\nwörld: 16 bytes\r\n".getBytes(StandardCharsets.UTF_8);
    static final List<String> LINES = List.of("héllo", "", "wörld: 16 bytes", "<end>");

    /** Reads every line until the end, as the client would, from what {@code pieces} feed. */
    static List<String> decode(byte[]... pieces) {
        ScriptedReadable in = new ScriptedReadable();
        FrameReader reader = new FrameReader(in, CODEC.bufferSize());
        List<String> out = new ArrayList<>();
        read(reader, out);
        for (byte[] p : pieces) {
            in.feed(p);
        }
        in.end();
        return out;
    }

    private static void read(FrameReader reader, List<String> out) {
        CODEC.next(reader).whenComplete((r, e) -> {
            if (e != null) {
                out.add("<error " + (e instanceof CompletionException ? e.getCause() : e).getClass().getSimpleName() + ">");
            } else if (r.done()) {
                out.add("<end>");
            } else {
                out.add(r.value());
                read(reader, out);
            }
        });
    }

    @Test
    void linesSplitAtEveryByteBoundary() {
        for (int at = 0; at <= WIRE.length; at++) {
            assertEquals(LINES, decode(Arrays.copyOfRange(WIRE, 0, at), Arrays.copyOfRange(WIRE, at, WIRE.length)),
                    "split at " + at);
        }
    }

    @Test
    void linesOneByteAtATimeAndAllAtOnce() {
        byte[][] bytes = new byte[WIRE.length][];
        for (int i = 0; i < WIRE.length; i++) {
            bytes[i] = new byte[] {WIRE[i]};
        }
        assertEquals(LINES, decode(bytes));
        assertEquals(LINES, decode(WIRE));
    }

    @Test
    void aLineOverTheLimitAndBytesThatAreNotUtf8AreProtocolErrors() {
        assertEquals(List.of("<error FrameTooLongException>"), decode("seventeen bytes!!\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(List.of("<error SkeletonException>"), decode(new byte[] {'a', (byte) 0xff, '\r', '\n'}));
    }

    @Test
    void encodeAddsCrlfAndRefusesWhatCannotBeALine() {
        assertArrayEquals("ok\r\n".getBytes(StandardCharsets.US_ASCII), CODEC.encode("ok"));
        assertThrows(IllegalArgumentException.class, () -> CODEC.encode("two\r\nlines"));
        assertThrows(IllegalArgumentException.class, () -> CODEC.encode("seventeen bytes!!"));
    }
}
