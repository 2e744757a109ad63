package org.rawsockets.bench.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;

import org.rawsockets.bench.BenchSupport;
import org.rawsockets.bench.Targets;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.WritableStream;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * UDP send rate, 1400-byte datagrams to a loopback receiver, for the engine's UdpSocket (connected:
 * {@code UdpMessage.of}; bound: {@code UdpMessage.to}) against Netty's NioDatagramChannel (connected
 * and unconnected), each with about 64 datagrams (90 KiB) in flight: the engine issues the next
 * write while fewer than 64 write stages are pending (a stage completes when the datagram was
 * sent); Netty writes while the channel is writable (watermarks 32/90 KiB) and flushes after each
 * batch. The receiver is a plain blocking DatagramChannel thread that counts (shown as "received",
 * loopback UDP may drop). Interleaved rounds, median.
 *
 * <p>{@code java -jar bench/target/bench.jar udp [datagrams per round (100000)] [rounds (5)]}
 */
public final class UdpBench {

    static final int SIZE = 1400;
    static final int WINDOW = 64;

    private UdpBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println("UDP suite: " + n + " datagrams of " + SIZE + " B per round, " + rounds
                + " interleaved rounds after one warm-up, ~" + WINDOW + " in flight");
        System.out.println(BenchSupport.banner());
        byte[] payload = new byte[SIZE];
        try (Receiver rx = new Receiver()) {
            MinaSocketEngine engine = MinaSocketEngine.standalone();
            MinaSocketEngine.OwnedSocketService service = engine.serviceFor(Owner.of(1, "bench"));
            EventLoopGroup group = new NioEventLoopGroup(2);
            try {
                String[] names = {"engine connected", "engine bound", "Netty connected", "Netty bound"};
                double[][] rate = new double[4][rounds];
                long[] received = new long[4];
                for (int round = -1; round < rounds; round++) {
                    for (int c = 0; c < 4; c++) {
                        int k = (c + Math.max(0, round)) % 4;
                        long r0 = rx.count.get();
                        long t = switch (k) {
                            case 0 -> engine(service, rx.port, true, payload, n);
                            case 1 -> engine(service, rx.port, false, payload, n);
                            case 2 -> netty(group, rx.port, true, payload, n);
                            default -> netty(group, rx.port, false, payload, n);
                        };
                        rx.awaitQuiet();
                        if (round >= 0) {
                            rate[k][round] = n / (t / 1e9);
                            received[k] += rx.count.get() - r0;
                        }
                    }
                }
                double[] med = new double[4];
                System.out.printf(Locale.ROOT, "%-18s %14s %14s %10s%n", "client", "datagrams/s", "min..max", "received");
                for (int k = 0; k < 4; k++) {
                    med[k] = BenchSupport.median(rate[k]);
                    double[] s = rate[k].clone();
                    java.util.Arrays.sort(s);
                    System.out.printf(Locale.ROOT, "%-18s %14.0f %14s %9.1f%%%n", names[k], med[k],
                            String.format(Locale.ROOT, "%.0f..%.0f", s[0], s[s.length - 1]),
                            100.0 * received[k] / ((double) n * rounds));
                }
                System.out.printf(Locale.ROOT, "engine / Netty (target >= 0.9x): connected %.2fx, bound %.2fx%n",
                        med[0] / med[2], med[1] / med[3]);
                Targets.ratio("udp.connected", med[0], med[2], String.format(Locale.ROOT, "%.0f vs %.0f /s", med[0], med[2]));
                Targets.ratio("udp.bound", med[1], med[3], String.format(Locale.ROOT, "%.0f vs %.0f /s", med[1], med[3]));
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
                service.close();
                engine.close();
            }
        }
    }

    /** Sends {@code n} datagrams through the engine; nanoseconds until every write stage completed. */
    static long engine(MinaSocketEngine.OwnedSocketService service, int port, boolean connected, byte[] payload, int n)
            throws Exception {
        UdpSocket s = service.openUdp(connected ? UdpSocketOptions.connected("127.0.0.1", port)
                : UdpSocketOptions.bound("127.0.0.1", 0));
        try {
            s.opened().toCompletableFuture().get(30, TimeUnit.SECONDS);
            WritableStream<UdpMessage> w = s.writable();
            CompletableFuture<Long> done = new CompletableFuture<>();
            long t0 = System.nanoTime();
            new Object() {
                int issued;
                int completed;
                int inFlight;
                /** A pump loop runs (a stage completing inside it is picked up by the loop, not by recursion). */
                boolean pumping;

                synchronized void pump() {
                    pumping = true;
                    try {
                        while (issued < n && inFlight < WINDOW && !done.isDone()) {
                            ByteBuffer b = ByteBuffer.wrap(payload);
                            UdpMessage m = connected ? UdpMessage.of(b) : UdpMessage.to("127.0.0.1", port, b);
                            issued++;
                            inFlight++;
                            w.write(m).whenComplete((v, e) -> written(e));
                        }
                    } finally {
                        pumping = false;
                    }
                }

                void written(Throwable e) {
                    if (e != null) {
                        done.completeExceptionally(e);
                        return;
                    }
                    boolean last;
                    boolean again;
                    synchronized (this) {
                        inFlight--;
                        last = ++completed == n;
                        again = !pumping;
                    }
                    if (last) {
                        done.complete(System.nanoTime() - t0);
                    } else if (again) {
                        pump();
                    }
                }
            }.pump();
            return done.get(120, TimeUnit.SECONDS);
        } finally {
            s.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** Sends {@code n} datagrams through Netty; nanoseconds until the last write completed. */
    static long netty(EventLoopGroup group, int port, boolean connected, byte[] payload, int n) throws Exception {
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        CompletableFuture<Long> done = new CompletableFuture<>();
        long[] t0 = new long[1];
        Bootstrap b = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, WINDOW * SIZE))
                .handler(new ChannelInboundHandlerAdapter() {
                    int sent;

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        t0[0] = System.nanoTime();
                        pump(ctx.channel());
                        ctx.fireChannelActive();
                    }

                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        pump(ctx.channel());
                        ctx.fireChannelWritabilityChanged();
                    }

                    void pump(Channel ch) {
                        while (sent < n && ch.isWritable()) {
                            Object msg = connected ? Unpooled.wrappedBuffer(payload)
                                    : new DatagramPacket(Unpooled.wrappedBuffer(payload), to);
                            sent++;
                            if (sent == n) {
                                ch.writeAndFlush(msg).addListener(f -> {
                                    if (f.isSuccess()) {
                                        done.complete(System.nanoTime() - t0[0]);
                                    } else {
                                        done.completeExceptionally(f.cause());
                                    }
                                });
                                return;
                            }
                            ch.write(msg).addListener(f -> {
                                if (!f.isSuccess()) {
                                    done.completeExceptionally(f.cause());
                                }
                            });
                        }
                        ch.flush();
                    }
                });
        Channel ch = connected ? b.connect(to).sync().channel()
                : b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        try {
            return done.get(120, TimeUnit.SECONDS);
        } finally {
            ch.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** Counts datagrams on a loopback port until closed. */
    static final class Receiver implements AutoCloseable {
        final DatagramChannel ch;
        final int port;
        final AtomicLong count = new AtomicLong();
        final Thread thread;

        Receiver() throws Exception {
            ch = DatagramChannel.open();
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            thread = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(65536);
                while (ch.isOpen()) {
                    try {
                        b.clear();
                        if (ch.receive(b) != null) {
                            count.incrementAndGet();
                        }
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "udp-receiver");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits until no datagram arrived for 50 ms (at most 5 s): the previous round drained. */
        void awaitQuiet() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long last = count.get();
            while (System.nanoTime() < deadline) {
                Thread.sleep(50);
                long now = count.get();
                if (now == last) {
                    return;
                }
                last = now;
            }
        }

        @Override
        public void close() throws Exception {
            ch.close();
            thread.join(5000);
        }
    }
}
