package org.rawsockets.bench.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpReadable;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * The product read with bring-your-own-buffer reads: {@code readable().readInto(dst)} into one
 * reused 64 KiB heap buffer per connection (the caller owns its buffer, nothing is handed over);
 * writes as {@link TcpSocketClient} (async {@code write} stages).
 */
final class TcpSocketByobClient implements Client {

    private final SocketService service;
    private final TcpSocketOptions options;
    private final TcpSocketClient writer;

    TcpSocketByobClient(SocketService service) {
        this(service, TcpSocketClient.OPTIONS);
    }

    /** With other open options, e.g. TLS for the TLS bulk suite. */
    TcpSocketByobClient(SocketService service, TcpSocketOptions options) {
        this.service = service;
        this.options = options;
        this.writer = new TcpSocketClient(service, options);
    }

    @Override
    public String name() {
        return "TcpSocket (BYOB)";
    }

    private long run(InetSocketAddress a, java.util.function.BiConsumer<TcpSocket, CompletableFuture<Long>> op)
            throws Exception {
        TcpSocket s = TcpSocketClient.open(service, a, options);
        CompletableFuture<Long> done = new CompletableFuture<>();
        try {
            op.accept(s, done);
            return done.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            TcpSocketClient.closeAndWait(s);
        }
    }

    /**
     * Reads into {@code dst} (cleared before each read, at least {@code minBytes}) until
     * {@code onRead} returns false; the end of the stream or an error fails {@code done}.
     */
    static void readLoop(TcpReadable r, ByteBuffer dst, int minBytes, CompletableFuture<?> done, IntPredicate onRead) {
        try {
            while (true) {
                dst.clear();
                CompletableFuture<Integer> f = r.readInto(dst, minBytes).toCompletableFuture();
                if (!f.isDone()) {
                    f.whenComplete((n, e) -> {
                        if (e != null) {
                            done.completeExceptionally(e);
                        } else if (handle(n, done, onRead)) {
                            readLoop(r, dst, minBytes, done, onRead);
                        }
                    });
                    return;
                }
                Integer n;
                try {
                    n = f.join();
                } catch (CompletionException e) {
                    done.completeExceptionally(e.getCause());
                    return;
                }
                if (!handle(n, done, onRead)) {
                    return;
                }
            }
        } catch (Throwable e) {
            done.completeExceptionally(e);
        }
    }

    private static boolean handle(int n, CompletableFuture<?> done, IntPredicate onRead) {
        if (n < 0) {
            done.completeExceptionally(new IOException("peer ended the stream early"));
            return false;
        }
        return onRead.test(n);
    }

    @Override
    public long upload(InetSocketAddress sink, long bytes) throws Exception {
        return writer.upload(sink, bytes);
    }

    @Override
    public long download(InetSocketAddress source, long bytes) throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(CHUNK);
        return run(source, (s, done) -> {
            long t0 = System.nanoTime();
            long[] left = {bytes};
            s.writable().write(ByteBuffer.wrap(Client.header(bytes)));
            readLoop(s.readable(), dst, 1, done, n -> {
                left[0] -= n;
                if (left[0] <= 0) {
                    done.complete(System.nanoTime() - t0);
                    return false;
                }
                return true;
            });
        });
    }

    @Override
    public long[] echo(InetSocketAddress echo, int count) throws Exception {
        long[] rtt = new long[count];
        byte[] msg = new byte[ECHO_SIZE];
        ByteBuffer dst = ByteBuffer.allocate(ECHO_SIZE);
        run(echo, (s, done) -> {
            int[] i = {0};
            long[] t0 = {System.nanoTime()};
            s.writable().write(ByteBuffer.wrap(msg));
            // one whole message per read (minBytes = its size)
            readLoop(s.readable(), dst, ECHO_SIZE, done, n -> {
                rtt[i[0]++] = System.nanoTime() - t0[0];
                if (i[0] == count) {
                    done.complete(0L);
                    return false;
                }
                t0[0] = System.nanoTime();
                s.writable().write(ByteBuffer.wrap(msg));
                return true;
            });
        });
        return rtt;
    }

    @Override
    public Idle openIdle(InetSocketAddress echo, int count) throws Exception {
        return TcpSocketClient.openIdle(service, echo, count);
    }

    @Override
    public void close() {
    }
}
