package org.rawsockets.smtp.internal;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpReadable;

/**
 * A readable side fed by the test, piece by piece: {@code readInto} takes what was fed (at most one
 * piece per call, so the pieces' boundaries reach the reader), waits while nothing is, and reports
 * the end once {@link #end()} was called and all is taken. One pending read, as the contract says.
 */
final class FedReadable implements TcpReadable {
    private final java.util.ArrayDeque<ByteBuffer> pieces = new java.util.ArrayDeque<>();
    private boolean ended;
    private ByteBuffer dst;
    private CompletableFuture<Integer> pending;

    FedReadable feed(byte[] bytes, int from, int to) {
        if (to > from) {
            pieces.add(ByteBuffer.wrap(bytes, from, to - from));
        }
        serve();
        return this;
    }

    FedReadable feed(byte[] bytes) {
        return feed(bytes, 0, bytes.length);
    }

    FedReadable end() {
        ended = true;
        serve();
        return this;
    }

    private void serve() {
        if (pending == null || pieces.isEmpty() && !ended) {
            return;
        }
        CompletableFuture<Integer> f = pending;
        pending = null;
        ByteBuffer p = pieces.peek();
        if (p == null) {
            f.complete(-1);
            return;
        }
        int n = Math.min(p.remaining(), dst.remaining());
        dst.put(p.slice(p.position(), n));
        p.position(p.position() + n);
        if (!p.hasRemaining()) {
            pieces.poll();
        }
        f.complete(n);
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer d, int minBytes) {
        if (pending != null) {
            throw new IllegalStateException("a read is pending");
        }
        if (minBytes != 1) {
            throw new IllegalArgumentException("this fake serves line readers only (minBytes 1), got " + minBytes);
        }
        pending = new CompletableFuture<>();
        CompletableFuture<Integer> f = pending;
        dst = d;
        serve();
        return f;
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer d) {
        return readInto(d, 1);
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer d, int minBytes, Duration timeout) {
        return readInto(d, minBytes);
    }

    @Override
    public CompletionStage<ReadResult<ByteBuffer>> read(Duration timeout) {
        throw new UnsupportedOperationException();
    }

    @Override
    public InputStream inputStream(Duration readTimeout) {
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
        throw new UnsupportedOperationException();
    }
}
