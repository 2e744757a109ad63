package org.rawsockets.webbridge.internal.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21) of the web bridge's frame decoder ({@link FrameDecoder}: 9-byte header,
 * split and joined frames, sizes refused from the header) fed in the fuzzer's pieces. Oracles: only
 * {@link BridgeProtocolException} escapes; the frames re-encode ({@link Frame#encode}) to exactly the
 * input's prefix and what is left is less than one frame; allocation bounded by one frame's maximum
 * and the input, never by an announced length.
 */
class BridgeFrameFuzzTarget {

    @FuzzTest
    void frames(byte[] data) {
        FuzzInput in = FuzzInput.of(data);
        byte[] p = in.payload();
        long max = 2L * (Frame.HEADER + Frame.maxPayload(Frame.DATAGRAM)) + 256L * p.length;
        byte[] again = FuzzOracle.allocation(data, max, "FrameDecoder", () -> {
            FrameDecoder d = new FrameDecoder();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunks = in.chunking().length == 0 ? new byte[] {(byte) 255} : in.chunking();
            int at = 0;
            for (int i = 0; at < p.length; i++) {
                int n = Math.min(p.length - at, 1 + (chunks[i % chunks.length] & 0xFF));
                ByteBuffer piece = ByteBuffer.wrap(p, at, n).slice().asReadOnlyBuffer();
                at += n;
                Object ok = FuzzOracle.onlyTyped(data, () -> {
                    d.feed(piece, f -> {
                        if (f.payload().remaining() > Frame.maxPayload(f.type())) {
                            throw new AssertionError("a frame over its maximum: " + FuzzOracle.hex(data));
                        }
                        ByteBuffer e = Frame.encode(f.type(), f.id(), f.payload());
                        out.write(e.array(), e.position(), e.remaining());
                    });
                    return piece;
                }, BridgeProtocolException.class);
                if (ok == null) {
                    return null;
                }
                if (piece.hasRemaining()) {
                    throw new AssertionError("feed left bytes of its piece: " + FuzzOracle.hex(data));
                }
            }
            return out.toByteArray();
        });
        if (again != null) {
            if (!Arrays.equals(again, 0, again.length, p, 0, Math.min(again.length, p.length)) || again.length > p.length) {
                throw new AssertionError("the frames do not re-encode to the input: " + FuzzOracle.hex(data));
            }
            if (p.length - again.length >= Frame.HEADER + Frame.maxPayload(Frame.DATAGRAM)) {
                throw new AssertionError((p.length - again.length) + " bytes held, more than a frame: "
                        + FuzzOracle.hex(data));
            }
        }
    }
}
