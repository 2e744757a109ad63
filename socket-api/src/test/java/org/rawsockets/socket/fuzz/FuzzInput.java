package org.rawsockets.socket.fuzz;

import java.util.Arrays;

/**
 * How a fuzz target reads its input, the same for every target so corpus files are alike: byte 0
 * is {@code flags} (a target's switches: protocol version, framing, limits), byte 1 (low 3 bits) is
 * how many chunking bytes follow for {@link FeedReadable}, then those bytes, then the payload (the
 * bytes the decoder sees). Missing bytes read as 0, so every input is valid.
 *
 * @param flags the target's switches
 * @param chunking piece sizes for {@link FeedReadable}
 * @param payload the decoder's bytes
 */
public record FuzzInput(int flags, byte[] chunking, byte[] payload) {

    public static FuzzInput of(byte[] data) {
        int flags = data.length > 0 ? data[0] & 0xFF : 0;
        int k = data.length > 1 ? data[1] & 0x07 : 0;
        int from = Math.min(data.length, 2);
        int to = Math.min(data.length, from + k);
        return new FuzzInput(flags, Arrays.copyOfRange(data, from, to), Arrays.copyOfRange(data, to, data.length));
    }

    /** A corpus file: the given flags, no chunking, then {@code payload}. */
    public static byte[] seed(int flags, byte[] payload) {
        byte[] b = new byte[payload.length + 2];
        b[0] = (byte) flags;
        System.arraycopy(payload, 0, b, 2, payload.length);
        return b;
    }

    /** The payload as a stream of the fuzzer's pieces. */
    public FeedReadable feed() {
        return new FeedReadable(payload, chunking);
    }

    public boolean flag(int bit) {
        return (flags & (1 << bit)) != 0;
    }
}
