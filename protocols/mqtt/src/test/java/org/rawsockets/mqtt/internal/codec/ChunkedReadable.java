package org.rawsockets.mqtt.internal.codec;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpReadable;

/**
 * A transport-free {@link TcpReadable} that hands out the given chunks as a network would: one
 * {@code readInto} copies from the current chunk and moves on to the next chunks only while fewer
 * than {@code minBytes} were copied; then the end of the stream.
 */
final class ChunkedReadable implements TcpReadable {
    private final Deque<ByteBuffer> chunks = new ArrayDeque<>();
    int reads;

    ChunkedReadable(byte[]... parts) {
        for (byte[] p : parts) {
            if (p.length > 0) {
                chunks.add(ByteBuffer.wrap(p));
            }
        }
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer dst, int minBytes) {
        reads++;
        int copied = 0;
        while (copied < minBytes && !chunks.isEmpty() && dst.hasRemaining()) {
            ByteBuffer c = chunks.peek();
            int n = Math.min(c.remaining(), dst.remaining());
            ByteBuffer part = c.slice(c.position(), n);
            dst.put(part);
            c.position(c.position() + n);
            copied += n;
            if (!c.hasRemaining()) {
                chunks.poll();
            }
        }
        return CompletableFuture.completedFuture(copied == 0 ? -1 : copied);
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer dst) {
        return readInto(dst, 1);
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer dst, int minBytes, Duration timeout) {
        return readInto(dst, minBytes);
    }

    @Override
    public InputStream inputStream(Duration readTimeout) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<ReadResult<ByteBuffer>> read(Duration timeout) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<ReadResult<ByteBuffer>> read() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Flow.Publisher<ByteBuffer> publisher() {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Void> cancel() {
        chunks.clear();
        return CompletableFuture.completedFuture(null);
    }
}
