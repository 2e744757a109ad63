package org.rawsockets.bench.socket;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.rawsockets.bench.BenchSupport;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

import static org.rawsockets.bench.BenchSupport.fmt;

/**
 * The socket suite: bulk throughput (upload and download), 64-byte echo round trip and heap per
 * idle connection, for the SocketService's TcpSocket (async API and blocking stream views) against
 * raw MINA, Netty and blocking {@code java.net.Socket}, all on loopback against the same
 * {@link PeerServer} in a child JVM. A hand-rolled harness (not JMH): warm-up rounds, then measured
 * rounds interleaved across the clients (so background load hits all of them alike), medians.
 *
 * <p>Run: {@code java -jar bench/target/bench.jar socket [--help]}.
 */
public final class SocketBench {

    private static final String KEY_TCP = "tcpsocket";
    /** The product read with readInto (bring-your-own-buffer), issue 12. */
    private static final String KEY_BYOB = "byob";
    private static final String KEY_STREAMS = "streams";
    private static final String KEY_MINA = "mina";
    private static final String KEY_NETTY = "netty";
    private static final String KEY_SOCKET = "socket";
    /** The java.net.Socket view of the SocketService (issue 13), compared with plain java.net.Socket. */
    private static final String KEY_VIEW = "socketview";
    /** Opt-in: Netty handing the application owned heap copies, as the socket API does. */
    private static final String KEY_NETTY_COPY = "nettycopy";
    private static final List<String> ALL = List.of(KEY_TCP, KEY_BYOB, KEY_STREAMS, KEY_MINA, KEY_NETTY, KEY_SOCKET,
            KEY_VIEW);
    /** Issue 12's target rows: the styles of the product, by client key. */
    private static final Map<String, String> STYLES = Map.of(KEY_TCP, "async", KEY_BYOB, "BYOB", KEY_STREAMS, "streams");

    // Targets from issue 3.
    private static final double TARGET_VS_MINA = 0.9;
    private static final double TARGET_VS_NETTY = 1.0;
    private static final double TARGET_RTT_VS_NETTY = 1.1;
    private static final long TARGET_IDLE_HEAP = 128L << 20;
    // Targets from issue 13: the Socket view vs plain java.net.Socket on the same peer.
    private static final double TARGET_VIEW_THROUGHPUT = 0.8;
    private static final double TARGET_VIEW_RTT = 1.5;

    private long mib = 512;
    private int warmup = 3;
    private int rounds = 9;
    private int echoCount = 50_000;
    private int echoWarmup = 20_000;
    private int echoPasses = 10;
    private boolean doUpload = true;
    private boolean doDownload = true;
    private int idle = 10_000;
    private Set<String> only = new LinkedHashSet<>(ALL);
    private Set<String> tests = new LinkedHashSet<>(List.of("throughput", "echo", "idle"));

    private final Map<String, Client> clients = new LinkedHashMap<>();
    private final List<String> errors = new ArrayList<>();

    private SocketBench() {
    }

    public static void main(String[] args) throws Exception {
        SocketBench bench = new SocketBench();
        if (!bench.parse(args)) {
            return;
        }
        int failures = bench.run();
        if (failures != 0) {
            // no System.exit here: "all" runs the other suites in this JVM after this one
            throw new IllegalStateException("socket bench: " + failures + " measurement(s) failed, see ERRORS above");
        }
    }

