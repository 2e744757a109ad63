package org.rawsockets.webbridge.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private record Decoded(int type, int id, byte[] payload) {
    }

    private static byte[] stream() {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        byte[] data = new byte[Frame.MAX_DATA];
        new Random(7).nextBytes(data);
        for (ByteBuffer f : List.of(Frame.encode(Frame.OPEN_TCP, 1, "remoteAddress=127.0.0.1\nremotePort=7\n"),
                Frame.credit(1, 65536), Frame.encode(Frame.DATA, 1, ByteBuffer.wrap(data)), Frame.empty(Frame.END, 1),
                Frame.encode(Frame.DATA, 1, ByteBuffer.allocate(0)), Frame.empty(Frame.CLOSE, 1))) {
            byte[] b = new byte[f.remaining()];
            f.get(b);
            s.writeBytes(b);
        }
        return s.toByteArray();
    }

    private static List<Decoded> decode(byte[] all, int[] cuts) throws BridgeProtocolException {
        FrameDecoder d = new FrameDecoder();
        List<Decoded> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : all.length;
            d.feed(ByteBuffer.wrap(all, from, to - from), f -> {
                byte[] b = new byte[f.payload().remaining()];
                f.payload().get(b);
                out.add(new Decoded(f.type(), f.id(), b));
            });
            assertTrue(d.buffered() <= Frame.HEADER + Frame.MAX_DATA, "decoder holds more than one frame");
            from = to;
        }
        assertEquals(0, d.buffered(), "bytes left in the decoder after whole frames");
        return out;
    }

    @Test
    void framesSplitAtEveryByteAndJoinedInOneMessageDecodeTheSame() throws Exception {
        byte[] all = stream();
        List<Decoded> whole = decode(all, new int[0]);
        assertEquals(6, whole.size());
        assertEquals(Frame.OPEN_TCP, whole.get(0).type());
        assertEquals(65536, ByteBuffer.wrap(whole.get(1).payload()).getInt());
        assertEquals(Frame.MAX_DATA, whole.get(2).payload().length);
        // every split point of the first 200 bytes and around every frame boundary, one cut each
        for (int cut = 1; cut < all.length; cut += cut < 200 || cut > all.length - 200 ? 1 : 997) {
            List<Decoded> split = decode(all, new int[] {cut});
            assertEquals(whole.size(), split.size(), "cut at " + cut);
            for (int i = 0; i < whole.size(); i++) {
                assertEquals(whole.get(i).type(), split.get(i).type());
                assertEquals(whole.get(i).id(), split.get(i).id());
                assertArrayEquals(whole.get(i).payload(), split.get(i).payload(), "frame " + i + " cut at " + cut);
            }
        }
        // one byte per message
        int[] everyByte = new int[all.length - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        List<Decoded> bytewise = decode(all, everyByte);
        assertArrayEquals(whole.get(2).payload(), bytewise.get(2).payload());
    }

    @Test
    void aFrameAssembledFromSeveralFeedsIsTheHandlersToKeepAndAWholeOneIsAReadOnlyView() throws Exception {
        byte[] data = new byte[Frame.MAX_DATA];
        new Random(11).nextBytes(data);
        ByteBuffer f = Frame.encode(Frame.DATA, 3, ByteBuffer.wrap(data));
        byte[] bytes = new byte[f.remaining()];
        f.get(bytes);
        FrameDecoder d = new FrameDecoder();
        List<ByteBuffer> kept = new ArrayList<>();
        // as Jetty delivers a 64 KiB message: in parts, into a buffer it reuses for the next part
        byte[] reused = new byte[4096];
        for (int off = 0; off < bytes.length; off += reused.length) {
            int n = Math.min(reused.length, bytes.length - off);
            System.arraycopy(bytes, off, reused, 0, n);
            d.feed(ByteBuffer.wrap(reused, 0, n), frame -> kept.add(frame.payload()));
        }
        java.util.Arrays.fill(reused, (byte) 0);
        d.feed(ByteBuffer.wrap(bytes), frame -> { }); // the same frame again, whole: the decoder's next frame
        assertEquals(1, kept.size());
        ByteBuffer payload = kept.get(0);
        assertFalse(payload.isReadOnly(), "an assembled payload is the handler's (writable, no other owner)");
        byte[] got = new byte[payload.remaining()];
        payload.duplicate().get(got);
        assertArrayEquals(data, got, "the kept payload changed after later feeds");

        List<Boolean> readOnly = new ArrayList<>();
        new FrameDecoder().feed(ByteBuffer.wrap(bytes), frame -> readOnly.add(frame.payload().isReadOnly()));
        assertEquals(List.of(true), readOnly, "a frame whole in one feed is a read-only view of the fed bytes");
    }

    @Test
    void aHundredMegabyteFrameIsRefusedFromItsHeaderWithoutBuffering() {
        FrameDecoder d = new FrameDecoder();
        ByteBuffer header = ByteBuffer.allocate(Frame.HEADER + 1000);
        header.put((byte) Frame.DATA).putInt(1).putInt(100 * 1024 * 1024).put(new byte[1000]).flip();
        BridgeProtocolException e = assertThrows(BridgeProtocolException.class, () -> d.feed(header, f -> {
            throw new AssertionError("no frame expected");
        }));
        assertEquals(BridgeProtocolException.TOO_BIG, e.closeCode());
        assertTrue(e.getMessage().contains("104857600") && e.getMessage().contains("65536"), e.getMessage());
        assertEquals(0, d.buffered());
        // the decoder stays failed
        assertThrows(BridgeProtocolException.class, () -> d.feed(Frame.empty(Frame.END, 1), f -> { }));
    }

    @Test
    void anOversizedControlFrameAndAnUnknownTypeAreProtocolErrors() {
        ByteBuffer credit = ByteBuffer.allocate(Frame.HEADER).put((byte) Frame.CREDIT).putInt(1).putInt(Frame.MAX_CONTROL + 1)
                .flip();
        assertEquals(BridgeProtocolException.TOO_BIG,
                assertThrows(BridgeProtocolException.class, () -> new FrameDecoder().feed(credit, f -> { })).closeCode());
        ByteBuffer unknown = ByteBuffer.allocate(Frame.HEADER).put((byte) 0x7f).putInt(1).putInt(0).flip();
        BridgeProtocolException e = assertThrows(BridgeProtocolException.class,
                () -> new FrameDecoder().feed(unknown, f -> { }));
        assertEquals(BridgeProtocolException.PROTOCOL_ERROR, e.closeCode());
        assertTrue(e.getMessage().contains("unknown frame type 0x7f"), e.getMessage());
    }
}
