package org.rawsockets.skeleton.internal.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

import org.rawsockets.skeleton.SkeletonException;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.ReadResult;

/**
 * The wire codec, transport-free: a message is one UTF-8 line ended by CRLF, at most
 * {@code maxLineBytes} bytes without the CRLF. Framing is {@link FrameReader#readUntil}; a longer
 * line fails with its {@link org.rawsockets.socket.FrameTooLongException}, bytes that are not
 * UTF-8 with {@link SkeletonException}.
 */
public final class LineCodec {

    private final int maxLineBytes;

    public LineCodec(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be at least 1, was " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    /** The buffer a {@link FrameReader} needs for this codec. */
    public int bufferSize() {
        return maxLineBytes + FrameReader.CRLF.length;
    }

    /** {@code line} + CRLF; refuses a line with CR or LF, or longer than the limit. */
    public byte[] encode(String line) {
        if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a line may not contain CR or LF");
        }
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        if (text.length > maxLineBytes) {
            throw new IllegalArgumentException("the line has " + text.length + " bytes, more than maxLineBytes "
                    + maxLineBytes);
        }
        byte[] out = new byte[text.length + 2];
        System.arraycopy(text, 0, out, 0, text.length);
        out[text.length] = '\r';
        out[text.length + 1] = '\n';
        return out;
    }

    /** The next line, or {@link ReadResult#end()} when the stream ends before its first byte. */
    public CompletionStage<ReadResult<String>> next(FrameReader in) {
        return in.readUntil(FrameReader.CRLF, maxLineBytes).thenApply(r -> {
            if (r.done()) {
                return ReadResult.end();
            }
            try {
                return ReadResult.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(r.value())).toString());
            } catch (CharacterCodingException e) {
                throw new java.util.concurrent.CompletionException(new SkeletonException("a line of "
                        + r.value().length + " bytes is not UTF-8", e));
            }
        });
    }
}
