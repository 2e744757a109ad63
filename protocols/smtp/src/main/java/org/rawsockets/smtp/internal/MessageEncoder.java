package org.rawsockets.smtp.internal;

/**
 * Streaming transformation of message bytes for the wire: bare LF and bare CR become CRLF, and (for
 * DATA) a line starting with '.' gets one more '.' (RFC 5321 4.5.2). A small state machine over the
 * bytes, so a message is encoded block by block and never held whole; the state carries across
 * blocks (a CRLF or a leading dot split between two blocks is handled).
 */
public final class MessageEncoder {

    private final boolean dotStuff;
    private boolean atLineStart = true;
    private boolean afterCr;
    private boolean finished;

    /** @param dotStuff {@code true} for DATA, {@code false} for BDAT */
    public MessageEncoder(boolean dotStuff) {
        this.dotStuff = dotStuff;
    }

    /** The most bytes {@link #encode} can write for {@code n} input bytes. */
    public static int maxEncodedLength(int n) {
        return 2 * n + 2;
    }

    /**
     * Encodes {@code in[off..off+len)} into {@code out} from {@code outOff}.
     *
     * @return the number of bytes written (at most {@link #maxEncodedLength(int)} of {@code len})
     */
    public int encode(byte[] in, int off, int len, byte[] out, int outOff) {
        if (finished) {
            throw new IllegalStateException("message already finished");
        }
        int o = outOff;
        for (int i = off; i < off + len; i++) {
            byte b = in[i];
            if (afterCr) {
                afterCr = false;
                out[o++] = '\r';
                out[o++] = '\n';
                atLineStart = true;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\r') {
                afterCr = true;
                continue;
            }
            if (b == '\n') {
                out[o++] = '\r';
                out[o++] = '\n';
                atLineStart = true;
                continue;
            }
            if (atLineStart && dotStuff && b == '.') {
                out[o++] = '.';
            }
            out[o++] = b;
            atLineStart = false;
        }
        return o - outOff;
    }

    /**
     * The bytes that end the message: a CRLF if the last line lacks one, then (DATA) {@code .CRLF}.
     */
    public byte[] finish() {
        if (finished) {
            throw new IllegalStateException("message already finished");
        }
        finished = true;
        boolean needCrlf = afterCr || !atLineStart;
        StringBuilder sb = new StringBuilder();
        if (needCrlf) {
            sb.append("\r\n");
        }
        if (dotStuff) {
            sb.append(".\r\n");
        }
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
