package org.rawsockets.bench.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;

/**
 * Netty's {@link SslHandler} (JDK provider, one {@link SslContext} for every connection, engines
 * made with the peer's host and port so that the JDK session cache resumes), NIO transport with 2
 * event loops: the same handshake as {@link TlsBench}'s other clients (connect, handshake, one
 * 2-byte exchange, close).
 */
final class NettyTlsClient implements AutoCloseable {

    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private final SslContext ssl;

    NettyTlsClient(String trustedPem, String protocol) throws IOException {
        this.ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(new ByteArrayInputStream(trustedPem.getBytes(StandardCharsets.US_ASCII)))
                .protocols(protocol).build();
    }

    /** One handshake to 127.0.0.1:{@code port}; true when it resumed a session. */
    boolean handshake(int port) throws Exception {
        long before = System.currentTimeMillis();
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler h = ssl.newHandler(ch.alloc(), "127.0.0.1", port);
                        SSLEngine e = h.engine();
                        SSLParameters p = e.getSSLParameters();
                        p.setEndpointIdentificationAlgorithm("HTTPS");
                        e.setSSLParameters(p);
                        ch.pipeline().addLast(h, new ChannelInboundHandlerAdapter() {
                            private int got;

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof SslHandshakeCompletionEvent c) {
                                    if (c.isSuccess()) {
                                        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] { 'x', '\n' }));
                                    } else {
                                        done.completeExceptionally(c.cause());
                                    }
                                }
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf buf = (ByteBuf) msg;
                                got += buf.readableBytes();
                                buf.release();
                                if (got >= 2) {
                                    done.complete(e.getSession().getCreationTime() < before);
                                }
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                done.completeExceptionally(cause);
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                done.completeExceptionally(new IOException("s_server closed the connection"));
                            }
                        });
                    }
                });
        Channel ch = b.connect("127.0.0.1", port).sync().channel();
        try {
            return done.get(10, TimeUnit.SECONDS);
        } finally {
            ch.close().sync();
        }
    }

    /**
     * A connection to 127.0.0.1:{@code port} for round trips of one line (s_server {@code -rev}
     * answers a line with a line of the same length): the caller writes and waits for the answer, as
     * {@link TlsBench#engineEcho} does.
     */
    final class Echo implements AutoCloseable {
        private final Channel ch;
        private volatile CompletableFuture<Void> answer;
        private int expected;
        private int got;

        Echo(int port) throws Exception {
            CompletableFuture<Void> secured = new CompletableFuture<>();
            Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true).handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(ssl.newHandler(c.alloc(), "127.0.0.1", port),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                            if (evt instanceof SslHandshakeCompletionEvent e) {
                                                if (e.isSuccess()) {
                                                    secured.complete(null);
                                                } else {
                                                    secured.completeExceptionally(e.cause());
                                                }
                                            }
                                        }

                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            ByteBuf buf = (ByteBuf) msg;
                                            got += buf.readableBytes();
                                            buf.release();
                                            if (got >= expected) {
                                                answer.complete(null);
                                            }
                                        }
                                    });
                        }
                    });
            ch = b.connect("127.0.0.1", port).sync().channel();
            secured.get(10, TimeUnit.SECONDS);
        }

        /** Sends {@code line} and waits for the answer of its length. */
        void roundTrip(byte[] line) throws Exception {
            CompletableFuture<Void> a = new CompletableFuture<>();
            ch.eventLoop().execute(() -> { // the counters belong to the event loop
                got = 0;
                expected = line.length;
                answer = a;
                ch.writeAndFlush(Unpooled.wrappedBuffer(line));
            });
            a.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            ch.close().syncUninterruptibly();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
