package org.rawsockets.bench.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpReadable;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TcpWritable;

/**
 * The product: {@link TcpSocket} from a {@link SocketService} (the MINA engine, standalone), used
 * through its async API — {@code write} stages (backpressure: the next write is issued when the
 * previous one was accepted under the high-water mark) and the pull reader {@code read()}. The
 * continuations run where the implementation completes the stages (its I/O threads); a stage that
 * is already complete is handled in a loop, not by recursion.
 */
final class TcpSocketClient implements Client {

    static final TcpSocketOptions OPTIONS = TcpSocketOptions.builder().noDelay(true).build();

    private final byte[] chunk = Client.chunk();
    private final SocketService service;
    private final TcpSocketOptions options;

    TcpSocketClient(SocketService service) {
        this(service, OPTIONS);
    }

    /** With other open options, e.g. TLS for the TLS bulk suite. */
    TcpSocketClient(SocketService service, TcpSocketOptions options) {
        this.service = service;
        this.options = options;
    }

    @Override
    public String name() {
        return "TcpSocket (async)";
    }

    static TcpSocket open(SocketService service, InetSocketAddress a) throws Exception {
        return open(service, a, OPTIONS);
    }

    static TcpSocket open(SocketService service, InetSocketAddress a, TcpSocketOptions options) throws Exception {
        TcpSocket s = service.openTcp(a.getHostString(), a.getPort(), options);
        s.opened().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return s;
    }

    static void closeAndWait(TcpSocket s) throws Exception {
        try {
            s.close().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // the socket's error after the measurement does not matter here
        }
    }

    private long run(InetSocketAddress a, java.util.function.BiConsumer<TcpSocket, CompletableFuture<Long>> op)
            throws Exception {
        TcpSocket s = open(service, a, options);
        CompletableFuture<Long> done = new CompletableFuture<>();
        try {
            op.accept(s, done);
            return done.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            closeAndWait(s);
        }
    }

    /** The value of a completed stage, or null after failing {@code done} with its error. */
    private static <T> T now(CompletableFuture<T> f, CompletableFuture<?> done) {
        try {
            return f.join();
        } catch (CompletionException e) {
            done.completeExceptionally(e.getCause());
            return null;
        }
    }

    @Override
    public long upload(InetSocketAddress sink, long bytes) throws Exception {
        return run(sink, (s, done) -> new Object() {
            final long t0 = System.nanoTime();
            final TcpWritable w = s.writable();
            long left = bytes;

            void pump() {
                try {
                    while (left > 0) {
                        int n = (int) Math.min(CHUNK, left);
                        CompletableFuture<Void> f = w.write(ByteBuffer.wrap(chunk, 0, n)).toCompletableFuture();
                        left -= n;
                        if (!f.isDone()) {
                            f.whenComplete((v, e) -> {
                                if (e != null) {
                                    done.completeExceptionally(e);
                                } else {
                                    pump();
                                }
                            });
                            return;
                        }
                        if (f.isCompletedExceptionally()) {
                            now(f, done);
                            return;
                        }
                    }
                    s.readable().read().whenComplete((r, e) -> {
                        if (e != null) {
                            done.completeExceptionally(e);
                        } else if (r.done()) {
                            done.completeExceptionally(new IOException("sink closed without acknowledging"));
                        } else {
                            done.complete(System.nanoTime() - t0);
                        }
                    });
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }

            void start() {
                w.write(ByteBuffer.wrap(Client.header(bytes)));
                pump();
            }
        }.start());
    }

    /** Reads until {@code onChunk} returns false; a done stream or an error fails {@code done}. */
    static void readLoop(TcpReadable r, CompletableFuture<?> done, java.util.function.Predicate<ByteBuffer> onChunk) {
        try {
            while (true) {
                CompletableFuture<ReadResult<ByteBuffer>> f = r.read().toCompletableFuture();
                if (!f.isDone()) {
                    f.whenComplete((res, e) -> {
                        if (e != null) {
                            done.completeExceptionally(e);
                        } else if (handle(res, done, onChunk)) {
                            readLoop(r, done, onChunk);
                        }
                    });
                    return;
                }
                ReadResult<ByteBuffer> res = now(f, done);
                if (res == null || !handle(res, done, onChunk)) {
                    return;
                }
            }
        } catch (Throwable e) {
            done.completeExceptionally(e);
        }
    }

    private static boolean handle(ReadResult<ByteBuffer> res, CompletableFuture<?> done,
            java.util.function.Predicate<ByteBuffer> onChunk) {
        if (res.done()) {
            done.completeExceptionally(new IOException("peer ended the stream early"));
            return false;
        }
        return onChunk.test(res.value());
    }

    @Override
    public long download(InetSocketAddress source, long bytes) throws Exception {
        return run(source, (s, done) -> {
            long t0 = System.nanoTime();
            long[] left = {bytes};
            s.writable().write(ByteBuffer.wrap(Client.header(bytes)));
            readLoop(s.readable(), done, b -> {
                left[0] -= b.remaining();
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
        run(echo, (s, done) -> {
            int[] i = {0};
            int[] got = {0};
            long[] t0 = {System.nanoTime()};
            s.writable().write(ByteBuffer.wrap(msg));
            readLoop(s.readable(), done, b -> {
                got[0] += b.remaining();
                while (got[0] >= ECHO_SIZE) {
                    got[0] -= ECHO_SIZE;
                    rtt[i[0]++] = System.nanoTime() - t0[0];
                    if (i[0] == count) {
                        done.complete(0L);
                        return false;
                    }
                    t0[0] = System.nanoTime();
                    s.writable().write(ByteBuffer.wrap(msg));
                }
                return true;
            });
        });
        return rtt;
    }

    @Override
    public Idle openIdle(InetSocketAddress echo, int count) throws Exception {
        return openIdle(service, echo, count);
    }

    static Idle openIdle(SocketService service, InetSocketAddress echo, int count) throws Exception {
        List<TcpSocket> sockets = new ArrayList<>(count);
        List<CompletionStage<?>> reads = new ArrayList<>(count);
        Idle result = new Idle() {
            @Override
            public int count() {
                return sockets.size();
            }

            @Override
            public void close() throws Exception {
                List<CompletableFuture<Void>> closing = new ArrayList<>();
                for (TcpSocket s : sockets) {
                    closing.add(s.close().toCompletableFuture());
                }
                CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                sockets.clear();
                reads.clear();
            }
        };
        try {
            int batch = 256;
            for (int i = 0; i < count; i += batch) {
                List<TcpSocket> pending = new ArrayList<>();
                for (int j = i; j < Math.min(count, i + batch); j++) {
                    pending.add(service.openTcp(echo.getHostString(), echo.getPort(), OPTIONS));
                }
                for (TcpSocket s : pending) {
                    sockets.add(s);
                }
                for (TcpSocket s : pending) {
                    s.opened().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    // An idle connection of a real client waits for data: keep one read pending.
                    reads.add(s.readable().read());
                }
            }
        } catch (Exception e) {
            result.close();
            throw e;
        }
        return result;
    }

    @Override
    public void close() {
    }
}
