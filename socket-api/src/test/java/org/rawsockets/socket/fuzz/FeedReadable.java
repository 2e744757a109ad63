package org.rawsockets.socket.fuzz;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpReadable;

/**
 * A transport-free {@link TcpReadable} for fuzz targets: hands out {@code data} in pieces whose
 * sizes come from the fuzzer ({@code chunking}, so a frame split anywhere is covered), every read
 * completing at once on the calling thread; then the end of the stream. Counts the bytes taken, so
 * an oracle can check what a decoder consumed ({@link #unread()}).
 */
public final class FeedReadable implements TcpReadable {
    private final byte[] data;
    private final byte[] chunking;
    private int at;
    private int reads;

    /**
     * @param data the bytes of the stream
     * @param chunking piece sizes, one byte {@code b} each for a piece of {@code b + 1} bytes, used in
     *            turn; empty for one piece per read as large as the buffer allows
     */
    public FeedReadable(byte[] data, byte[] chunking) {
        this.data = data;
        this.chunking = chunking;
    }

    /** Bytes never taken by a read. */
    public int unread() {
        return data.length - at;
    }

    /** The bytes never taken, in order. */
    public byte[] rest() {
        return java.util.Arrays.copyOfRange(data, at, data.length);
    }

    @Override
    public CompletionStage<Integer> readInto(ByteBuffer dst, int minBytes) {
        if (at == data.length) {
            return CompletableFuture.completedFuture(-1);
        }
        int copied = 0;
        while ((copied < minBytes || copied == 0) && at < data.length && dst.hasRemaining()) {
            int piece = chunking.length == 0 ? Integer.MAX_VALUE : 1 + (chunking[reads++ % chunking.length] & 0xFF);
            int n = Math.min(Math.min(piece, data.length - at), dst.remaining());
            dst.put(data, at, n);
            at += n;
            copied += n;
        }
        return CompletableFuture.completedFuture(copied);
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
        throw new UnsupportedOperationException("fuzz targets read with readInto");
    }

    @Override
    public CompletionStage<ReadResult<ByteBuffer>> read(Duration timeout) {
        throw new UnsupportedOperationException("fuzz targets read with readInto");
    }

    @Override
    public CompletionStage<ReadResult<ByteBuffer>> read() {
        throw new UnsupportedOperationException("fuzz targets read with readInto");
    }

    @Override
    public Flow.Publisher<ByteBuffer> publisher() {
        throw new UnsupportedOperationException("fuzz targets read with readInto");
    }

    @Override
    public CompletionStage<Void> cancel() {
        at = data.length;
        return CompletableFuture.completedFuture(null);
    }
}
