package org.rawsockets.bench.socket;

import static org.rawsockets.bench.BenchSupport.fmt;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import org.rawsockets.bench.BenchSupport;
import org.rawsockets.bench.Targets;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * TLS bulk transfer (issue 12's "TLS bulk" rows): the socket bench's sink and source protocols over
 * TLS with one AES-GCM cipher suite and the JDK provider on every side, against {@link TlsPeer} (a JDK
 * {@code SSLServerSocket} in a child JVM). Clients: this engine's TcpSocket (async writes and pull
 * reads, and BYOB reads) with TLS options, and Netty's NIO transport with an {@code SslHandler}
 * (JDK provider). Each round moves {@code mib} MiB up and then down per client, clients taking turns;
 * the figures are the median MiB/s of the measured rounds and the client process's CPU per GiB moved
 * (all its threads, GC and JIT included: MINA's TLS handshake threads come and go, so a sum over live
 * threads could lose some; the peer's CPU is in its own process and not counted).
 */
public final class TlsBulk {

    private static final String CIPHER = "TLS_AES_128_GCM_SHA256";

    private TlsBulk() {
    }

    /**
     * @param p12 the server's key and certificate (PKCS#12, password {@code password})
     * @param pem the server's certificate, trusted by every client
     */
    public static void run(SocketService service, Path p12, String password, String pem, String protocol, int mib,
            int warmup, int rounds) throws Exception {
        System.out.println();
        System.out.println(fmt("== TLS bulk: %s %s, JDK provider everywhere, %d MiB per round and direction, median of %d"
                + " rounds after %d warm-up ==", protocol, CIPHER, mib, rounds, warmup));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process peer = new ProcessBuilder(java, "-Xms64m", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                TlsPeer.class.getName(), p12.toString(), password, protocol, CIPHER)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("PEER ")) {
                throw new IOException("TLS peer did not start: " + line);
            }
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (String kv : line.substring(5).split(" ")) {
                String[] p = kv.split("=");
                ports.put(p[0], Integer.parseInt(p[1]));
            }
            InetAddress lo = InetAddress.getLoopbackAddress();
            InetSocketAddress sink = new InetSocketAddress(lo, ports.get("sink"));
            InetSocketAddress source = new InetSocketAddress(lo, ports.get("source"));
            TcpSocketOptions opts = TcpSocketOptions.builder().noDelay(true).tls(TlsOptions.builder().mode(TlsMode.ON)
                    .trustedCertificatesPem(pem).protocols(protocol).cipherSuites(CIPHER).build()).build();
            SslContext ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .trustManager(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                    .protocols(protocol).ciphers(List.of(CIPHER)).build();
            Map<String, Client> clients = new LinkedHashMap<>();
            clients.put("async", new TcpSocketClient(service, opts));
            clients.put("BYOB", new TcpSocketByobClient(service, opts));
            clients.put("Netty", new NettyClient(false, ssl));
            try {
                measure(clients, sink, source, (long) mib << 20, warmup, rounds);
            } finally {
                for (Client c : clients.values()) {
                    c.close();
                }
            }
        } finally {
            peer.getOutputStream().close();
            peer.destroy();
        }
    }

    private static void measure(Map<String, Client> clients, InetSocketAddress sink, InetSocketAddress source,
            long bytes, int warmup, int rounds) throws Exception {
        List<String> keys = new ArrayList<>(clients.keySet());
        Map<String, double[]> rate = new LinkedHashMap<>(); // {up rounds..., down rounds...}
        Map<String, long[]> cpu = new LinkedHashMap<>(); // {up ns, down ns}
        for (String k : keys) {
            rate.put(k, new double[2 * rounds]);
            cpu.put(k, new long[2]);
        }
        for (int round = 0; round < warmup + rounds; round++) {
            StringBuilder progress = new StringBuilder(round < warmup ? "  warm-up " + (round + 1)
                    : "  round " + (round - warmup + 1));
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get((i + round) % keys.size());
                Client c = clients.get(k);
                long cpu0 = BenchSupport.processCpuNanos();
                double u = mibPerSec(bytes, c.upload(sink, bytes));
                long cpu1 = BenchSupport.processCpuNanos();
                double d = mibPerSec(bytes, c.download(source, bytes));
                long cpu2 = BenchSupport.processCpuNanos();
                if (round >= warmup) {
                    rate.get(k)[round - warmup] = u;
                    rate.get(k)[rounds + round - warmup] = d;
                    cpu.get(k)[0] += cpu1 - cpu0;
                    cpu.get(k)[1] += cpu2 - cpu1;
                }
                progress.append(fmt("  %s %.0f/%.0f", k, u, d));
            }
            System.out.println(progress);
        }
        double gib = (double) bytes * rounds / (1L << 30);
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"client", "upload MiB/s", "download MiB/s", "upload CPU ms/GiB", "download CPU ms/GiB"});
        Map<String, double[]> figures = new LinkedHashMap<>(); // {up MiB/s, down MiB/s, up ms/GiB, down ms/GiB}
        for (String k : keys) {
            double[] r = rate.get(k);
            double[] f = {BenchSupport.median(java.util.Arrays.copyOfRange(r, 0, rounds)),
                BenchSupport.median(java.util.Arrays.copyOfRange(r, rounds, 2 * rounds)), cpu.get(k)[0] / 1e6 / gib,
                cpu.get(k)[1] / 1e6 / gib};
            figures.put(k, f);
            table.add(new String[] {clients.get(k).name(), fmt("%.0f", f[0]), fmt("%.0f", f[1]), fmt("%.0f", f[2]),
                fmt("%.0f", f[3])});
        }
        BenchSupport.printTable(table);
        double[] ours = figures.get("BYOB");
        double[] netty = figures.get("Netty");
        Targets.ratio("tls.bulk.rate.upload", ours[0], netty[0], fmt("%.0f vs %.0f MiB/s", ours[0], netty[0]));
        Targets.ratio("tls.bulk.rate.download", ours[1], netty[1], fmt("%.0f vs %.0f MiB/s", ours[1], netty[1]));
        Targets.ratio("tls.bulk.cpu.upload", ours[2], netty[2], fmt("%.0f vs %.0f ms/GiB", ours[2], netty[2]));
        Targets.ratio("tls.bulk.cpu.download", ours[3], netty[3], fmt("%.0f vs %.0f ms/GiB", ours[3], netty[3]));
        double[] async = figures.get("async");
        System.out.println(fmt("async / Netty: upload %.2fx MiB/s %.2fx CPU, download %.2fx MiB/s %.2fx CPU", async[0]
                / netty[0], async[2] / netty[2], async[1] / netty[1], async[3] / netty[3]));
    }

    private static double mibPerSec(long bytes, long nanos) {
        return bytes / (1024.0 * 1024.0) / (nanos / 1e9);
    }
}
