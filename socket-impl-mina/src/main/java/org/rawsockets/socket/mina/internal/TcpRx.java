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
import org.rawsockets.socket.TlsMode;

/**
 * The receive side of one generation of a {@link TcpConnection}: a {@link Source} of received chunks
 * whose weight drives the connection's read suspension, plus the blocking InputStream view.
 */
final class TcpRx extends ByteSource implements TcpReadable {

    private final TcpConnection c;
    /** Reads in place for the blocking view of a plain connection; made at its first read. */
    private volatile InPlaceReader inPlace;

    TcpRx(TcpConnection c) {
        this.c = c;
    }

    /** The in-place reader, or null (the I/O thread asks before each read). */
    InPlaceReader inPlace() {
        return inPlace;
    }

    @Override
    protected int readInPlace(byte[] b, int off, int len) {
        InPlaceReader r = inPlace;
        if (r == null) {
            if (!plainText() || this != c.facade().rx || !c.engine.readInPlace()) {
                return 0;
            }
            synchronized (this) {
                r = inPlace;
                if (r == null) {
                    inPlace = r = new InPlaceReader(c, this);
                }
            }
        }
        return r.read(b, off, len);
    }

    @Override
    protected void claimInPlace() {
        InPlaceReader r = inPlace;
        if (r != null) {
            r.claim();
        }
    }

    /** Whether this side receives plain text: no TLS, or STARTTLS before the upgrade began. */
    private boolean plainText() {
        TlsMode m = c.tls.mode();
        return m == TlsMode.OFF || m == TlsMode.STARTTLS && c.tlsLayer.beforeStartTls();
    }

    /**
     * Bytes that can be read without waiting, as far as this side knows (the blocking views'
     * available()): the queued ones. A reader reading in place gives the channel back to the I/O
     * thread here, so a caller that polls this sees the bytes that arrive next.
     */
    long available() {
        InPlaceReader r = inPlace;
        if (r != null) {
            r.handBack();
        }
        return weight();
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
    protected void recycle(ByteBuffer element) {
        if (ChunkPool.isPooled(element)) {
            c.engine.chunks().give(element);
        }
    }

    /** Bytes from the network in the I/O thread's pooled {@code chunk} (see {@link ByteSource#pushBytes}). */
    int received(ByteBuffer chunk) {
        int n = chunk.remaining();
        c.countIn(n);
        int r = pushBytes(chunk);
        if (r == REFUSED && isRetired()) {
            c.tlsLayer.plainTextDuringUpgrade(n); // arrived while startTls() replaced the plain streams
        }
        return r;
    }

    @Override
    protected void onCancel() {
        InPlaceReader r = inPlace;
        if (r != null) {
            r.handBack(); // bytes arriving now are discarded by the I/O thread
        }
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
            private final byte[] one = new byte[1];

            @Override
            public int read() throws IOException {
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) {
                    return 0;
                }
                return takeInto(b, off, len, nanos, "InputStream.read");
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, TcpRx.this.available());
            }

            @Override
            public void close() {
                cancelInternal();
            }
        };
    }
}
