package org.rawsockets.bench.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Netty 4.1 with the NIO transport (the same selector model as MINA; no native epoll), 2 event
 * loops like the socket engine, the default pooled allocator, writability with the engine's
 * watermarks (64 KiB low / 256 KiB high). The application hands heap arrays to Netty (wrapped, not
 * copied by the caller), as the other clients do; Netty copies them to pooled direct buffers.
 */
final class NettyClient implements Client {

    private final byte[] chunk = Client.chunk();
    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private final boolean copyToHeap;
    private final SslContext ssl;

    /**
     * @param copyToHeap when true, every received buffer is copied into a fresh {@code byte[]} the
     *            application keeps (what a reader of the socket API gets: chunks it owns), instead of
     *            being read in place from Netty's pooled buffer and released
     */
    NettyClient(boolean copyToHeap) {
        this(copyToHeap, null);
    }

    /**
     * With TLS: an {@link SslHandler} from {@code ssl} first in every pipeline; the measurement starts
     * when the handshake is done (as the TcpSocket clients start once {@code opened} resolved).
     */
    NettyClient(boolean copyToHeap, SslContext ssl) {
        this.copyToHeap = copyToHeap;
        this.ssl = ssl;
    }

    @Override
    public String name() {
        return (copyToHeap ? "Netty (NIO, owned copies)" : "Netty (NIO)") + (ssl == null ? "" : " + SslHandler");
    }

    @Override
    public long offHeapBytes() {
        // Netty allocates direct memory without the JDK's counter (no-cleaner buffers).
        return Client.super.offHeapBytes() + Math.max(0, io.netty.util.internal.PlatformDependent.usedDirectMemory());
    }

    /** Keeps the last owned copy reachable so the JIT cannot drop the copy. */
    static volatile byte[] sink;

    private Bootstrap bootstrap(ChannelHandler handler) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TIMEOUT.toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .handler(ssl == null ? handler : new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new AfterHandshake(), handler);
                    }
                });
    }

    /** Holds back channelActive until the TLS handshake is done, so an Op starts on an open TLS channel. */
    private static final class AfterHandshake extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // the SslHandler before this one has started the handshake
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent c) {
                if (c.isSuccess()) {
                    ctx.fireChannelActive();
                } else {
                    ctx.fireExceptionCaught(c.cause());
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    private abstract static class Op extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Long> done = new CompletableFuture<>();
        long t0;

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IOException("channel closed before the measurement ended"));
        }
    }

    private long run(InetSocketAddress a, Op op) throws Exception {
        ChannelFuture cf = bootstrap(op).connect(a);
        if (!cf.await(TIMEOUT.toMillis()) || !cf.isSuccess()) {
            throw new IOException("Netty connect to " + a + " failed", cf.cause());
        }
        Channel ch = cf.channel();
        try {
            return op.done.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            ch.close().await(TIMEOUT.toMillis());
        }
    }

    @Override
    public long upload(InetSocketAddress sink, long bytes) throws Exception {
        return run(sink, new Op() {
            long left = bytes;

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                t0 = System.nanoTime();
                ctx.write(Unpooled.wrappedBuffer(Client.header(bytes)));
                fill(ctx);
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                fill(ctx);
            }

            private void fill(ChannelHandlerContext ctx) {
                while (left > 0 && ctx.channel().isWritable()) {
                    int n = (int) Math.min(CHUNK, left);
                    ctx.write(Unpooled.wrappedBuffer(chunk, 0, n));
                    left -= n;
                }
                ctx.flush();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ((ByteBuf) msg).release();
                done.complete(System.nanoTime() - t0);
            }
        });
    }

    @Override
    public long download(InetSocketAddress source, long bytes) throws Exception {
        return run(source, new Op() {
            long left = bytes;

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                t0 = System.nanoTime();
                ctx.writeAndFlush(Unpooled.wrappedBuffer(Client.header(bytes)));
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                int n = b.readableBytes();
                if (copyToHeap) {
                    byte[] owned = new byte[n];
                    b.readBytes(owned);
                    sink = owned;
                }
                left -= n;
                b.release();
                if (left <= 0) {
                    done.complete(System.nanoTime() - t0);
                }
            }
        });
    }

    @Override
    public long[] echo(InetSocketAddress echo, int count) throws Exception {
        long[] rtt = new long[count];
        byte[] msg = new byte[ECHO_SIZE];
        run(echo, new Op() {
            int i;
            int got;

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                t0 = System.nanoTime();
                ctx.writeAndFlush(Unpooled.wrappedBuffer(msg));
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object m) {
                ByteBuf b = (ByteBuf) m;
                got += b.readableBytes();
                b.release();
                while (got >= ECHO_SIZE) {
                    got -= ECHO_SIZE;
                    rtt[i++] = System.nanoTime() - t0;
                    if (i == count) {
                        done.complete(0L);
                        return;
                    }
                    t0 = System.nanoTime();
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(msg));
                }
            }
        });
        return rtt;
    }

    @Override
    public Idle openIdle(InetSocketAddress echo, int count) throws Exception {
        @ChannelHandler.Sharable
        final class Discard extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ((ByteBuf) msg).release();
            }
        }
        Bootstrap b = bootstrap(new Discard());
        List<Channel> channels = new ArrayList<>(count);
        Idle result = new Idle() {
            @Override
            public int count() {
                return channels.size();
            }

            @Override
            public void close() throws Exception {
                List<ChannelFuture> closing = new ArrayList<>();
                for (Channel c : channels) {
                    closing.add(c.close());
                }
                for (ChannelFuture f : closing) {
                    f.await(TIMEOUT.toMillis());
                }
                channels.clear();
            }
        };
        try {
            int batch = 256;
            for (int i = 0; i < count; i += batch) {
                List<ChannelFuture> pending = new ArrayList<>();
                for (int j = i; j < Math.min(count, i + batch); j++) {
                    pending.add(b.connect(echo));
                }
                for (ChannelFuture f : pending) {
                    if (!f.await(TIMEOUT.toMillis()) || !f.isSuccess()) {
                        throw new IOException("Netty idle connect failed after " + channels.size(), f.cause());
                    }
                    channels.add(f.channel());
                }
            }
        } catch (Exception e) {
            result.close();
            throw e;
        }
        return result;
    }

    @Override
    public void close() throws InterruptedException {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
}
