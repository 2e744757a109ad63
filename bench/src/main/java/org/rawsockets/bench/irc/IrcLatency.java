package org.rawsockets.bench.irc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.kitteh.irc.client.library.Client;
import org.kitteh.irc.client.library.event.channel.ChannelMessageEvent;
import org.kitteh.irc.client.library.event.channel.RequestedChannelJoinCompleteEvent;
import org.kitteh.irc.client.library.event.client.ClientNegotiationCompleteEvent;
import org.kitteh.irc.client.library.exception.KittehNagException;
import org.kitteh.irc.client.library.feature.sending.SingleDelaySender;
import org.rawsockets.bench.BenchSupport;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcClients;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.IrcSubscription;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

import net.engio.mbassy.listener.Handler;

/**
 * End-to-end PRIVMSG delivery latency (issue 16): client A sends a PRIVMSG to a channel through a
 * real ngIRCd on 127.0.0.1 ({@link Ngircd}), client B, in the same channel and the same JVM, records
 * {@code System.nanoTime()} on receipt minus the send time that A put in the text (taken just before
 * the client's send call). One message at a time: A sends the next one only after B got the previous
 * one, so the figure is one-way latency with no queueing behind earlier messages.
 *
 * <p>This project's {@code IrcClient} (two clients over one standalone socket engine, B's listener
 * subscribed with a 10,000-message buffer, the time taken when the listener is called) against KICL
 * 9.0.0 (two clients, B's {@code @Handler ChannelMessageEvent}, the time taken when the handler is
 * called). Sending paths, flood control off or at its fastest on both: ours with
 * {@code flood(1000, 1 ns)} (a token bucket of 1000 lines refilled every nanosecond: it never makes a
 * line wait); KICL with {@code SingleDelaySender.getSupplier(0)} (its own sending queue with delay 0,
 * which it documents as sending "as fast as possible"; the default is 1200 ms between lines). Both send
 * through their normal public call ({@code privmsg} / {@code sendMessage}). The server does not
 * throttle either: {@code MaxPenaltyTime = 0} in ngIRCd's configuration.
 *
 * <p>Both pairs stay connected for the whole run; warm-up messages on each side first (not counted),
 * then interleaved rounds (ours first in even rounds, KICL first in odd ones), every side's samples
 * pooled. Every round is bounded in time; a message not delivered within 10 s fails the run.
 */
public final class IrcLatency {

    /** A message taking longer than this fails the run (nothing is dropped silently). */
    private static final long DELIVERY_TIMEOUT_SECONDS = 10;

    private IrcLatency() {
    }

    /** One delivery seen by B: the sequence number and its latency. */
    record Delivery(long seq, long nanos) {
    }

    /**
     * A pair of clients in their own channel (so that the other pair's B never sees these messages):
     * A sends, B hands each delivery to {@link #delivered}.
     */
    abstract static class Pair implements AutoCloseable {
        final String name;
        final String channel;
        final BlockingQueue<Delivery> delivered = new ArrayBlockingQueue<>(1024);
        final AtomicReference<Throwable> sendFailure = new AtomicReference<>();

        Pair(String name, String channel) {
            this.name = name;
            this.channel = channel;
        }

        /** A sends {@code text} to the channel. */
        abstract void send(String text);

        /** B got {@code text} at {@code now} (System.nanoTime()). */
        final void received(String text, long now) {
            // "seq <n> <sentNanos> ..."
            if (!text.startsWith("seq ")) {
                return;
            }
            int a = text.indexOf(' ', 4);
            int b = text.indexOf(' ', a + 1);
            long seq = Long.parseLong(text.substring(4, a));
            long sent = Long.parseLong(text.substring(a + 1, b < 0 ? text.length() : b));
            if (!delivered.offer(new Delivery(seq, now - sent))) {
                sendFailure.compareAndSet(null, new IllegalStateException("delivery queue full"));
            }
        }
    }

    /** Two of this project's clients. */
    static final class Ours extends Pair {
        private final IrcClient a;
        private final IrcClient b;
        private final IrcSubscription sub;

