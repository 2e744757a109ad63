package org.rawsockets.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The targets of issue 12 ("socket data path"), one row each, in the order. The suites
 * record what they measured ({@link #ratio}, {@link #absolute}); {@link #print} shows every row with
 * PASS or MISS, or why it has no figure in this run. Not thread-safe: suites run one after another.
 */
public final class Targets {

    /** One target: {@code max} true means the measured value must be at most {@code limit}. */
    private record Row(String label, String base, boolean max, double limit, String unit) {
    }

    private static final Map<String, Row> ROWS = new LinkedHashMap<>();
    private static final Map<String, String> MEASURED = new LinkedHashMap<>();
    private static final Map<String, Boolean> PASSED = new LinkedHashMap<>();
    /** Rows no suite measures, with the reason. */
    private static final Map<String, String> NOT_IMPLEMENTED = new LinkedHashMap<>();

    static {
        for (String dir : List.of("upload", "download")) {
            for (String style : List.of("async", "BYOB")) {
                row("cpu." + dir + "." + style, "CPU ms/GiB " + dir + ", " + style, "Netty NIO", true, 1.0, "x");
            }
        }
        row("cpu.upload.streams", "CPU ms/GiB upload, blocking views", "Netty NIO", true, 1.25, "x");
        row("cpu.download.streams", "CPU ms/GiB download, blocking views", "Netty NIO", true, 1.25, "x");
        row("alloc.download.BYOB", "allocation per GiB, BYOB read", null, true, 16, " MiB/GiB");
        row("alloc.upload.streams", "allocation per GiB, blocking views upload", null, true, 16, " MiB/GiB");
        row("alloc.download.streams", "allocation per GiB, blocking views download", null, true, 16, " MiB/GiB");
        for (String dir : List.of("upload", "download")) {
            for (String style : List.of("async", "BYOB")) {
                row("bulk." + dir + "." + style, "bulk MiB/s " + dir + ", " + style + ", median of rounds", "Netty NIO",
                        false, 1.0, "x");
            }
        }
        for (String style : List.of("async", "BYOB")) {
            row("echo.p50." + style, "64 B echo p50, " + style, "Netty NIO", true, 1.05, "x");
            row("echo.p99." + style, "64 B echo p99, " + style, "Netty NIO", true, 1.05, "x");
        }
        row("idle.heap", "heap per idle connection (one read pending)", null, true, 1600, " B");
        for (String dir : List.of("upload", "download")) {
            row("tls.bulk.rate." + dir, "TLS bulk MiB/s " + dir + ", BYOB (AES-GCM, JDK provider)", "Netty SslHandler",
                    false, 1.0, "x");
            row("tls.bulk.cpu." + dir, "TLS bulk CPU ms/GiB " + dir + ", BYOB", "Netty SslHandler", true, 1.0, "x");
        }
        row("tls.handshake.full", "TLS handshakes/s to one server, full", "Netty SslHandler", false, 1.0, "x");
        row("tls.handshake.resumed", "TLS handshakes/s to one server, resumed", "Netty SslHandler", false, 1.0, "x");
        row("udp.connected", "UDP 1400 B datagrams/s, connected", "Netty NIO", false, 0.9, "x");
        row("udp.bound", "UDP 1400 B datagrams/s, bound", "Netty NIO", false, 0.9, "x");
        row("connect.rate", "connections opened/s (10,000, loopback)", "Netty NIO", false, 0.8, "x");
        row("modbus.window1", "Modbus FC3 one request at a time (window 1)", "j2mod", false, 1.5, "x");
        row("smtp.pipelining", "SMTP PIPELINING + DATA, bare loopback, 1 connection", "Angus Mail", false, 2.0, "x");
    }

    private Targets() {
    }

    private static void row(String key, String label, String base, boolean max, double limit, String unit) {
        ROWS.put(key, new Row(label, base, max, limit, unit));
    }

    /** Records {@code value / base} for row {@code key} (e.g. ms/GiB of ours and of Netty's). */
    public static void ratio(String key, double value, double base, String detail) {
        Row r = row(key);
        if (!(base > 0) || Double.isNaN(value)) {
            MEASURED.put(key, "n/a (" + detail + ")");
            return;
        }
        double x = value / base;
        PASSED.put(key, r.max() ? x <= r.limit() : x >= r.limit());
        MEASURED.put(key, BenchSupport.fmt("%.2fx  (%s)", x, detail));
    }

    /** Records an absolute figure for row {@code key}, in the row's unit. */
    public static void absolute(String key, double value, String detail) {
        Row r = row(key);
        PASSED.put(key, r.max() ? value <= r.limit() : value >= r.limit());
        MEASURED.put(key, BenchSupport.fmt("%.1f%s%s", value, r.unit(), detail.isEmpty() ? "" : "  (" + detail + ")"));
    }

    private static Row row(String key) {
        Row r = ROWS.get(key);
        if (r == null) {
            throw new IllegalArgumentException("no target row " + key);
        }
        return r;
    }

    /** Whether any row was measured (the summary is printed only then). */
    public static boolean any() {
        return !MEASURED.isEmpty();
    }

    /** The whole table: every row, PASS/MISS for the measured ones. */
    public static void print() {
        System.out.println();
        System.out.println("== issue 12 targets: every row, this run (ratios are ours / the named baseline, same run) ==");
        System.out.println(BenchSupport.banner());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"measure", "target", "measured", "verdict"});
        int pass = 0;
        int miss = 0;
        for (Map.Entry<String, Row> e : ROWS.entrySet()) {
            Row r = e.getValue();
            String target = (r.max() ? "<= " : ">= ") + BenchSupport.fmt(r.unit().equals("x") ? "%.2f" : "%.0f", r.limit())
                    + r.unit() + (r.base() == null ? "" : " " + r.base());
            String m = MEASURED.get(e.getKey());
            String verdict;
            if (m == null) {
                m = NOT_IMPLEMENTED.getOrDefault(e.getKey(), "not measured (its suite did not run)");
                verdict = "-";
            } else if (!PASSED.containsKey(e.getKey())) {
                verdict = "-";
            } else if (PASSED.get(e.getKey())) {
                verdict = "PASS";
                pass++;
            } else {
                verdict = "MISS";
                miss++;
            }
            rows.add(new String[] {r.label(), target, m, verdict});
        }
        BenchSupport.printTable(rows);
        System.out.println(BenchSupport.fmt("%d PASS, %d MISS, %d without a figure", pass, miss, ROWS.size() - pass - miss));
    }
}