    private boolean parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--mib" -> { mib = Long.parseLong(v); i++; }
                case "--warmup" -> { warmup = Integer.parseInt(v); i++; }
                case "--rounds" -> { rounds = Integer.parseInt(v); i++; }
                case "--echo" -> { echoCount = Integer.parseInt(v); i++; }
                case "--echo-warmup" -> { echoWarmup = Integer.parseInt(v); i++; }
                case "--direction" -> {
                    doUpload = !v.equals("download");
                    doDownload = !v.equals("upload");
                    i++;
                }
                case "--echo-passes" -> { echoPasses = Math.max(1, Integer.parseInt(v)); i++; }
                case "--idle" -> { idle = Integer.parseInt(v); i++; }
                case "--only" -> { only = new LinkedHashSet<>(Arrays.asList(v.split(","))); i++; }
                case "--tests" -> { tests = new LinkedHashSet<>(Arrays.asList(v.split(","))); i++; }
                case "-h", "--help" -> {
                    System.out.println("""
                            socket suite: java -jar bench.jar socket [options]
                              --mib N          MiB per throughput round and direction (default 512)
                              --warmup N       warm-up rounds (default 3), --rounds N measured rounds (default 9)
                              --echo N         measured 64-byte round trips per client (default 50000)
                              --echo-warmup N  warm-up round trips per client (default 20000)
                              --echo-passes N  interleaved passes the measured round trips are split into (default 10)
                              --idle N         idle connections per client (default 10000)
                              --direction D    upload, download or both (default both; for profiling one path)
                              --only a,b       clients: tcpsocket,byob,streams,mina,netty,socket,socketview (default all);
                                               also nettycopy: Netty copying each read into an owned byte[]
                              --tests a,b      throughput,echo,idle (default all)""");
                    return false;
                }
                default -> throw new IllegalArgumentException("unknown option " + a + " (try --help)");
            }
        }
        only.removeIf(k -> !ALL.contains(k) && !k.equals(KEY_NETTY_COPY));
        return true;
    }

    private int run() throws Exception {
        System.out.println("Raw Sockets socket bench (hand-rolled harness: warm-up + interleaved measured rounds, medians)");
        System.out.println(BenchSupport.banner());
        System.out.println(fmt("settings: %d MiB/round x (%d warm-up + %d measured) rounds per direction; echo %d B x %d"
                + " (+%d warm-up); idle %d connections; write chunk %d KiB", mib, warmup, rounds, Client.ECHO_SIZE,
                echoCount, echoWarmup, idle, Client.CHUNK >> 10));

        Process peer = startPeer();
        MinaSocketEngine engine = null;
        MinaSocketEngine.OwnedSocketService service = null;
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.US_ASCII));
            String line = r.readLine();
            if (line == null || !line.startsWith("PEER ")) {
                throw new IllegalStateException("peer server did not start (got " + line + ")");
            }
            Map<String, String> ports = new LinkedHashMap<>();
            for (String kv : line.substring(5).split(" ")) {
                String[] p = kv.split("=", 2);
                ports.put(p[0], p[1]);
            }
            InetAddress lo = InetAddress.getLoopbackAddress();
            InetSocketAddress sink = new InetSocketAddress(lo, Integer.parseInt(ports.get("sink")));
            InetSocketAddress source = new InetSocketAddress(lo, Integer.parseInt(ports.get("source")));
            InetSocketAddress echo = new InetSocketAddress(lo, Integer.parseInt(ports.get("echo")));
            String[] idlePorts = ports.get("idle").split(",");
            System.out.println("peer: plain single-threaded NIO server in a child JVM (pid " + peer.pid() + "), "
                    + line.substring(5));

            if (only.contains(KEY_TCP) || only.contains(KEY_BYOB) || only.contains(KEY_STREAMS) || only.contains(KEY_VIEW)) {
                try {
                    engine = MinaSocketEngine.standalone();
                    service = engine.serviceFor(Owner.of(1, "bench"));
                } catch (RuntimeException | LinkageError e) {
                    errors.add("TcpSocket: SocketService not available: " + e);
                    System.out.println("!! TcpSocket clients skipped: SocketService not available: " + e);
                    only.remove(KEY_TCP);
                    only.remove(KEY_BYOB);
                    only.remove(KEY_STREAMS);
                    only.remove(KEY_VIEW);
                }
            }
            for (String key : only) {
                clients.put(key, switch (key) {
                    case KEY_TCP -> new TcpSocketClient(service);
                    case KEY_BYOB -> new TcpSocketByobClient(service);
                    case KEY_STREAMS -> new TcpSocketStreamsClient(service);
                    case KEY_MINA -> new MinaClient();
                    case KEY_NETTY -> new NettyClient(false);
                    case KEY_NETTY_COPY -> new NettyClient(true);
                    case KEY_SOCKET -> new BlockingClient();
                    case KEY_VIEW -> new SocketViewClient(service);
                    default -> throw new IllegalArgumentException(key);
                });
            }

            if (tests.contains("throughput")) {
                throughput(sink, source);
            }
            if (tests.contains("echo")) {
                echo(echo);
            }
            if (tests.contains("idle")) {
                idle(lo, idlePorts);
            }
        } finally {
            for (Client c : clients.values()) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.out.println("closing " + c.name() + ": " + e);
                }
            }
            if (service != null) {
                service.close();
            }
            if (engine != null) {
                engine.close();
            }
            peer.getOutputStream().close();
            if (!peer.waitFor(10, TimeUnit.SECONDS)) {
                peer.destroyForcibly();
            }
        }
        if (!errors.isEmpty()) {
            System.out.println();
            System.out.println("ERRORS (" + errors.size() + "):");
            errors.forEach(e -> System.out.println("  " + e));
        }
        return errors.size();
    }

    private static Process startPeer() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xms64m", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                PeerServer.class.getName(), "8");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    // ------------------------------------------------------------------------------------------
    // Throughput

    private void throughput(InetSocketAddress sink, InetSocketAddress source) {
        System.out.println();
        System.out.println("== bulk throughput: " + mib + " MiB per round, median of " + rounds + " rounds after " + warmup
                + " warm-up ==");
        long bytes = mib << 20;
        Map<String, double[]> up = new LinkedHashMap<>();
        Map<String, double[]> down = new LinkedHashMap<>();
        Set<String> failed = new LinkedHashSet<>();
        List<String> keys = new ArrayList<>(clients.keySet());
        // per client: {upload cpu ns, upload alloc bytes, download cpu ns, download alloc bytes}, measured rounds
        Map<String, long[]> cost = new LinkedHashMap<>();
        for (String k : keys) {
            up.put(k, new double[rounds]);
            down.put(k, new double[rounds]);
            cost.put(k, new long[4]);
        }
        for (int round = 0; round < warmup + rounds; round++) {
            StringBuilder progress = new StringBuilder(round < warmup ? "  warm-up " + (round + 1) : "  round " + (round - warmup + 1));
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get((i + round) % keys.size());
                if (failed.contains(k)) {
                    continue;
                }
                Client c = clients.get(k);
                try {
                    long cpu0 = BenchSupport.javaThreadsCpuNanos();
                    long alloc0 = BenchSupport.allocatedBytes();
                    double u = doUpload ? mibPerSec(bytes, c.upload(sink, bytes)) : 0;
                    long cpu1 = BenchSupport.javaThreadsCpuNanos();
                    long alloc1 = BenchSupport.allocatedBytes();
                    double d = doDownload ? mibPerSec(bytes, c.download(source, bytes)) : 0;
                    long cpu2 = BenchSupport.javaThreadsCpuNanos();
                    long alloc2 = BenchSupport.allocatedBytes();
                    if (round >= warmup) {
                        up.get(k)[round - warmup] = u;
                        down.get(k)[round - warmup] = d;
                        long[] co = cost.get(k);
                        co[0] += cpu1 - cpu0;
                        co[1] += alloc1 - alloc0;
                        co[2] += cpu2 - cpu1;
                        co[3] += alloc2 - alloc1;
                    }
                    progress.append(fmt("  %s %.0f/%.0f", k, u, d));
                } catch (Exception e) {
                    failed.add(k);
                    fail(c, "throughput", e);
                }
            }
            System.out.println(progress);
        }
        Map<String, Double> upMed = new LinkedHashMap<>();
        Map<String, Double> downMed = new LinkedHashMap<>();
        Map<String, Double> upBest = new LinkedHashMap<>();
        Map<String, Double> downBest = new LinkedHashMap<>();
        for (String k : keys) {
            if (!failed.contains(k)) {
                upMed.put(k, BenchSupport.median(up.get(k)));
                downMed.put(k, BenchSupport.median(down.get(k)));
                upBest.put(k, Arrays.stream(up.get(k)).max().orElse(0));
                downBest.put(k, Arrays.stream(down.get(k)).max().orElse(0));
            }
        }
        for (String dir : List.of("upload", "download")) {
            if (dir.equals("upload") ? !doUpload : !doDownload) {
                continue;
            }
            Map<String, double[]> all = dir.equals("upload") ? up : down;
            Map<String, Double> med = dir.equals("upload") ? upMed : downMed;
            Map<String, Double> best = dir.equals("upload") ? upBest : downBest;
            System.out.println(dir + " (MiB/s; best = fastest round, the least disturbed by other load on the machine):");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"client", "median", "best", "worst", "median vs MINA", "median vs Netty", "best vs MINA",
                    "best vs Netty"});
            for (String k : keys) {
                if (failed.contains(k)) {
                    rows.add(new String[] {clients.get(k).name(), "failed", "", "", "", "", "", ""});
                    continue;
                }
                rows.add(new String[] {clients.get(k).name(), fmt("%.0f", med.get(k)), fmt("%.0f", best.get(k)),
                        fmt("%.0f", Arrays.stream(all.get(k)).min().orElse(0)), ratio(med.get(k), med.get(KEY_MINA)),
                        ratio(med.get(k), med.get(KEY_NETTY)), ratio(best.get(k), best.get(KEY_MINA)),
                        ratio(best.get(k), best.get(KEY_NETTY))});
            }
            BenchSupport.printTable(rows);
        }
        System.out.println("client-side cost per GiB moved (measured rounds; CPU and allocation of the client JVM's Java threads,"
                + " JIT and GC threads excluded) - steadier than MiB/s on a shared machine:");
        List<String[]> costRows = new ArrayList<>();
        costRows.add(new String[] {"client", "upload CPU ms/GiB", "upload alloc MiB/GiB", "download CPU ms/GiB",
                "download alloc MiB/GiB"});
        double gib = rounds * (double) bytes / (1 << 30);
        for (String k : keys) {
            if (failed.contains(k)) {
                continue;
            }
            long[] co = cost.get(k);
            costRows.add(new String[] {clients.get(k).name(), fmt("%.0f", co[0] / 1e6 / gib), fmt("%.1f", co[1] / 1048576.0 / gib),
                    fmt("%.0f", co[2] / 1e6 / gib), fmt("%.1f", co[3] / 1048576.0 / gib)});
        }
        BenchSupport.printTable(costRows);
        recordThroughputTargets(cost, gib, upMed, downMed, failed);
        if (upMed.containsKey(KEY_TCP)) {
            for (String dir : List.of("upload", "download")) {
                if (dir.equals("upload") ? !doUpload : !doDownload) {
                    continue;
                }
                Map<String, Double> m = dir.equals("upload") ? upMed : downMed;
                Map<String, Double> b = dir.equals("upload") ? upBest : downBest;
                target("TcpSocket " + dir + " vs raw MINA (median)", m.get(KEY_TCP), m.get(KEY_MINA), TARGET_VS_MINA, true);
                target("TcpSocket " + dir + " vs raw MINA (best)", b.get(KEY_TCP), b.get(KEY_MINA), TARGET_VS_MINA, true);
                target("TcpSocket " + dir + " vs Netty (median)", m.get(KEY_TCP), m.get(KEY_NETTY), TARGET_VS_NETTY, true);
                target("TcpSocket " + dir + " vs Netty (best)", b.get(KEY_TCP), b.get(KEY_NETTY), TARGET_VS_NETTY, true);
            }
        }
        for (String dir : List.of("upload", "download")) {
            Map<String, Double> m = dir.equals("upload") ? upMed : downMed;
            Map<String, Double> b = dir.equals("upload") ? upBest : downBest;
            if (m.containsKey(KEY_VIEW) && (dir.equals("upload") ? doUpload : doDownload)) {
                target("Socket view " + dir + " vs java.net.Socket (median)", m.get(KEY_VIEW), m.get(KEY_SOCKET),
                        TARGET_VIEW_THROUGHPUT, true);
                target("Socket view " + dir + " vs java.net.Socket (best)", b.get(KEY_VIEW), b.get(KEY_SOCKET),
                        TARGET_VIEW_THROUGHPUT, true);
            }
        }
    }

    /** Issue 12's rows for CPU, allocation and bulk MiB/s, against Netty in this run. */
    private void recordThroughputTargets(Map<String, long[]> cost, double gib, Map<String, Double> upMed,
            Map<String, Double> downMed, Set<String> failed) {
        long[] netty = failed.contains(KEY_NETTY) ? null : cost.get(KEY_NETTY);
        for (Map.Entry<String, String> e : STYLES.entrySet()) {
            String k = e.getKey();
            String style = e.getValue();
            long[] co = cost.get(k);
            if (co == null || failed.contains(k)) {
                continue;
            }
            for (int d = 0; d < 2; d++) {
                String dir = d == 0 ? "upload" : "download";
                if (d == 0 ? !doUpload : !doDownload) {
                    continue;
                }
                double cpu = co[2 * d] / 1e6 / gib;
                double alloc = co[2 * d + 1] / 1048576.0 / gib;
                if (netty != null) {
                    double nCpu = netty[2 * d] / 1e6 / gib;
                    org.rawsockets.bench.Targets.ratio("cpu." + dir + "." + style, cpu, nCpu,
                            fmt("%.0f vs %.0f ms/GiB", cpu, nCpu));
                }
                String allocKey = "alloc." + dir + "." + style;
                if (!(k.equals(KEY_BYOB) && d == 0) && !k.equals(KEY_TCP)) {
                    org.rawsockets.bench.Targets.absolute(allocKey, alloc, "");
                }
                Map<String, Double> med = d == 0 ? upMed : downMed;
                if (!k.equals(KEY_STREAMS) && med.containsKey(KEY_NETTY)) {
                    org.rawsockets.bench.Targets.ratio("bulk." + dir + "." + style, med.get(k), med.get(KEY_NETTY),
                            fmt("%.0f vs %.0f MiB/s", med.get(k), med.get(KEY_NETTY)));
                }
            }
        }
    }

    private static double mibPerSec(long bytes, long nanos) {
        return (bytes / 1048576.0) / (nanos / 1e9);
    }

    private static String ratio(Double a, Double b) {
        if (a == null || b == null || b == 0) {
            return "-";
        }
        return fmt("%.2fx", a / b);
    }

    private void target(String what, Double value, Double base, double target, boolean higherIsBetter) {
        if (value == null || base == null) {
            System.out.println(fmt("  target %-46s n/a (baseline missing)", what));
            return;
        }
        double r = value / base;
        boolean ok = higherIsBetter ? r >= target : r <= target;
        System.out.println(fmt("  target %-46s %s%.2fx  measured %.2fx  %s", what, higherIsBetter ? ">= " : "<= ", target, r,
                ok ? "MET" : "MISSED"));
    }

    // ------------------------------------------------------------------------------------------
    // Echo

    private void echo(InetSocketAddress echo) {
        System.out.println();
        System.out.println("== " + Client.ECHO_SIZE + "-byte echo round trip: " + echoCount + " measured (" + echoPasses + " interleaved passes) after "
                + echoWarmup + " warm-up, one connection, TCP_NODELAY ==");
        List<String> keys = new ArrayList<>(clients.keySet());
        Map<String, List<long[]>> samples = new LinkedHashMap<>();
        Set<String> failed = new LinkedHashSet<>();
        for (String k : keys) {
            samples.put(k, new ArrayList<>());
            try {
                clients.get(k).echo(echo, echoWarmup);
            } catch (Exception e) {
                failed.add(k);
                fail(clients.get(k), "echo warm-up", e);
            }
        }
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (int pass = 0; pass < echoPasses; pass++) {
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get((i + pass) % keys.size());
                if (failed.contains(k)) {
                    continue;
                }
                try {
                    long cpu0 = BenchSupport.javaThreadsCpuNanos();
                    samples.get(k).add(clients.get(k).echo(echo, echoCount / echoPasses));
                    cpu.merge(k, BenchSupport.javaThreadsCpuNanos() - cpu0, Long::sum);
                } catch (Exception e) {
                    failed.add(k);
                    fail(clients.get(k), "echo", e);
                }
            }
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"client", "p50 us", "p99 us", "p99.9 us", "mean us", "p50 vs Netty", "p99 vs Netty",
                "client CPU us/rt"});
        Map<String, long[]> sorted = new LinkedHashMap<>();
        for (String k : keys) {
            if (!failed.contains(k)) {
                long[] all = samples.get(k).stream().flatMapToLong(Arrays::stream).sorted().toArray();
                sorted.put(k, all);
            }
        }
        long[] netty = sorted.get(KEY_NETTY);
        for (String k : keys) {
            long[] s = sorted.get(k);
            if (s == null) {
                rows.add(new String[] {clients.get(k).name(), "failed", "", "", "", "", "", ""});
                continue;
            }
            rows.add(new String[] {clients.get(k).name(), us(BenchSupport.percentile(s, 50)), us(BenchSupport.percentile(s, 99)),
                    us(BenchSupport.percentile(s, 99.9)), us((long) Arrays.stream(s).average().orElse(0)),
                    netty == null ? "-" : ratio((double) BenchSupport.percentile(s, 50), (double) BenchSupport.percentile(netty, 50)),
                    netty == null ? "-" : ratio((double) BenchSupport.percentile(s, 99), (double) BenchSupport.percentile(netty, 99)),
                    fmt("%.1f", cpu.getOrDefault(k, 0L) / 1000.0 / s.length)});
        }
        BenchSupport.printTable(rows);
        for (String k : List.of(KEY_TCP, KEY_BYOB)) {
            long[] mine = sorted.get(k);
            if (mine != null && netty != null) {
                for (int p : new int[] {50, 99}) {
                    double a = BenchSupport.percentile(mine, p) / 1000.0;
                    double b = BenchSupport.percentile(netty, p) / 1000.0;
                    org.rawsockets.bench.Targets.ratio("echo.p" + p + "." + STYLES.get(k), a, b, fmt("%.1f vs %.1f us", a, b));
                }
            }
        }
        long[] tcp = sorted.get(KEY_TCP);
        if (tcp != null) {
            target("TcpSocket echo p50 vs Netty", (double) BenchSupport.percentile(tcp, 50),
                    netty == null ? null : (double) BenchSupport.percentile(netty, 50), TARGET_RTT_VS_NETTY, false);
            target("TcpSocket echo p99 vs Netty", (double) BenchSupport.percentile(tcp, 99),
                    netty == null ? null : (double) BenchSupport.percentile(netty, 99), TARGET_RTT_VS_NETTY, false);
        }
        long[] view = sorted.get(KEY_VIEW);
        long[] plain = sorted.get(KEY_SOCKET);
        if (view != null) {
            target("Socket view echo p50 vs java.net.Socket", (double) BenchSupport.percentile(view, 50),
                    plain == null ? null : (double) BenchSupport.percentile(plain, 50), TARGET_VIEW_RTT, false);
            target("Socket view echo p99 vs java.net.Socket", (double) BenchSupport.percentile(view, 99),
                    plain == null ? null : (double) BenchSupport.percentile(plain, 99), TARGET_VIEW_RTT, false);
        }
    }

    private static String us(long nanos) {
        return fmt("%.1f", nanos / 1000.0);
    }

    // ------------------------------------------------------------------------------------------
    // Idle connections

    private void idle(InetAddress lo, String[] idlePorts) throws InterruptedException {
        System.out.println();
        System.out.println("== heap per idle connection: " + idle + " connections per client (used heap after full GC, before vs"
                + " after; each TcpSocket keeps one read() pending; the open rate after 2 warm-up passes of up to 2,000"
                + " connections per client) ==");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"client", "connections", "heap MiB", "bytes/conn", "off-heap MiB", "open s", "heap vs Netty"});
        Map<String, Long> heap = new LinkedHashMap<>();
        Map<String, Double> openRate = new LinkedHashMap<>();
        // Warm every client's open and close path first (JIT, classes, the peer's accept path), so the
        // rate does not depend on which client goes first: measured cold, the first one paid for it
        // (TcpSocket first: 0.64x Netty; Netty first: 1.24x, the same build).
        int warm = Math.min(idle, 2_000);
        int warmPort = 0;
        for (Map.Entry<String, Client> e : clients.entrySet()) {
            if (e.getKey().equals(KEY_STREAMS) || e.getKey().equals(KEY_BYOB)) {
                continue;
            }
            InetSocketAddress addr = new InetSocketAddress(lo, Integer.parseInt(idlePorts[warmPort++ % idlePorts.length]));
            for (int pass = 0; pass < 2; pass++) {
                try (Client.Idle conns = e.getValue().openIdle(addr, warm)) {
                    conns.count();
                } catch (Exception ex) {
                    fail(e.getValue(), "idle warm-up", ex);
                }
            }
        }
        int port = 0;
        for (Map.Entry<String, Client> e : clients.entrySet()) {
            String k = e.getKey();
            if (k.equals(KEY_STREAMS) || k.equals(KEY_BYOB)) {
                continue; // same sockets as tcpsocket: the other read styles hold no state until used
            }
            Client c = e.getValue();
            InetSocketAddress addr = new InetSocketAddress(lo, Integer.parseInt(idlePorts[port++ % idlePorts.length]));
            long before = BenchSupport.usedHeapAfterGc();
            long directBefore = c.offHeapBytes();
            long t0 = System.nanoTime();
            try (Client.Idle conns = c.openIdle(addr, idle)) {
                double openSecs = (System.nanoTime() - t0) / 1e9;
                long after = BenchSupport.usedHeapAfterGc();
                long direct = c.offHeapBytes() - directBefore;
                long delta = after - before;
                heap.put(k, delta);
                openRate.put(k, conns.count() / openSecs);
                rows.add(new String[] {c.name(), Integer.toString(conns.count()), fmt("%.1f", delta / 1048576.0),
                        Long.toString(delta / Math.max(1, conns.count())), fmt("%.1f", direct / 1048576.0),
                        fmt("%.1f", openSecs), ""});
            } catch (Exception ex) {
                fail(c, "idle", ex);
                rows.add(new String[] {c.name(), "failed", "", "", "", "", ""});
            }
        }
        Long nettyHeap = heap.get(KEY_NETTY);
        for (String[] row : rows.subList(1, rows.size())) {
            String k = clients.entrySet().stream().filter(en -> en.getValue().name().equals(row[0])).map(Map.Entry::getKey)
                    .findFirst().orElse("");
            if (heap.containsKey(k) && nettyHeap != null && nettyHeap > 0) {
                row[6] = ratio((double) heap.get(k), (double) nettyHeap);
            }
        }
        BenchSupport.printTable(rows);
        if (heap.containsKey(KEY_TCP)) {
            org.rawsockets.bench.Targets.absolute("idle.heap", heap.get(KEY_TCP) / (double) idle,
                    nettyHeap == null ? "" : fmt("Netty %d B", nettyHeap / idle));
            if (openRate.containsKey(KEY_NETTY)) {
                org.rawsockets.bench.Targets.ratio("connect.rate", openRate.get(KEY_TCP), openRate.get(KEY_NETTY),
                        fmt("%.0f vs %.0f connections/s, %d connections, 256 in flight", openRate.get(KEY_TCP),
                                openRate.get(KEY_NETTY), idle));
            }
        }
        if (heap.containsKey(KEY_TCP)) {
            long h = heap.get(KEY_TCP);
            System.out.println(fmt("  target %-46s <= %d MiB  measured %.1f MiB  %s", "TcpSocket heap for " + idle + " idle",
                    TARGET_IDLE_HEAP >> 20, h / 1048576.0, h <= TARGET_IDLE_HEAP ? "MET" : "MISSED"));
            idleCap(lo, idlePorts[idlePorts.length - 1]);
        }
    }

    /** Opens the idle connections through a fresh engine in a child JVM whose whole heap is 128 MiB. */
    private void idleCap(InetAddress lo, String port) throws InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + (TARGET_IDLE_HEAP >> 20) + "m", "-cp",
                System.getProperty("java.class.path"), IdleCap.class.getName(), port, Integer.toString(idle));
        pb.redirectErrorStream(true);
        String verdict = "no answer";
        try {
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("IDLECAP ")) {
                        verdict = line.substring(8);
                    }
                }
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                verdict = "timed out";
            }
        } catch (java.io.IOException e) {
            verdict = "could not start: " + e;
        }
        String[] v = verdict.split(" ");
        if (v.length == 3 && v[0].equals("ok")) {
            System.out.println(fmt("  target %-46s %s connections open in a JVM with -Xmx%dm (used heap after GC %.1f MiB)  MET",
                    "TcpSocket " + idle + " idle under -Xmx" + (TARGET_IDLE_HEAP >> 20) + "m", v[1], TARGET_IDLE_HEAP >> 20,
                    Long.parseLong(v[2]) / 1048576.0));
        } else {
            System.out.println(fmt("  target %-46s %s  MISSED", "TcpSocket " + idle + " idle under -Xmx" + (TARGET_IDLE_HEAP >> 20)
                    + "m", verdict));
            if (!verdict.startsWith("failed OutOfMemoryError")) {
                errors.add("idle cap: " + verdict); // a missed target is a figure; a broken run is an error
            }
        }
    }

    private static final long TIMEOUT_SECONDS = 180;

    private void fail(Client c, String what, Exception e) {
        String msg = c.name() + " " + what + ": " + e;
        errors.add(msg);
        System.out.println("!! " + msg);
        Throwable cause = e.getCause();
        if (cause != null) {
            System.out.println("   cause: " + cause);
        }
        if (Boolean.getBoolean("bench.trace")) {
            e.printStackTrace(System.out);
        }
    }
}
