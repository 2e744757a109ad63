package org.rawsockets.bench.coap;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.rawsockets.bench.BenchSupport;
import org.rawsockets.coap.internal.CoapClientImpl;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * Confirmable GETs per second of this project's CoAP client (Californium's stack on a connector over
 * the socket service's {@code UdpSocket}) vs Californium 3.13 on its own {@code UDPConnector}, one
 * after the other against the same libcoap {@code coap-server-notls} started here on a free loopback
 * port ({@code GET /}, 136 bytes). Each client keeps {@code window} requests outstanding; the figure
 * is the median of {@code rounds} rounds of {@code seconds} each (a new client per round, since
 * 65,536 message IDs per EXCHANGE_LIFETIME is the protocol's limit), after three warm-up rounds.
 *
 * <pre>java -jar bench/target/bench.jar coap [--seconds 1] [--rounds 3]</pre>
 */
public final class CoapBench {

    interface Client extends AutoCloseable {
        /** One CON GET /; {@code done} with {@code null} or the failure. */
        void get(java.util.function.Consumer<Throwable> done);
    }

    static int seconds = 1;
    static int rounds = 3;

    /** Rounds per client and window before the counted ones. */
    static final int WARMUP = 3;

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: coap [--seconds 1] [--rounds 3]");
            }
        }
        System.out.println(BenchSupport.banner());
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process server = new ProcessBuilder("coap-server-notls", "-A", "127.0.0.1", "-p", String.valueOf(port), "-v",
                "0").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        MinaSocketEngine engine = MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.coap"));
        try {
            awaitBound(port, server);
            System.out.println("server: libcoap coap-server-notls on 127.0.0.1:" + port + ", GET / (136 bytes), "
                    + seconds + " s x " + rounds + " rounds, median, after " + WARMUP + " warm-up rounds per client");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] { "window", "this client GETs/s", "Californium UDPConnector GETs/s", "ratio",
                "rounds (this / Californium)" });
            for (int window : new int[] { 1, 16 }) {
                double[] ours = new double[rounds];
                double[] theirs = new double[rounds];
                // a fresh client (new port, new message IDs) per round: a CoAP client may not reuse a
                // message ID within EXCHANGE_LIFETIME (247 s), so 65,536 per peer is the most one
                // endpoint can send in that time (Californium: "automatic message IDs exhausted").
                // The first WARMUP rounds of each client are not counted: with 1 s rounds the JIT is
                // still compiling this client's deeper stack (socket engine, connector, Californium)
                // through the second round (2,000-2,400 GETs/s, then 6,500-10,000), Californium's own
                // shallower one less so.
                for (int r = -WARMUP; r < rounds; r++) {
                    try (Client a = ours(sockets, port)) {
                        double v = measure(a, window, seconds);
                        if (r >= 0) {
                            ours[r] = v;
                        }
                    }
                    try (Client b = californium(port)) {
                        double v = measure(b, window, seconds);
                        if (r >= 0) {
                            theirs[r] = v;
                        }
                    }
                }
                double mo = BenchSupport.median(ours);
                double mt = BenchSupport.median(theirs);
                rows.add(new String[] { String.valueOf(window), fmt(mo), fmt(mt),
                    String.format(Locale.ROOT, "%.2fx", mo / mt), join(ours) + " / " + join(theirs) });
            }
            BenchSupport.printTable(rows);
        } finally {
            sockets.close();
            engine.close();
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String join(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double d : v) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", d));
        }
        return b.toString();
    }

    static void awaitBound(int port, Process server) throws IOException, InterruptedException {
        String hex = String.format(Locale.ROOT, "0100007F:%04X", port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(Path.of("/proc/net/udp")).contains(hex)) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("coap-server-notls did not bind 127.0.0.1:" + port);
            }
            Thread.sleep(20);
        }
    }

    /** GETs per second with {@code window} outstanding, for {@code secs} seconds. */
    static double measure(Client c, int window, int secs) throws Exception {
        Semaphore slots = new Semaphore(window);
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(secs);
        while (System.nanoTime() < end) {
            if (!slots.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no response within 30 s");
            }
            if (failure.get() != null) {
                throw new IllegalStateException("request failed: " + failure.get(), failure.get());
            }
            c.get(e -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    done.incrementAndGet();
                }
                slots.release();
            });
        }
        if (!slots.tryAcquire(window, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("outstanding requests did not finish within 30 s");
        }
        long elapsed = System.nanoTime() - start;
        return done.get() * 1e9 / elapsed;
    }

    static Client ours(MinaSocketEngine.OwnedSocketService sockets, int port) {
        CoapClientImpl c = CoapClientImpl.create(sockets, "bench", "127.0.0.1", port);
        return new Client() {
            @Override
            public void get(java.util.function.Consumer<Throwable> done) {
                c.get("/").whenComplete((r, e) -> done.accept(e != null ? e
                        : r.code().equals("2.05") ? null : new IllegalStateException("answer " + r.code())));
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    static Request withErrorReport(Request r) {
        r.addMessageObserver(new org.eclipse.californium.core.coap.MessageObserverAdapter() {
            @Override
            public void onSendError(Throwable error) {
                System.err.println("Californium send error: " + error);
            }
        });
        return r;
    }

    static Client californium(int port) throws IOException {
        CoapConfig.register();
        UdpConfig.register();
        Configuration config = new Configuration();
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
        endpoint.start();
        org.eclipse.californium.core.CoapClient cf = new org.eclipse.californium.core.CoapClient("coap://127.0.0.1:"
                + port + "/");
        cf.setEndpoint(endpoint);
        return new Client() {
            @Override
            public void get(java.util.function.Consumer<Throwable> done) {
                cf.advanced(new CoapHandler() {
                    @Override
                    public void onLoad(CoapResponse response) {
                        done.accept(response.getCode().text.equals("2.05") ? null
                                : new IllegalStateException("answer " + response.getCode()));
                    }

                    @Override
                    public void onError() {
                        done.accept(new IllegalStateException("Californium request failed"));
                    }
                }, withErrorReport(Request.newGet().setURI("coap://127.0.0.1:" + port + "/")));
            }

            @Override
            public void close() {
                cf.shutdown();
                endpoint.destroy();
            }
        };
    }
}
