package org.rawsockets.socket.testing;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpReadable;

/**
 * A transport-free {@link TcpReadable} that a codec test feeds piece by piece (as Netty's codec tests
 * feed an embedded channel), for the BYOB {@code readInto} readers ({@link org.rawsockets.socket.FrameReader}
 * and the protocol decoders built on it). Shared by the protocol bundles through socket-api's test-jar.
 *
 * <p>{@code readInto(dst, minBytes)} follows the contract: one pending read at a time; it completes
 * once at least {@code minBytes} were copied, or at the end of the stream ({@link #end()}) with what
 * it has ({@code -1} when nothing). Fed bytes are handed out in one of two ways:
 * <ul>
 * <li>{@link #ScriptedReadable() greedy}: a read takes everything fed so far that fits, the pieces
 * run together (as in a socket's receive buffer);</li>
 * <li>{@link #piecewise()}: a read copies from one piece and moves on to the next only while fewer
 * than {@code minBytes} were copied, so the pieces' boundaries reach the reader (as segments
 * would).</li>
 * </ul>
 * Not thread-safe: a test feeds it from one thread (completions run on the feeding thread).
 */
public final class ScriptedReadable implements TcpReadable {
    private final Deque<ByteBuffer> pieces = new ArrayDeque<>();
    private final boolean piecewise;
    private boolean ended;
    private ByteBuffer dst;
    private int min;
    private int count;
    private CompletableFuture<Integer> pending;
    private int reads;

    /** A greedy readable: a read takes all that was fed and fits. */
    public ScriptedReadable() {
        this(false);
    }

    private ScriptedReadable(boolean piecewise) {
        this.piecewise = piecewise;
    }

    /** A readable whose reads stop at the fed pieces' boundaries once {@code minBytes} were copied. */
    public static ScriptedReadable piecewise() {
        return new ScriptedReadable(true);
    }

    /** A piecewise readable holding {@code parts}, then the end of the stream: every read completes at once. */
    public static ScriptedReadable of(byte[]... parts) {
        ScriptedReadable r = piecewise();
        for (byte[] p : parts) {
            r.feed(p);
        }
        return r.end();
    }

    /** Feeds a copy of {@code piece} (an empty one is ignored); serves a pending read. */
    public ScriptedReadable feed(byte[] piece) {
        return feed(piece, 0, piece.length);
    }

    /** Feeds a copy of {@code bytes[from, to)}; serves a pending read. */
    public ScriptedReadable feed(byte[] bytes, int from, int to) {
        if (to > from) {
            pieces.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, to)));
        }
        serve();
        return this;
    }

    /** The end of the stream after what was fed; serves a pending read. */
    public ScriptedReadable end() {
        ended = true;
        serve();
        return this;
    }

    /** The number of {@code readInto} calls so far. */
    public int reads() {
        return reads;
    }

    private void serve() {
        if (pending == null) {
            return;
        }
        while (dst.hasRemaining() && !pieces.isEmpty()) {
            ByteBuffer p = pieces.peek();
            int n = Math.min(p.remaining(), dst.remaining());
            dst.put(p.slice(p.position(), n));
            p.position(p.position() + n);
            count += n;
            if (!p.hasRemaining()) {
                pieces.poll();
            }
            if (piecewise && count >= min) {
                break;
            }
        }
        if (count >= min || ended && pieces.isEmpty()) {
            CompletableFuture<Integer> f = pending;
            int n = count == 0 ? -1 : count;
            pending = null;
            dst = null;
            f.complete(n);
        }
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer d, int minBytes) {
        if (pending != null) {
            throw new IllegalStateException("a read is pending");
        }
        if (minBytes < 1 || minBytes > d.remaining()) {
            throw new IllegalArgumentException("minBytes " + minBytes + " remaining " + d.remaining());
        }
        reads++;
        pending = new CompletableFuture<>();
        CompletableFuture<Integer> f = pending;
        dst = d;
        min = minBytes;
        count = 0;
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

    /** Drops what was fed and not read; the stream ends. */
    @Override
    public CompletionStage<Void> cancel() {
        pieces.clear();
        end();
        return CompletableFuture.completedFuture(null);
    }
}
