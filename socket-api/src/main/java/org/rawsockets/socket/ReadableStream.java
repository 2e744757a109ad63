package org.rawsockets.socket;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The receiving side of a socket: bytes for TCP, datagrams for UDP, accepted connections for a
 * server socket.
 *
 * <p><b>Backpressure.</b> The implementation buffers at most a bounded amount that has not been
 * read yet; when the buffer is full it stops reading from the network (the peer's sending is then
 * slowed by TCP flow control; UDP datagrams beyond the bound are dropped and counted), and resumes
 * once the reader has drained it. Nothing accumulates without bound.
 *
 * <p><b>One consumer.</b> Like a Streams API reader lock, the stream is consumed in one style only:
 * the first call of {@link #read()}, {@link #publisher()} or (TCP) {@code inputStream(...)} or
 * {@code readInto(...)} locks it to that style; a call of another style then throws
 * {@link IllegalStateException}.
 *
 * @param <T> element type
 */
@ProviderType
public interface ReadableStream<T> {

    /**
     * Pulls the next element. At most one read may be outstanding; a second one while the first is
     * pending throws {@link IllegalStateException}.
     *
     * @return completes with the next element, or with {@link ReadResult#end()} at the end of the
     *         stream (the peer finished sending, or this stream was cancelled); fails with the
     *         socket's error ({@link RawSocketException}) if the socket failed
     */
    CompletionStage<ReadResult<T>> read();

    /**
     * A {@link Flow.Publisher} view for reactive consumers. Single subscriber; elements are
     * delivered only as far as requested, so a subscriber that stops requesting stops network reads.
     * {@code onComplete} at the end of the stream, {@code onError} with the socket's error.
     * Cancelling the subscription cancels this stream.
     */
    Flow.Publisher<T> publisher();

    /**
     * Stops reading: buffered data is dropped, pending and later reads see the end of the stream.
     * For TCP without {@code allowHalfOpen} this also closes the socket once the writable side is
     * done, as in Direct Sockets.
     *
     * @return completes when the reading side is released
     */
    CompletionStage<Void> cancel();
}
