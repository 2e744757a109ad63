package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

import org.rawsockets.socket.ReadResult;

import org.rawsockets.socket.TcpReadable;

/**
 * The receive side of one generation of a {@link TcpConnection}: a {@link Source} of received chunks
 * whose weight drives the connection's read suspension, plus the blocking InputStream view.
 */
final class TcpRx extends Source<ByteBuffer> implements TcpReadable {

    private final TcpConnection c;
    /** Bytes the InputStream view took from the queue and has not handed out yet. */
    volatile int heldByView;

    TcpRx(TcpConnection c) {
        this.c = c;
    }

    @Override
    protected long weigh(ByteBuffer element) {
        return element.remaining();
    }

    @Override
    protected void afterPush(long newWeight, long delta) {
        c.rxFlow.pushed(delta);
    }

    @Override
    protected void afterTake(long newWeight, long delta) {
        c.rxFlow.taken(delta);
    }

    @Override
    protected void onCancel() {
        if (this == c.facade().rx) {
            c.rxCancelled();
        }
    }

    @Override
    protected String describe() {
        return "the readable side of the socket to " + c.where();
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer dst) {
        return readInto(dst, 1);
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer dst, int minBytes) {
        return readBytesInto(dst, minBytes, 0);
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer dst, int minBytes, Duration timeout) {
        return readBytesInto(dst, minBytes, limit(timeout));
    }

    @Override
    public CompletionStage<ReadResult<ByteBuffer>> read(Duration timeout) {
        return read(limit(timeout));
    }

    private static long limit(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("timeout must be at least 1 ms, was " + timeout);
        }
        return timeout.toNanos();
    }

    @Override
    protected ScheduledExecutorService timer() {
        return c.engine.timer();
    }

    @Override
    public InputStream inputStream(Duration readTimeout) {
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("readTimeout must be > 0, was " + readTimeout);
        }
        lockBlocking();
        long nanos = readTimeout.toNanos();
        return new InputStream() {
            private ByteBuffer chunk;
            private boolean eof;

            private boolean fill() throws IOException {
                while (chunk == null || !chunk.hasRemaining()) {
                    if (eof) {
                        return false;
                    }
                    chunk = take(nanos, "InputStream.read");
                    if (chunk == null) {
                        eof = true;
                        return false;
                    }
                }
                return true;
            }

            @Override
            public int read() throws IOException {
                if (!fill()) {
                    return -1;
                }
                int b = chunk.get() & 0xff;
                heldByView = chunk.remaining();
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, chunk.remaining());
                chunk.get(b, off, n);
                heldByView = chunk.remaining();
                return n;
            }

            @Override
            public int available() {
                return chunk == null ? 0 : chunk.remaining();
            }

            @Override
            public void close() {
                chunk = null;
                heldByView = 0;
                cancelInternal();
            }
        };
    }
}
