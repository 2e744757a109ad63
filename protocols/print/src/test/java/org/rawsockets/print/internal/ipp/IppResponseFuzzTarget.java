package org.rawsockets.print.internal.ipp;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.rawsockets.print.IppMessage;
import org.rawsockets.print.IppProtocolException;
import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21) of the IPP response decoder, whole ({@link IppDecoder#decode}) and
 * streaming ({@link IppDecoder#feed} in the fuzzer's pieces, followed by sentinel bytes standing for
 * document data), with small or default limits by the flags. Oracles: only
 * {@link IppProtocolException} escapes; the streaming decoder consumes nothing after the
 * end-of-attributes tag (the sentinel stays in the caller's buffer) and agrees with the whole
 * decode; allocation bounded by the input, never by a value length; a decoded message encodes
 * ({@link IppEncoder}) to bytes that decode and encode to the same bytes.
 */
class IppResponseFuzzTarget {

    @FuzzTest
    void responses(byte[] data) {
        FuzzInput in = FuzzInput.of(data);
        byte[] p = in.payload();
        IppDecoder.Limits limits = new IppDecoder.Limits(in.flag(0) ? 256 : 64 * 1024, in.flag(1) ? 8 : 2000,
                in.flag(2) ? 2 : 16);
        long max = 4L * Math.min(limits.maxBytes(), p.length) + 128L * p.length;
        IppMessage whole = FuzzOracle.allocation(data, max, "IppDecoder.decode",
                () -> FuzzOracle.onlyTyped(data, () -> IppDecoder.decode(p, limits, "fuzz"), IppProtocolException.class));
        IppMessage streamed = FuzzOracle.allocation(data, max, "IppDecoder.feed", () -> streamed(data, in, limits));
        byte[] a = whole == null ? null : IppEncoder.encode(whole);
        byte[] b = streamed == null ? null : IppEncoder.encode(streamed);
        if (streamed != null && !Arrays.equals(a, b)) {
            throw new AssertionError("the streaming decoder gave " + streamed + ", the whole decode " + whole
                    + " for " + FuzzOracle.hex(data));
        }
        if (a != null) {
            IppMessage again = FuzzOracle.onlyTyped(data, () -> IppDecoder.decode(a, IppDecoder.Limits.defaults(), "fuzz"));
            FuzzOracle.reencodes(data, a, IppEncoder.encode(again), "the encoded message");
        }
    }

    private static IppMessage streamed(byte[] data, FuzzInput in, IppDecoder.Limits limits) {
        byte[] s = FuzzOracle.withSentinel(in.payload());
        byte[] chunks = in.chunking().length == 0 ? new byte[] {(byte) 255} : in.chunking();
        IppDecoder d = new IppDecoder(limits, "fuzz");
        // One read-only view moved along the input: the harness allocates nothing per piece, so the
        // allocation oracle measures the decoder (with 1-byte pieces a new view per piece alone cost
        // about 200 bytes per input byte, over the budget of 128).
        ByteBuffer piece = ByteBuffer.wrap(s).asReadOnlyBuffer();
        IppMessage[] got = new IppMessage[1];
        Throwable t = FuzzOracle.typedFailure(() -> {
            int at = 0;
            for (int i = 0; at < s.length; i++) {
                int n = Math.min(s.length - at, 1 + (chunks[i % chunks.length] & 0xFF));
                piece.limit(at + n).position(at);
                got[0] = d.feed(piece);
                if (got[0] != null) {
                    return null;
                }
                if (piece.hasRemaining()) {
                    throw new AssertionError("feed kept bytes without a message: " + FuzzOracle.hex(data));
                }
                at += n;
            }
            return null;
        });
        if (t != null) {
            FuzzOracle.onlyTyped(data, () -> {
                throw t;
            }, IppProtocolException.class);
            return null;
        }
        if (got[0] != null) {
            FuzzOracle.sentinelIntact(data, Arrays.copyOfRange(s, piece.position(), s.length));
        }
        return got[0];
    }
}
