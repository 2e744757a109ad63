package org.rawsockets.socket;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The sending side of a socket.
 *
 * <p><b>Backpressure.</b> {@link #write(Object)} completes once the element is accepted: queued
 * while the bytes already queued are under the high-water mark. A writer that waits for each
 * write's stage before the next one therefore never queues more than the high-water mark plus one
 * element; while the peer does not read, writes stall. Writes that are not waited for are still
 * accepted (the caller takes responsibility for the memory), but complete only as the queue drains.
 *
 * @param <T> element type
 */
@ProviderType
public interface WritableStream<T> {

    /**
     * Queues {@code element} for sending. The socket takes ownership of the element: for a
     * {@link java.nio.ByteBuffer}, its remaining bytes must not be changed after this call.
     *
     * @return completes when the element is accepted under the high-water mark; fails with
     *         {@link SocketClosedException} when this side is closed or aborted, or with the socket's
     *         error
     */
    CompletionStage<Void> write(T element);

    /**
     * Closes this side once everything queued is sent. For TCP this sends FIN (a half-close: the
     * readable side stays open when {@code allowHalfOpen}, otherwise the socket closes once the
     * readable side also ended).
     *
     * @return completes when the queued data is flushed and the close is done
     */
    CompletionStage<Void> close();

    /**
     * Drops whatever is queued and closes the socket at once (TCP: a reset where the platform
     * allows). Pending writes fail with {@link SocketClosedException} naming {@code reason}.
     *
     * @return completes when the socket is closed
     */
    CompletionStage<Void> abort(Throwable reason);

    /** Bytes queued and not yet handed to the operating system. */
    long queuedBytes();
}
