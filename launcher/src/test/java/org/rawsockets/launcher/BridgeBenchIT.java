package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.fixture.BridgePage;
import org.rawsockets.launcher.fixture.BrowserScript;
import org.rawsockets.launcher.fixture.TestBundles;
import org.rawsockets.launcher.fixture.WebSocketEcho;

/**
 * Issue 19's benchmark of the Direct Sockets bridge (README "Benchmarks"): not part of the normal build
 * (failsafe excludes {@code *BenchIT}; {@code -Pbridge-bench -Dit.test=BridgeBenchIT} runs it). One
 * gateway started from the distribution with the bridge and a plain jakarta WebSocket echo bundle
 * ({@link WebSocketEcho}) on the same Jetty; one headless Chromium page of the gateway's origin
 * (src/test/resources/browser/bridge-bench.js) measures, after a warm-up (each path {@code warmRounds} times,
 * alternating), in {@code rounds} rounds with the paths' order rotated every round, bulk throughput and 64-byte
 * round trips (a) through the bridge to a TCP echo on loopback started here, (b) to the plain
 * WebSocket echo and (c) through the thinnest WebSocket-to-TCP relay ({@link WebSocketEcho.Relay}) to the
 * same TCP echo, (d) through the bridge with its protocol spoken by the page without the library, and
 * this prints the table with the ratios bridge/plain and PASS/MISS against the targets (throughput ≥
 * 0.8×, round trip ≤ 1.3×), relay/plain (what the hop to a device costs any relay), frames/relay (the
 * gateway's and the protocol's cost) and bridge/frames (the library's classes and streams in the page). A missed target is reported, not failed; a run that
 * cannot measure (no browser, a wrong byte, a missing figure) fails.
 * Counts: {@code bridge.bench.mib} (64), {@code bridge.bench.roundTrips} (2000), {@code bridge.bench.warmMib} (16),
 * {@code bridge.bench.warmTrips} (500), {@code bridge.bench.rounds} (4: the MiB and the round trips are split
 * among them), {@code bridge.bench.warmRounds} (10), {@code bridge.bench.drivers} (chromium,playwright: a table each), {@code bridge.bench.window} (plain path's bytes in flight, 1 MiB),
 * {@code bridge.bench.sendWindow} (the bridge's configured send window; unset: its default).
 */
class BridgeBenchIT {

    static final Duration WAIT = GatewayProcessIT.WAIT;
    static final int MIB = Integer.getInteger("bridge.bench.mib", 64);
    static final int ROUND_TRIPS = Integer.getInteger("bridge.bench.roundTrips", 2000);
    static final int WARM_MIB = Integer.getInteger("bridge.bench.warmMib", 16);
    static final int WARM_TRIPS = Integer.getInteger("bridge.bench.warmTrips", 500);
    static final int WINDOW = Integer.getInteger("bridge.bench.window", 1 << 20);
    static final int ROUNDS = Integer.getInteger("bridge.bench.rounds", 4);
    static final int WARM_ROUNDS = Integer.getInteger("bridge.bench.warmRounds", 10);
    /**
     * How the page runs, one table each: {@code chromium} (Chromium started alone, no DevTools client, as
     * a user's browser) and {@code playwright} (through Playwright, which records every WebSocket frame).
     */
    /** More JVM options for the gateway (e.g. an engine switch to compare): {@code -Dbridge.bench.gatewayOpts="..."}. */
    static final String GATEWAY_OPTS = System.getProperty("bridge.bench.gatewayOpts", "");
    static final List<String> DRIVERS = List.of(System.getProperty("bridge.bench.drivers", "chromium,playwright").split(","));
    static final java.util.Map<String, String> DRIVER_NAMES = java.util.Map.of("chromium", "Chromium alone (no DevTools)",
            "playwright", "Chromium through Playwright (DevTools attached)");
    /** The bridge's send window (its config's {@code sendWindow}); 0: the bridge's default. */
    static final int SEND_WINDOW = Integer.getInteger("bridge.bench.sendWindow", 0);
    static final double THROUGHPUT_TARGET = 0.8;
    static final double ROUND_TRIP_TARGET = 1.3;

    private static final Pattern BULK = Pattern.compile("MEASURE (bridge|plain|relay|frames) bulk (\\d+) bytes ([\\d.]+) ms");
    private static final Pattern RTT = Pattern.compile(
            "MEASURE (bridge|plain|relay|frames) rtt n (\\d+) p50 ([\\d.]+) p99 ([\\d.]+) mean ([\\d.]+) max ([\\d.]+) ms");

