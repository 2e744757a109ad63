package org.rawsockets.bench.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.rawsockets.bench.BenchSupport;
import org.rawsockets.bench.socket.TlsBulk;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * TLS handshakes per second to one {@code openssl s_server}, full and resumed, this engine's
 * TcpSocket beside a plain JDK {@link SSLSocket} (one SSLContext, as a JDK client would use it) and
 * Netty's SslHandler ({@link NettyTlsClient}), with the target (engine ≥ 1.0× Netty).
 * "Full" runs against a server started with {@code -no_ticket -no_cache} (it cannot resume),
 * "resumed" against one with its defaults (tickets and a session cache); each handshake is one
 * connection: connect, handshake, one 2-byte exchange ({@code s_server -rev}; it also reads a
 * TLS 1.3 ticket), close. The clients run one connection at a time; the resumed fraction each
 * client saw is printed ({@link TlsInfo#resumed()}, for the JDK socket the session's creation
 * time) so that a "resumed" figure that is not one shows.
 *
 * <p>Then a TLS round trip of a 64-byte line on one open connection to {@code s_server -rev} each, the
 * engine's TcpSocket (the caller writes, then reads with {@code readInto}) beside Netty's
 * SslHandler (the caller writes through the event loop and waits for the answer): 3 rounds per
 * client in alternating order after a warm-up, p50/p90/p99 of all trips. No issue target names it:
 * printed for the record.
 *
 * <p>Then TLS bulk transfer ({@link TlsBulk}) with the same certificate, unless its size is 0.
 *
 * <p>{@code java -jar bench/target/bench.jar tls [seconds per measure (5)] [protocol (TLSv1.3)] [bulk MiB per
 * round (256; 0 = no bulk)] [warm-up seconds per client (10; 2 until 2026-12-05)] [round trips per client
 * and round (10000; 0 = none)]}: with 2 s warm-up the clients were still being compiled (a full handshake
 * took 5 ms in the measure, 2 ms after some 3,000).
 */
public final class TlsBench {

    private TlsBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String protocol = args.length > 1 ? args[1] : "TLSv1.3";
        int bulkMib = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int trips = args.length > 4 ? Integer.parseInt(args[4]) : 10_000;
        System.out.println("TLS handshakes/s, one connection at a time, " + protocol + ", " + seconds
                + " s per measure after " + warmup + " s of warm-up per client, against openssl s_server on 127.0.0.1");
        System.out.println(BenchSupport.banner());
        Path dir = Files.createTempDirectory("tls-bench");
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        String pem = Files.readString(dir.resolve("cert.pem"), StandardCharsets.US_ASCII);
        Process full = sServer(dir, "-no_ticket", "-no_cache");
        Process resuming = sServer(dir);
        try (MinaSocketEngine engine = MinaSocketEngine.standalone();
                MinaSocketEngine.OwnedSocketService service = engine.serviceFor(Owner.of(1, "bench-tls"))) {
            TlsOptions tls = TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pem).protocols(protocol)
                    .build();
            SSLContext jdk = jdkContext(pem);
            NettyTlsClient netty = new NettyTlsClient(pem, protocol);
            int fullPort = port(full);
            int resumingPort = port(resuming);
            // warm-up (JIT, both paths), not reported
            for (int port : new int[] { fullPort, resumingPort }) { // half the warm-up on each kind
                int half = Math.max(1, warmup / 2);
                measure("warm-up", half, () -> engineHandshake(service, port, tls));
                measure("warm-up", half, () -> jdkHandshake(jdk, port, protocol));
                measure("warm-up", half, () -> netty.handshake(port));
            }
            List<String> rows = new ArrayList<>();
            double ef = measure("engine full", seconds, () -> engineHandshake(service, fullPort, tls), rows);
            double jf = measure("JDK SSLSocket full", seconds, () -> jdkHandshake(jdk, fullPort, protocol), rows);
            double nf = measure("Netty SslHandler full", seconds, () -> netty.handshake(fullPort), rows);
            double er = measure("engine resumed", seconds, () -> engineHandshake(service, resumingPort, tls), rows);
            double jr = measure("JDK SSLSocket resumed", seconds, () -> jdkHandshake(jdk, resumingPort, protocol),
                    rows);
            double nr = measure("Netty SslHandler resumed", seconds, () -> netty.handshake(resumingPort), rows);
            System.out.println();
            System.out.printf(Locale.ROOT, "%-24s %12s %10s%n", "client", "handshakes/s", "resumed");
            rows.forEach(System.out::println);
            System.out.printf(Locale.ROOT, "engine / JDK SSLSocket: full %.2fx, resumed %.2fx; resumed / full: engine"
                    + " %.2fx, JDK %.2fx, Netty %.2fx%n", ef / jf, er / jr, er / ef, jr / jf, nr / nf);
            System.out.printf(Locale.ROOT, "engine / Netty SslHandler (target >= 1.0x): full %.2fx %s, resumed %.2fx %s%n",
                    ef / nf, ef / nf >= 1.0 ? "PASS" : "MISS", er / nr, er / nr >= 1.0 ? "PASS" : "MISS");
            org.rawsockets.bench.Targets.ratio("tls.handshake.full", ef, nf,
                    String.format(Locale.ROOT, "%.0f vs %.0f /s, %s", ef, nf, protocol));
            org.rawsockets.bench.Targets.ratio("tls.handshake.resumed", er, nr,
                    String.format(Locale.ROOT, "%.0f vs %.0f /s, %s", er, nr, protocol));
            if (trips > 0) {
                echo(service, netty, resumingPort, fullPort, tls, trips);
            }
            netty.close();
            if (bulkMib > 0) {
                run("openssl", "pkcs12", "-export", "-in", dir.resolve("cert.pem").toString(), "-inkey",
                        dir.resolve("key.pem").toString(), "-out", dir.resolve("peer.p12").toString(), "-passout",
                        "pass:bench");
                TlsBulk.run(service, dir.resolve("peer.p12"), "bench", pem, protocol, bulkMib, 2, 5);
            }
        } finally {
            full.destroy();
            resuming.destroy();
            full.waitFor(5, TimeUnit.SECONDS);
            resuming.waitFor(5, TimeUnit.SECONDS);
            BenchSupport.deleteTree(dir); // its certificate, key and PKCS#12 file
        }
    }

    /**
     * The round trips of a 64-byte line, engine and Netty, on one connection each (see the class
     * comment): to two s_server processes ({@code s_server} serves one connection at a time).
     */
    private static void echo(MinaSocketEngine.OwnedSocketService service, NettyTlsClient netty, int port,
            int nettyPort, TlsOptions tls, int trips) throws Exception {
        byte[] line = new byte[64];
        java.util.Arrays.fill(line, (byte) 'a');
        line[63] = '\n';
        TcpSocket s = service.openTcp("127.0.0.1", port, OPTS.tls(tls).build());
        s.opened().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ByteBuffer into = ByteBuffer.allocate(4096);
        long[] engine = new long[3 * trips];
        long[] nettyTimes = new long[3 * trips];
        try (NettyTlsClient.Echo n = netty.new Echo(nettyPort)) {
            for (int i = 0; i < trips; i++) { // warm-up
                engineEcho(s, line, into);
                n.roundTrip(line);
            }
            for (int round = 0; round < 3; round++) {
                for (int k = 0; k < 2; k++) {
                    boolean engineNow = (round + k) % 2 == 0;
                    for (int i = 0; i < trips; i++) {
                        long t0 = System.nanoTime();
                        if (engineNow) {
                            engineEcho(s, line, into);
                            engine[round * trips + i] = System.nanoTime() - t0;
                        } else {
                            n.roundTrip(line);
                            nettyTimes[round * trips + i] = System.nanoTime() - t0;
                        }
                    }
                }
            }
        } finally {
            s.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        java.util.Arrays.sort(engine);
        java.util.Arrays.sort(nettyTimes);
        System.out.println();
        System.out.println("TLS round trip of a 64-byte line on one connection (s_server -rev), " + 3 * trips
                + " per client in 3 rounds of alternating order, µs:");
        System.out.printf(Locale.ROOT, "%-24s %8s %8s %8s%n", "client", "p50", "p90", "p99");
        for (Object[] r : new Object[][] { { "engine (BYOB)", engine }, { "Netty SslHandler", nettyTimes } }) {
            long[] t = (long[]) r[1];
            System.out.printf(Locale.ROOT, "%-24s %8.1f %8.1f %8.1f%n", r[0], t[t.length / 2] / 1e3,
                    t[t.length * 9 / 10] / 1e3, t[t.length * 99 / 100] / 1e3);
        }
        System.out.printf(Locale.ROOT, "engine / Netty SslHandler: p50 %.2fx, p99 %.2fx%n",
                (double) engine[engine.length / 2] / nettyTimes[nettyTimes.length / 2],
                (double) engine[engine.length * 99 / 100] / nettyTimes[nettyTimes.length * 99 / 100]);
    }

    /** Writes {@code line} and reads the answer of its length. */
    static void engineEcho(TcpSocket s, byte[] line, ByteBuffer into) throws Exception {
        s.writable().write(ByteBuffer.wrap(line)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        int got = 0;
        while (got < line.length) {
            into.clear();
            int r = s.readable().readInto(into, 1).toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (r < 0) {
                throw new IOException("s_server closed the connection");
            }
            got += r;
        }
    }

    /** One handshake; true when it resumed a session. */
    @FunctionalInterface
    interface Handshake {
        boolean run() throws Exception;
    }

    private static double measure(String name, int seconds, Handshake h) throws Exception {
        return measure(name, seconds, h, new ArrayList<>());
    }

    private static double measure(String name, int seconds, Handshake h, List<String> rows) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        int n = 0;
        int resumed = 0;
        while (System.nanoTime() < end) {
            if (h.run()) {
                resumed++;
            }
            n++;
        }
        double perSecond = n / ((System.nanoTime() - start) / 1e9);
        rows.add(String.format(Locale.ROOT, "%-24s %12.0f %9.0f%%", name, perSecond, 100.0 * resumed / n));
        return perSecond;
    }

    /** TCP_NODELAY on both clients: else the 2-byte exchange waits ~40 ms for a delayed ACK (Nagle). */
    private static final TcpSocketOptions.Builder OPTS = TcpSocketOptions.builder().noDelay(true);

    private static boolean engineHandshake(MinaSocketEngine.OwnedSocketService service, int port, TlsOptions tls)
            throws Exception {
        TcpSocket s = service.openTcp("127.0.0.1", port, OPTS.tls(tls).build());
        try {
            TlsInfo info = s.opened().toCompletableFuture().get(10, TimeUnit.SECONDS).tls().orElseThrow();
            s.writable().write(ByteBuffer.wrap(new byte[] { 'x', '\n' })).toCompletableFuture().get(10,
                    TimeUnit.SECONDS);
            int got = 0;
            while (got < 2) {
                ReadResult<ByteBuffer> r = s.readable().read().toCompletableFuture().get(10, TimeUnit.SECONDS);
                if (r.done()) {
                    throw new IOException("s_server closed the connection");
                }
                got += r.value().remaining();
            }
            return info.resumed();
        } finally {
            s.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static boolean jdkHandshake(SSLContext ctx, int port, String protocol) throws IOException {
        long before = System.currentTimeMillis();
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            SSLParameters p = s.getSSLParameters();
            p.setProtocols(new String[] { protocol });
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.setSoTimeout(10_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(new byte[] { 'x', '\n' });
            out.flush();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 2; i++) {
                if (in.read() < 0) {
                    throw new IOException("s_server closed the connection");
                }
            }
            return s.getSession().getCreationTime() < before;
        }
    }

    private static SSLContext jdkContext(String pem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("server", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static final java.util.Map<Process, Integer> PORTS = new java.util.HashMap<>();

    private static int port(Process p) {
        return PORTS.get(p);
    }

    /** s_server on a free loopback port, answered once it accepts connections (bounded wait). */
    private static Process sServer(Path dir, String... extra) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-quiet", "-rev", "-accept",
                "127.0.0.1:" + port, "-cert", dir.resolve("cert.pem").toString(), "-key",
                dir.resolve("key.pem").toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                break; // listening (s_server sees a connection without a ClientHello and goes on)
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroy();
                    throw new IOException("openssl s_server " + String.join(" ", extra) + " did not start on port "
                            + port);
                }
                Thread.sleep(20);
            }
        }
        PORTS.put(p, port);
        return p;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
