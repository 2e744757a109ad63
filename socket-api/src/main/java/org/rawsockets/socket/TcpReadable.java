package org.rawsockets.socket;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The bytes a TCP socket receives. Each element is a read-only {@link ByteBuffer} chunk of the
 * stream in order; the chunks belong to the reader.
 *
 * <p><b>Bring your own buffer.</b> Besides chunks ({@link #read()}, {@link #publisher()}) and the
 * blocking {@link #inputStream(Duration)}, the bytes can be read into the caller's buffer with
 * {@link #readInto(ByteBuffer, int)}, as with the BYOB reader of a WHATWG byte stream: the
 * implementation copies straight from its receive buffers into {@code dst}, and a reader that reuses
 * its buffer reads without garbage. It is a fourth consumption style under the reader-lock rule of
 * {@link ReadableStream}: the first {@code readInto} locks the stream to it, and {@code read()},
 * {@code publisher()} or {@code inputStream(...)} then throw {@link IllegalStateException} (and the
 * other way round).
 */
@ProviderType
public interface TcpReadable extends ReadableStream<ByteBuffer> {

    /**
     * A blocking {@link InputStream} view for simple protocol code, with a time limit on every
     * wait. {@code read} returns -1 at the end of the stream and throws the socket's error (a
     * {@link RawSocketException}) if it failed; {@code close()} cancels this stream.
     *
     * @param readTimeout the longest one {@code read} call waits for data; a read that waits longer
     *            throws {@link TimedOutException} and leaves the stream usable
     * @throws IllegalStateException when the stream is already consumed in another style
     */
    InputStream inputStream(Duration readTimeout);

    /**
     * {@link #readInto(ByteBuffer, int) readInto(dst, 1)}: completes as soon as at least one byte was
     * copied into {@code dst}.
     */
    CompletionStage<Integer> readInto(ByteBuffer dst);

    /**
     * Reads received bytes into the caller's buffer ("bring your own buffer"): copies bytes of the
     * stream, in order, into {@code dst} from its position on (advancing it, at most
     * {@code dst.remaining()} bytes), and completes with the count once at least {@code minBytes}
     * were copied.
     *
     * <ul>
     * <li><b>One read pending.</b> A second {@code readInto} while one is pending throws
     * {@link IllegalStateException}; start the next read from (or after) the stage's completion.</li>
     * <li><b>Buffer ownership.</b> From the call until the stage settles, {@code dst} belongs to the
     * implementation (an I/O thread may write into it and move its position; do not touch it). When
     * the stage settles, by completing or failing, it is the caller's again and is never written
     * after, whatever happens to the socket later (also after a cancel or a failure).</li>
     * <li><b>End of stream.</b> At the end of the stream (the peer finished sending, or this stream
     * was cancelled) the stage completes with the bytes copied so far, which may be fewer than
     * {@code minBytes}, or with {@code -1} when none were: like {@link java.io.InputStream#read}, a
     * later call completes with {@code -1} at once.</li>
     * <li><b>Failure.</b> If the socket fails the stage fails with the socket's error
     * ({@link RawSocketException}).</li>
     * <li><b>Backpressure.</b> Bytes not read yet stay buffered up to the implementation's bound, as
     * for every style: a reader that does not call {@code readInto} stops network reads.</li>
     * </ul>
     *
     * @param dst the caller's buffer, writable, with {@code dst.remaining() >= minBytes}
     * @param minBytes the fewest bytes the read waits for (except at the end of the stream), at least 1
     * @return the count of bytes copied into {@code dst}, or -1 at the end of the stream
     * @throws IllegalArgumentException when {@code dst} is read-only or {@code minBytes} is not within
     *             {@code 1..dst.remaining()}
     * @throws IllegalStateException when a {@code readInto} is pending, or the stream is already
     *             consumed in another style
     */
    CompletionStage<Integer> readInto(ByteBuffer dst, int minBytes);

    /**
     * {@link #readInto(ByteBuffer, int)} with a time limit. When {@code timeout} passes before
     * {@code minBytes} were copied: if no byte was copied the stage fails with
     * {@link TimedOutException}; if some were, it completes with that (short) count, so no byte is
     * ever lost. Either way the stream stays usable: the next read continues with the next byte,
     * and {@code dst} is the caller's again and never written after. A timed-out read does not close
     * the socket (for that, see {@link TcpSocketOptions#idleTimeout()}).
     *
     * @param timeout the longest the read waits, at least 1 ms
     * @throws IllegalArgumentException as {@link #readInto(ByteBuffer, int)}, or when
     *             {@code timeout} is under 1 ms
     * @since 1.1
     */
    CompletionStage<Integer> readInto(ByteBuffer dst, int minBytes, Duration timeout);

    /**
     * {@link #read()} with a time limit: when no chunk arrives within {@code timeout} the stage fails
     * with {@link TimedOutException} and the stream stays usable (the next read gets the next chunk;
     * nothing is lost). Same consumption style as {@link #read()}.
     *
     * @param timeout the longest the read waits, at least 1 ms
     * @throws IllegalArgumentException when {@code timeout} is under 1 ms
     * @throws IllegalStateException as {@link #read()}
     * @since 1.1
     */
    CompletionStage<ReadResult<ByteBuffer>> read(Duration timeout);
}