    private final GatewayProcessIT gateway = new GatewayProcessIT();

    @AfterEach
    void stop() throws InterruptedException {
        gateway.killLeftovers();
    }

    @Test
    void bridgeOverheadAgainstAPlainWebSocketEcho(TestInfo info) throws Exception {
        assertTrue(MIB > 0 && ROUND_TRIPS >= 100 && WARM_MIB > 0 && WARM_TRIPS > 0 && WINDOW >= 65536
                && ROUNDS > 0 && WARM_ROUNDS > 0, "bridge.bench.* counts out of range");
        assertTrue(DRIVERS.stream().allMatch(DRIVER_NAMES::containsKey), "bridge.bench.drivers: chromium and/or playwright");
        assertTrue(((long) MIB << 20) % (ROUNDS * 65536L) == 0 && ROUND_TRIPS % ROUNDS == 0,
                "bridge.bench.mib must split into bridge.bench.rounds whole 64 KiB pieces and"
                        + " bridge.bench.roundTrips into that many equal parts");
        Path home = GatewayProcessIT.copyDistribution(info);
        BridgeGatewayProcessIT.deployBridge(home);
        TestBundles.webSocketEcho(home.resolve("deploy/wsecho.jar"));
        BridgeGatewayProcessIT.Token token = BridgeGatewayProcessIT.Token.issue("bench");
        String loadBefore = loadAverage();
        try (TcpEcho echo = new TcpEcho()) {
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.policy.cfg"),
                    "grant.bench = origin:http://127.0.0.1:* tcp 127.0.0.1 " + echo.port() + "\n");
            Path safepoints = home.resolve("safepoints.log").toAbsolutePath();
            GatewayProcessIT.Running g = gateway.start(home, true,
                    java.util.Map.of("GATEWAY_OPTS", (BridgeBenchPauses.jvmOptions(safepoints) + " " + GATEWAY_OPTS).trim()),
                    "--headless");
            g.awaitLine("gateway ready in|gateway started", WAIT);
            int port = HttpServerProcessIT.awaitHttpPort(home);
            String origin = "http://127.0.0.1:" + port;
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.webbridge.cfg"),
                    "allowedOrigins = " + origin + "\ntokens = " + token.entry() + "\n"
                            + (SEND_WINDOW > 0 ? "sendWindow = " + SEND_WINDOW + "\n" : ""));
            HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
            HttpServerProcessIT.awaitStatus(http, URI.create(origin + "/direct-sockets/lib/direct-sockets.js"), 200);
            HttpServerProcessIT.awaitStatus(http, URI.create(origin + "/test-ws/init"), 200);

