package org.rawsockets.irc.internal.codec;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpReadable;

/** (Copied from socket-api's FrameReaderTest.) */
/** A readable fed by the test; honours readInto's minBytes, end of stream, one pending read. */
public final class ScriptedReadable implements TcpReadable {
    private final ByteBuffer data = ByteBuffer.allocate(1 << 20).flip();
    private boolean ended;
    private ByteBuffer dst;
    private int min;
    private int count;
    private CompletableFuture<Integer> pending;
    int reads;

    public void feed(byte[] piece) {
        data.compact().put(piece).flip();
        serve();
    }

    public void end() {
        ended = true;
        serve();
    }

    private void serve() {
        if (pending == null) {
            return;
        }
        int k = Math.min(data.remaining(), dst.remaining());
        ByteBuffer part = data.slice(data.position(), k);
        dst.put(part);
        data.position(data.position() + k);
        count += k;
        if (count >= min || ended) {
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
            throw new IllegalStateException("pending");
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

    @Override
    public CompletionStage<Void> cancel() {
        throw new UnsupportedOperationException();
    }
}
