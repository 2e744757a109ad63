package org.rawsockets.bench.irc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.kitteh.irc.client.library.Client;
import org.kitteh.irc.client.library.defaults.DefaultClient;
import org.kitteh.irc.client.library.event.client.ClientReceiveCommandEvent;
import org.rawsockets.bench.BenchSupport;
import org.rawsockets.irc.IrcMessage;

import net.engio.mbassy.listener.Handler;

/**
 * Parse + dispatch of tagged server lines (issue 16): this project's {@code IrcMessage.parse} with a
 * dispatch on the command to a handler, against KICL 9.0.0's {@code DefaultClient.processLine}
 * (its parser, tag handling and command dispatch to its event bus, on a client built but not
 * connected, one listener counting {@code ClientReceiveCommandEvent}s; processLine hands the line
 * to KICL's input thread, so the time runs until every line's event was dispatched). Same corpus: PRIVMSG lines
 * to a channel from 1,000 senders with {@code time}, {@code msgid} and {@code account} tags.
 * Interleaved rounds, the median reported. Then the second figure, end-to-end PRIVMSG
 * latency between two clients through a local ngIRCd, ours vs KICL ({@link IrcLatency}), and the
 * issue's targets with PASS/MISS (ratios from this run only).
 *
 * <pre>
 * bench/run.sh irc [lines (500,000)] [latency messages per side (20,000)] [warm-up messages per side (2,000)]
 *     [latency rounds (20)]
 * </pre>
 * The latency rounds alternate the two clients; 20 rounds of 1,000 messages (4 of 5,000 until
 * 2026-12-05) so that a disturbance of the machine lasting a second or two falls on both clients'
 * samples rather than on one client's round.
 */
public final class IrcBench {

    private IrcBench() {
    }

    static volatile long sink;

    /** Counts the command events KICL dispatches (on its input thread). */
    public static final class Counter {
        final java.util.concurrent.atomic.AtomicLong events = new java.util.concurrent.atomic.AtomicLong();

        @Handler
        public void on(ClientReceiveCommandEvent e) {
            events.incrementAndGet();
        }
    }

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        int latencyRounds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        String[] corpus = new String[100_000];
        long t = Instant.parse("2026-12-04T06:00:00Z").toEpochMilli();
        for (int i = 0; i < corpus.length; i++) {
            corpus[i] = "@time=" + Instant.ofEpochMilli(t + i) + ";msgid=m" + Integer.toHexString(i * 7919)
                    + ";account=acct" + (i % 1000) + " :nick" + (i % 1000) + "!user" + (i % 1000) + "@host"
                    + (i % 97) + ".example.org PRIVMSG #bench :status line " + i + " pump pressure " + (i % 300)
                    + " kPa, all valves nominal";
        }
        System.out.println(BenchSupport.banner());
        System.out.printf(Locale.ROOT, "IRC suite: parse + dispatch of %,d tagged PRIVMSG lines (corpus of %,d distinct)%n",
                lines, corpus.length);
        DefaultClient kicl = (DefaultClient) Client.builder().nick("benchbot").server().host("127.0.0.1").port(6667,
                Client.Builder.Server.SecurityType.INSECURE).then().build();
        Counter counter = new Counter();
        kicl.getEventManager().registerEventListener(counter);
        double om;
        double km;
        try {
            ours(corpus, lines / 5);
            kicl(kicl, counter, corpus, lines / 5);
            int rounds = 5;
            double[] o = new double[rounds];
            double[] k = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                o[r] = ours(corpus, lines);
                k[r] = kicl(kicl, counter, corpus, lines);
            }
            om = BenchSupport.median(o);
            km = BenchSupport.median(k);
            System.out.printf(Locale.ROOT, "this project  IrcMessage.parse + dispatch   %,12.0f lines/s (median of %d)%n",
                    om, rounds);
            System.out.printf(Locale.ROOT, "KICL 9.0.0    DefaultClient.processLine     %,12.0f lines/s (median of %d; %d events)%n",
                    km, rounds, counter.events.get());
            System.out.printf(Locale.ROOT, "ratio %.2fx (target >= 1.5x)%n", om / km);
        } finally {
            kicl.shutdown();
        }
        double[] lat = IrcLatency.run(warmup, messages, latencyRounds, 60);
        System.out.println();
        System.out.println("== issue 16 targets, this run (ratios are ours / KICL 9.0.0, same run) ==");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"measure", "target", "measured", "verdict"});
        rows.add(verdict("parse + dispatch lines/s", ">= 1.50x KICL", om / km, om / km >= 1.5,
                BenchSupport.fmt("%,.0f vs %,.0f lines/s", om, km)));
        rows.add(verdict("PRIVMSG delivery latency p50", "<= 1.00x KICL", lat[0] / lat[2], lat[0] <= lat[2],
                BenchSupport.fmt("%.0f vs %.0f us", lat[0], lat[2])));
        rows.add(verdict("PRIVMSG delivery latency p99", "<= 1.00x KICL", lat[1] / lat[3], lat[1] <= lat[3],
                BenchSupport.fmt("%.0f vs %.0f us", lat[1], lat[3])));
        BenchSupport.printTable(rows);
    }

    private static String[] verdict(String measure, String target, double ratio, boolean pass, String detail) {
        return new String[] {measure, target, BenchSupport.fmt("%.2fx  (%s)", ratio, detail), pass ? "PASS" : "MISS"};
    }

    static double ours(String[] corpus, int lines) throws Exception {
        long count = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < lines; i++) {
            IrcMessage m = IrcMessage.parse(corpus[i % corpus.length]);
            switch (m.command()) {
                case "PRIVMSG" -> count += m.trailing().length() + m.tag("account").map(String::length).orElse(0);
                case "PING" -> count--;
                default -> count++;
            }
        }
        long ns = System.nanoTime() - t0;
        sink += count;
        return lines * 1e9 / ns;
    }

    /**
     * KICL's processLine only queues the line for its input thread, which parses and dispatches: the
     * time runs until that thread has dispatched a command event for every line (at most 300 s; then
     * the rate is what it dispatched in that time).
     */
    static double kicl(DefaultClient client, Counter counter, String[] corpus, int lines) throws InterruptedException {
        long start = counter.events.get();
        long t0 = System.nanoTime();
        for (int i = 0; i < lines; i++) {
            client.processLine(corpus[i % corpus.length]);
        }
        long deadline = t0 + 300_000_000_000L;
        while (counter.events.get() - start < lines && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        long done = counter.events.get() - start;
        return done * 1e9 / (System.nanoTime() - t0);
    }
}