            StringBuilder tables = new StringBuilder();
            StringBuilder outputs = new StringBuilder();
            for (String driver : DRIVERS) {
                String before = driver.equals(DRIVERS.get(0)) ? loadBefore : loadAverage();
                BrowserScript.Result r = BrowserScript.run(Path.of("src/test/resources/browser/bridge-bench.js"),
                        Duration.ofSeconds(900), origin, token.token(), String.valueOf(echo.port()), String.valueOf(MIB),
                        String.valueOf(ROUND_TRIPS), String.valueOf(WARM_MIB), String.valueOf(WARM_TRIPS),
                        String.valueOf(WINDOW), String.valueOf(ROUNDS), String.valueOf(WARM_ROUNDS), driver);
                String loadAfter = loadAverage();
                System.out.println("BROWSER bridge-bench.js " + driver + " in " + r.millis() + " ms:\n" + r.output());
                assertEquals(0, r.exit(), r.output());
                assertTrue(r.output().contains("BENCH OK"), r.output());
                Figures figures = Figures.of(r.output());
                String table = measured(driver, figures, r.output(), before, loadAfter, echo.connections())
                        + "\n" + deviceFloor(echo.port(), figures.rtt()[1][0])
                        + "\n" + BridgeBenchPauses.compilationReport(r.output(), BridgeBenchPauses.compilations(safepoints))
                        + "\n" + BridgeBenchPauses.report(r.output(), BridgeBenchPauses.read(safepoints));
                System.out.println(table);
                tables.append(table).append("\n\n");
                outputs.append("BROWSER ").append(driver).append(":\n").append(r.output()).append("\n");
            }
            String java = javaClientTrips(origin, token.token(), echo.port());
            System.out.println(java);
            tables.append(java).append("\n\n");
            Path report = Path.of(System.getProperty("test.work.dir", "target/it"), "bridge-bench.txt");
            Files.createDirectories(report.getParent());
            Files.writeString(report, tables + "\n" + outputs, StandardCharsets.UTF_8);
        }
    }

    /**
     * The page's figures per path ({@link #side}): bulk MiB/s and round trip p50, p99, mean (ms); every one
     * present and plausible, or the run fails.
     */
    record Figures(double[] bulk, double[][] rtt) {
        static Figures of(String output) {
            double[] bulk = new double[4];
            double[][] rtt = new double[4][];
            Matcher m = BULK.matcher(output);
            while (m.find()) {
                long bytes = Long.parseLong(m.group(2));
                double millis = Double.parseDouble(m.group(3));
                assertEquals((long) MIB << 20, bytes, m.group());
                assertTrue(millis > 0, m.group());
                bulk[side(m.group(1))] = bytes / (double) (1 << 20) / (millis / 1000);
            }
            m = RTT.matcher(output);
            while (m.find()) {
                assertEquals(ROUND_TRIPS, Integer.parseInt(m.group(2)), m.group());
                rtt[side(m.group(1))] = new double[] { Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)),
                        Double.parseDouble(m.group(5)) };
            }
            for (int side = 0; side < bulk.length; side++) {
                assertTrue(bulk[side] > 0 && rtt[side] != null, "figures missing:\n" + output);
                assertTrue(rtt[side][0] > 0, "round trips of 0 ms: the page's timer is too coarse:\n" + output);
            }
            return new Figures(bulk, rtt);
        }
    }

    /** The table of one driver's run, with its message counts, rounds and median trip parts. */
    private static String measured(String driver, Figures figures, String output, String loadBefore, String loadAfter,
            int connections) {
        String timer = output.lines().filter(l -> l.startsWith("MEASURE page")).findFirst().orElse("");
        String details = output.lines().filter(l -> l.startsWith("WebSocket messages:") || l.startsWith("ROUNDS ")
                || l.startsWith("MEDIAN ")).collect(java.util.stream.Collectors.joining("\n"));
        return table(driver, figures.bulk(), figures.rtt(), timer, loadBefore, loadAfter, connections) + "\n" + details;
    }

    /**
     * 0 bridge, 1 plain WebSocket echo, 2 the thinnest relay ({@link WebSocketEcho.Relay}), 3 the bridge's
     * protocol spoken by the page without the library.
     */
    private static int side(String name) {
        return switch (name) {
            case "bridge" -> 0;
            case "plain" -> 1;
            case "relay" -> 2;
            default -> 3;
        };
    }

    static String table(String driver, double[] bulk, double[][] rtt, String timer, String loadBefore, String loadAfter,
            int connections) {
        List<String> rows = new ArrayList<>();
        rows.add(String.format(Locale.ROOT, "Bridge benchmark (issue 19) %s, %s: %d MiB bulk, %d x 64 B round trips,"
                + " in %d rounds, warm-up %d x (%d MiB + %d)%s; %s", Instant.now(), DRIVER_NAMES.getOrDefault(driver, driver), MIB, ROUND_TRIPS, ROUNDS, WARM_ROUNDS,
                WARM_MIB, WARM_TRIPS,
                (SEND_WINDOW > 0 ? ", bridge sendWindow " + SEND_WINDOW : "")
                        + (GATEWAY_OPTS.isBlank() ? "" : ", gateway " + GATEWAY_OPTS), timer));
        rows.add(String.format(Locale.ROOT, "%-26s %9s %9s %7s %7s  %-4s  %9s %9s  %11s %12s %13s", "", "bridge", "plain WS",
                "ratio", "target", "", "relay", "frames", "relay/plain", "frames/relay", "bridge/frames"));
        double t = bulk[0] / bulk[1];
        rows.add(String.format(Locale.ROOT, "%-26s %9.1f %9.1f %7.2f %7s  %-4s  %9.1f %9.1f  %11.2f %12.2f %13.2f",
                "bulk MiB/s (each way)", bulk[0], bulk[1], t, "≥ " + THROUGHPUT_TARGET, t >= THROUGHPUT_TARGET ? "PASS" : "MISS",
                bulk[2], bulk[3], bulk[2] / bulk[1], bulk[3] / bulk[2], bulk[0] / bulk[3]));
        String[] names = { "64 B round trip p50 ms", "64 B round trip p99 ms", "64 B round trip mean ms" };
        for (int i = 0; i < names.length; i++) {
            double q = rtt[0][i] / rtt[1][i];
            rows.add(String.format(Locale.ROOT, "%-26s %9.3f %9.3f %7.2f %7s  %-4s  %9.3f %9.3f  %11.2f %12.2f %13.2f", names[i],
                    rtt[0][i], rtt[1][i], q, "≤ " + ROUND_TRIP_TARGET, q <= ROUND_TRIP_TARGET ? "PASS" : "MISS", rtt[2][i],
                    rtt[3][i], rtt[2][i] / rtt[1][i], rtt[3][i] / rtt[2][i], rtt[0][i] / rtt[3][i]));
        }
        rows.add("(relay: the thinnest WebSocket-to-TCP relay to the same TCP echo, no framing, flow control, policy or"
                + " socket engine: relay/plain is what the hop to a device costs any relay; frames: the bridge's protocol"
                + " spoken by the page without the library: frames/relay is the gateway's and the protocol's cost,"
                + " bridge/frames the library's classes and streams in the page)");
        rows.add("load average before: " + loadBefore + "; after: " + loadAfter + "; TCP echo connections: " + connections);
        return String.join("\n", rows);
    }

    /**
     * The round trip the bridge path makes and the plain path does not: 64 B to the TCP echo and back on
     * loopback, from a plain Java client in this JVM (TCP_NODELAY, blocking reads), as many trips as the
     * page made, right after the page's run; and the ratio a bridge would have that added nothing but
     * this round trip to the plain path's p50 (the bridge's own work and Jetty's side counted as zero).
     * Measured with Chromium gone, so on a quieter machine than the page's: a floor, not an estimate.
     */
    static String deviceFloor(int port, double plainP50) throws IOException {
        long[] trips = new long[ROUND_TRIPS];
        try (Socket s = device(port)) {
            byte[] ping = new byte[64];
            for (int i = -WARM_TRIPS; i < ROUND_TRIPS; i++) {
                ping[0] = (byte) i;
                long t0 = System.nanoTime();
                byte[] pong = deviceTrip(s, ping);
                long t = System.nanoTime() - t0;
                assertTrue(Arrays.equals(ping, pong), "the TCP echo answered other bytes");
                if (i >= 0) {
                    trips[i] = t;
                }
            }
        }
        Arrays.sort(trips);
        double p50 = millisAt(trips, 50);
        return String.format(Locale.ROOT, "device round trip alone (Java client -> TCP echo, no bridge, after the page):"
                + " p50 %.3f ms, p99 %.3f ms; floor of the p50 ratio = (plain p50 %.3f + device p50 %.3f) / plain p50 = %.2f"
                + " (target ≤ %s)", p50, millisAt(trips, 99), plainP50, p50, (plainP50 + p50) / plainP50, ROUND_TRIP_TARGET);
    }

    /** A blocking client of the TCP echo: TCP_NODELAY, reads time out after {@link #WAIT}. */
    private static Socket device(int port) throws IOException {
        Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port);
        s.setTcpNoDelay(true);
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    /** The {@code p}-th percentile (nearest rank) of sorted nanoseconds, in milliseconds. */
    private static double millisAt(long[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(sorted.length * p / 100) - 1)] / 1e6;
    }

    /**
     * The 64 B round trips again without a browser: a JDK WebSocket client in this JVM through the bridge
     * ({@link BridgePage}, the framing written from the document) to the
     * TCP echo, and to the plain WebSocket echo; the same trips per path as the page, in the same rounds,
     * alternating which path goes first, after a warm-up of each; and the device round trip alone in the
     * same rounds. What the bridge adds here beyond the device's round trip is the gateway's own cost;
     * what the page's figures add beyond that is the browser's.
     */
    static String javaClientTrips(String origin, String token, int echoPort) throws Exception {
        URI base = URI.create(origin.replace("http://", "ws://"));
        BridgePage page = BridgePage.connect(base.resolve("/direct-sockets"), origin, token, WAIT)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        PlainWs plain = PlainWs.connect(base.resolve("/test-ws/echo"), origin);
        try (Socket device = device(echoPort)) {
            page.send(BridgePage.frame(BridgePage.OPEN_TCP, 1,
                    "remoteAddress=127.0.0.1\nremotePort=" + echoPort + "\nnoDelay=true\n"));
            page.send(BridgePage.credit(1, 1 << 20));
            BridgePage.Frame opened = page.nextNonCredit();
            assertEquals(BridgePage.OPENED, opened.type(), opened.toString());
            long[][] trips = new long[3][ROUND_TRIPS];
            byte[] ping = new byte[64];
            int per = ROUND_TRIPS / ROUNDS;
            for (int round = -1; round < ROUNDS; round++) {
                int n = round < 0 ? WARM_TRIPS : per;
                for (int k = 0; k < 3; k++) {
                    int path = (k + Math.max(round, 0)) % 3; // who goes first changes every round
                    for (int i = 0; i < n; i++) {
                        ping[0] = (byte) i;
                        long t0 = System.nanoTime();
                        byte[] pong = switch (path) {
                            case 0 -> bridgeTrip(page, ping);
                            case 1 -> plain.trip(ping);
                            default -> deviceTrip(device, ping);
                        };
                        long t = System.nanoTime() - t0;
                        assertTrue(Arrays.equals(ping, pong), "path " + path + " answered other bytes");
                        if (round >= 0) {
                            trips[path][round * per + i] = t;
                        }
                    }
                }
            }
            double[] p50 = new double[3];
            double[] p99 = new double[3];
            for (int path = 0; path < 3; path++) {
                Arrays.sort(trips[path]);
                p50[path] = millisAt(trips[path], 50);
                p99[path] = millisAt(trips[path], 99);
            }
            return String.format(Locale.ROOT, "JDK WebSocket client instead of a browser (%d x 64 B per path, %d rounds,"
                    + " alternating): p50 bridge %.3f / plain WS %.3f = %.2f (floor with the device alone: (%.3f + %.3f) / %.3f"
                    + " = %.2f); p99 bridge %.3f / plain WS %.3f = %.2f; device alone p50 %.3f, p99 %.3f ms; bridge minus plain"
                    + " minus device at p50: %.3f ms", ROUND_TRIPS, ROUNDS, p50[0], p50[1], p50[0] / p50[1], p50[1], p50[2],
                    p50[1], (p50[1] + p50[2]) / p50[1], p99[0], p99[1], p99[0] / p99[1], p50[2], p99[2],
                    p50[0] - p50[1] - p50[2]);
        } finally {
            page.close();
            plain.close();
        }
    }

    private static byte[] bridgeTrip(BridgePage page, byte[] ping) throws Exception {
        page.send(BridgePage.frame(BridgePage.DATA, 1, ping, 0, ping.length));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < ping.length) {
            BridgePage.Frame f = page.nextNonCredit();
            assertEquals(BridgePage.DATA, f.type(), f.toString());
            got.write(f.payload());
        }
        return got.toByteArray();
    }

    private static byte[] deviceTrip(Socket s, byte[] ping) throws IOException {
        s.getOutputStream().write(ping);
        byte[] pong = new byte[ping.length];
        for (int got = 0; got < pong.length;) {
            int n = s.getInputStream().read(pong, got, pong.length - got);
            assertTrue(n > 0, "the TCP echo closed during the device round trips");
            got += n;
        }
        return pong;
    }

    /** A JDK WebSocket client of the plain echo: one binary message out, the whole answer back. */
    private static final class PlainWs implements WebSocket.Listener {
        private final LinkedBlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream part = new ByteArrayOutputStream();
        private WebSocket ws;

        static PlainWs connect(URI uri, String origin) throws Exception {
            PlainWs p = new PlainWs();
            p.ws = HttpClient.newBuilder().connectTimeout(WAIT).build().newWebSocketBuilder().connectTimeout(WAIT)
                    .header("Origin", origin).buildAsync(uri, p).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return p;
        }

        byte[] trip(byte[] ping) throws Exception {
            ws.sendBinary(ByteBuffer.wrap(ping.clone()), true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            byte[] a = answers.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(a != null, "no answer from the plain WebSocket echo within " + WAIT);
            return a;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            part.write(b, 0, b.length);
            if (last) {
                answers.add(part.toByteArray());
                part.reset();
            }
            return null;
        }

        void close() {
            if (ws != null) {
                ws.abort();
            }
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "(no /proc/loadavg: " + e.getMessage() + ")";
        }
    }

    /** A TCP echo on a free loopback port: TCP_NODELAY, 64 KiB reads, half-closes after the peer's EOF. */
    static final class TcpEcho implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        private volatile int connections;

        TcpEcho() throws IOException {
            Thread t = new Thread(this::accept, "bench-tcp-echo");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return connections;
        }

        private void accept() {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                connections++;
                Thread c = new Thread(() -> echo(s), "bench-tcp-echo-conn");
                c.setDaemon(true);
                c.start();
            }
        }

        private static void echo(Socket s) {
            byte[] buf = new byte[65536];
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                s.setTcpNoDelay(true);
                for (int n; (n = in.read(buf)) >= 0;) {
                    out.write(buf, 0, n);
                }
                s.shutdownOutput();
            } catch (IOException e) {
                // the gateway reset or the test ended
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