        Ours(SocketService sockets, int port) throws Exception {
            super("this project (IrcClient)", "#bench-rs");
            a = IrcClients.create(sockets, settings(port, "rsA"));
            b = IrcClients.create(sockets, settings(port, "rsB"));
            sub = b.subscribe((c, m) -> {
                long now = System.nanoTime();
                if (m.command().equals("PRIVMSG") && m.params().size() >= 2 && m.param(0).equalsIgnoreCase(channel)) {
                    received(m.trailing(), now);
                }
            }, 10_000);
            try {
                await(a.connect(), "rsA connect");
                await(b.connect(), "rsB connect");
                await(a.join(channel, null), "rsA join");
                await(b.join(channel, null), "rsB join");
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        private static IrcSettings settings(int port, String nick) {
            return IrcSettings.builder("bench").server("127.0.0.1", port).tls(false).nick(nick)
                    .flood(1000, Duration.ofNanos(1)).reconnect(false, Duration.ofSeconds(1), Duration.ofSeconds(1))
                    .build();
        }

        @Override
        void send(String text) {
            a.privmsg(channel, text).whenComplete((v, t) -> {
                if (t != null) {
                    sendFailure.compareAndSet(null, t);
                }
            });
        }

        @Override
        public void close() {
            sub.close();
            a.close();
            b.close();
        }

        private static <T> T await(CompletionStage<T> stage, String what) throws Exception {
            try {
                return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new TimeoutException(what + ": not done within 30 s");
            } catch (ExecutionException e) {
                throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /** KICL's event handlers for one client (called on that client's input thread; public for MBassador). */
    public static final class KiclEvents {
        final CountDownLatch registered = new CountDownLatch(1);
        final CountDownLatch joined = new CountDownLatch(1);
        /** The pair B reports to; null for A. */
        private final Pair receiver;

        KiclEvents(Pair receiver) {
            this.receiver = receiver;
        }

        @Handler
        public void negotiated(ClientNegotiationCompleteEvent e) {
            registered.countDown();
        }

        @Handler
        public void joined(RequestedChannelJoinCompleteEvent e) {
            joined.countDown();
        }

        @Handler
        public void message(ChannelMessageEvent e) {
            long now = System.nanoTime();
            if (receiver != null && e.getChannel().getName().equalsIgnoreCase(receiver.channel)) {
                receiver.received(e.getMessage(), now);
            }
        }
    }

    /** Two KICL 9.0.0 clients. */
    static final class Kicl extends Pair {
        private final Client a;
        private final Client b;

        Kicl(int port) throws Exception {
            super("KICL 9.0.0", "#bench-kicl");
            a = client(port, "kiclA");
            b = client(port, "kiclB");
            try {
                KiclEvents ea = new KiclEvents(null);
                KiclEvents eb = new KiclEvents(this);
                a.getEventManager().registerEventListener(ea);
                b.getEventManager().registerEventListener(eb);
                a.connect();
                b.connect();
                await(ea.registered, "kiclA registration");
                await(eb.registered, "kiclB registration");
                a.addChannel(channel);
                await(ea.joined, "kiclA join");
                b.addChannel(channel);
                await(eb.joined, "kiclB join");
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        private Client client(int port, String nick) {
            return Client.builder().nick(nick).server().host("127.0.0.1")
                    .port(port, Client.Builder.Server.SecurityType.INSECURE).then()
                    .management().messageSendingQueueSupplier(SingleDelaySender.getSupplier(0)).then()
                    .listeners().exception(e -> {
                        if (!(e instanceof KittehNagException)) {
                            sendFailure.compareAndSet(null, e);
                        }
                    }).then().build();
        }

        private static void await(CountDownLatch latch, String what) throws Exception {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new TimeoutException(what + ": not done within 30 s");
            }
        }

        @Override
        void send(String text) {
            a.sendMessage(channel, text);
        }

        @Override
        public void close() {
            a.shutdown();
            b.shutdown();
        }
    }

    /** The latencies (ns) of the messages of one side, in order. */
    static final class Samples {
        long[] nanos = new long[1024];
        int count;
        final List<Double> roundP50 = new ArrayList<>();

        void add(long n) {
            if (count == nanos.length) {
                nanos = Arrays.copyOf(nanos, count * 2);
            }
            nanos[count++] = n;
        }

        long[] sorted() {
            long[] s = Arrays.copyOf(nanos, count);
            Arrays.sort(s);
            return s;
        }
    }

    private static long nextSeq;

    /**
     * Sends up to {@code count} messages one at a time within {@code budgetNanos}; adds their latencies
     * to {@code into} (null: warm-up, not kept). Returns how many were delivered.
     */
    static int round(Pair p, int count, long budgetNanos, Samples into, Ngircd server) throws Exception {
        long deadline = System.nanoTime() + budgetNanos;
        long[] mine = new long[count];
        int n = 0;
        while (n < count && System.nanoTime() < deadline) {
            long seq = ++nextSeq;
            String head = "seq " + seq + " ";
            long t0 = System.nanoTime();
            p.send(head + t0 + " pump 3 pressure 412 kPa, all valves nominal");
            Delivery d = p.delivered.poll(DELIVERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (d == null || d.seq() != seq) {
                throw new IllegalStateException(p.name + ": message " + seq + (d == null ? " not delivered within "
                        + DELIVERY_TIMEOUT_SECONDS + " s" : " answered by " + d.seq()) + (p.sendFailure.get() == null
                        ? "" : "; client error: " + p.sendFailure.get()) + "\n" + server.describe());
            }
            mine[n++] = d.nanos();
        }
        if (into != null) {
            for (int i = 0; i < n; i++) {
                into.add(mine[i]);
            }
            long[] s = Arrays.copyOf(mine, n);
            Arrays.sort(s);
            into.roundP50.add(BenchSupport.percentile(s, 50) / 1000.0);
        }
        return n;
    }

    /**
     * The whole measurement: ngIRCd, both pairs, {@code warmup} messages per side, then {@code rounds}
     * interleaved rounds sharing {@code messages} per side, at most {@code secondsPerSide} of measured
     * time per side. Returns {p50 ours, p99 ours, p50 KICL, p99 KICL} in microseconds.
     */
    static double[] run(int warmup, int messages, int rounds, int secondsPerSide) throws Exception {
        System.out.println();
        System.out.printf(Locale.ROOT, "IRC end-to-end PRIVMSG latency: client A -> ngIRCd (127.0.0.1) -> client B, one message"
                + " at a time; %,d warm-up messages per side, then %d interleaved rounds of %,d (at most %d s of rounds"
                + " per side)%n", warmup, rounds, messages / rounds, secondsPerSide);
        long roundBudget = TimeUnit.SECONDS.toNanos(secondsPerSide) / rounds;
        Samples[] samples = {new Samples(), new Samples()};
        try (Ngircd server = Ngircd.start();
                MinaSocketEngine engine = MinaSocketEngine.standalone();
                MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.irc"));
                Ours ours = new Ours(sockets, server.port);
                Kicl kicl = new Kicl(server.port)) {
            System.out.println(version() + " on 127.0.0.1:" + server.port + " (MaxPenaltyTime = " + Ngircd.MAX_PENALTY_TIME + ")");
            Pair[] pairs = {ours, kicl};
            for (Pair p : pairs) {
                int n = round(p, warmup, TimeUnit.SECONDS.toNanos(60), null, server);
                if (n < warmup) {
                    System.out.printf(Locale.ROOT, "warm-up of %s: %,d of %,d messages within 60 s%n", p.name, n, warmup);
                }
            }
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    int side = r % 2 == 0 ? k : 1 - k;
                    round(pairs[side], messages / rounds, roundBudget, samples[side], server);
                }
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"client", "messages", "p50 us", "p90 us", "p99 us", "max us", "p50 per round us"});
            double[] result = new double[4];
            for (int side = 0; side < 2; side++) {
                long[] s = samples[side].sorted();
                double p50 = BenchSupport.percentile(s, 50) / 1000.0;
                double p99 = BenchSupport.percentile(s, 99) / 1000.0;
                result[side * 2] = p50;
                result[side * 2 + 1] = p99;
                rows.add(new String[] {pairs[side].name, BenchSupport.fmt("%,d", s.length), BenchSupport.fmt("%.0f", p50),
                        BenchSupport.fmt("%.0f", BenchSupport.percentile(s, 90) / 1000.0), BenchSupport.fmt("%.0f", p99),
                        BenchSupport.fmt("%.0f", s.length == 0 ? 0 : s[s.length - 1] / 1000.0),
                        samples[side].roundP50.stream().map(v -> BenchSupport.fmt("%.0f", v))
                                .reduce((x, y) -> x + " " + y).orElse("")});
            }
            BenchSupport.printTable(rows);
            return result;
        }
    }

    private static String version() {
        try {
            Process p = new ProcessBuilder("/usr/sbin/ngircd", "--version").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("ngircd");
            p.waitFor(5, TimeUnit.SECONDS);
            return first.split("-", 2)[0];
        } catch (Exception e) {
            return "ngircd";
        }
    }
}
