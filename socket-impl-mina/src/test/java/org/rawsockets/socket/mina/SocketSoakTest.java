package org.rawsockets.socket.mina;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.contract.TestPki;
import org.rawsockets.socket.testing.NodeEchoPeer;
import org.rawsockets.socket.testing.ProcessSample;

/**
 * Soak of the socket service (issue 21): many TCP, TLS and connected UDP sockets held open and used at
 * a steady rate against a node echo server (TCP, TLS and UDP, its own process), for a set time. A TLS
 * socket's every tenth message is {@value #TLS_LARGE} bytes (many records, above the write high-water
 * mark: the records a caller writes in place and those MINA writes meet). Every
 * interval it prints messages echoed, p50/p99 round trip, heap after a full GC, RSS, threads and file
 * descriptors; at the end the heap's slope over the run. Every echo is checked byte for byte; a
 * TCP or TLS error, a wrong echo or a message without its echo fails the run (UDP datagrams lost on
 * loopback are counted, not failed).
 *
 * <p>The normal build runs a short one (40 TCP + 10 TLS + 10 UDP sockets, 12 s). The soak:
 * {@code ./mvnw -B -pl socket-impl-mina -am verify -Dtest=SocketSoakTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsoak.tcp=800 -Dsoak.tls=100 -Dsoak.udp=100 -Dsoak.seconds=3600 -Dsoak.interval=60}.
 */
@Timeout(value = 3, unit = TimeUnit.HOURS)
class SocketSoakTest {

    private static final int SIZE = 512;
    /** Every tenth message of a TLS socket. */
    static final int TLS_LARGE = 200_000;

    @TempDir
    Path dir;

    /** Round trips of one interval, in microseconds (bounded: at most {@code cap} kept). */
    private static final class Window {
        final long[] micros;
        int n;

        Window(int cap) {
            micros = new long[cap];
        }

        synchronized void add(long us) {
            if (n < micros.length) {
                micros[n++] = us;
            }
        }

        synchronized long[] drain() {
            long[] r = Arrays.copyOf(micros, n);
            n = 0;
            Arrays.sort(r);
            return r;
        }
    }

    @Test
    void manySocketsHeldAndUsedAtASteadyRate() throws Exception {
        int tcp = Integer.getInteger("soak.tcp", 40);
        int tls = Integer.getInteger("soak.tls", 10);
        int udp = Integer.getInteger("soak.udp", 10);
        long seconds = Long.getLong("soak.seconds", 12);
        long interval = Long.getLong("soak.interval", 3);
        int perSecond = Integer.getInteger("soak.rate", 5); // messages per socket per second
        Files.deleteIfExists(REPORT);
        MinaContractFixture fx = new MinaContractFixture();
        ScheduledExecutorService pace = Executors.newScheduledThreadPool(2);
        TestPki pki = TestPki.get();
        try (NodeEchoPeer echo = NodeEchoPeer.start(dir, pki.serverPem(), pki.serverKey())) {
            int tcpPort = echo.tcpPort();
            int udpPort = echo.udpPort();
            SocketService service = fx.open("soak");
            ProcessSample before = ProcessSample.take();

            LongAdder echoed = new LongAdder();
            LongAdder udpLost = new LongAdder();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Window window = new Window(1_000_000);
            List<TcpSocket> tcps = new ArrayList<>();
            List<UdpSocket> udps = new ArrayList<>();
            for (int i = 0; i < tcp; i++) {
                TcpSocket s = service.openTcp("127.0.0.1", tcpPort, TcpSocketOptions.builder().noDelay(true).build());
                s.opened().toCompletableFuture().get(30, TimeUnit.SECONDS);
                tcps.add(s);
            }
            List<TcpSocket> tlss = new ArrayList<>();
            TcpSocketOptions tlsOptions = TcpSocketOptions.builder().noDelay(true)
                    .tls(TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pki.read(pki.caPem())).build())
                    .build();
            for (int i = 0; i < tls; i++) {
                TcpSocket s = service.openTcp("127.0.0.1", echo.tlsPort(), tlsOptions);
                s.opened().toCompletableFuture().get(30, TimeUnit.SECONDS);
                tlss.add(s);
            }
            for (int i = 0; i < udp; i++) {
                UdpSocket s = service.openUdp(UdpSocketOptions.connected("127.0.0.1", udpPort));
                s.opened().toCompletableFuture().get(30, TimeUnit.SECONDS);
                udps.add(s);
            }
            long period = 1_000_000 / perSecond;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            Totals totals = new Totals(window, echoed, udpLost, failure);
            for (int i = 0; i < tcps.size(); i++) {
                loops.add(new TcpLoop(tcps.get(i), "TCP", SIZE, i, pace, period, end, totals).start(7919));
            }
            for (int i = 0; i < tlss.size(); i++) {
                loops.add(new TcpLoop(tlss.get(i), "TLS", TLS_LARGE, i, pace, period, end, totals).start(6007));
            }
            for (int i = 0; i < udps.size(); i++) {
                loops.add(new UdpLoop(udps.get(i), i, pace, period, end, totals).start(104729));
            }
            report("soak: %d TCP + %d TLS + %d UDP sockets, %d messages/s each of %d bytes (TLS: every tenth %d),"
                    + " %d s; %s%n", tcp, tls, udp, perSecond, SIZE, TLS_LARGE, seconds, before);
            report("  t(s)  echoed/s   p50(us)   p99(us)  heap-after-GC(MiB)  RSS(MiB)  threads  fds%n");
            List<double[]> heap = new ArrayList<>();
            long start = System.nanoTime();
            long last = 0;
            long lastAt = start;
            while (System.nanoTime() < end && failure.get() == null) {
                long wait = Math.min(TimeUnit.SECONDS.toNanos(interval), end - System.nanoTime());
                TimeUnit.NANOSECONDS.sleep(Math.max(0, wait)); // pacing of the report, not a wait for a condition
                long now = echoed.sum();
                long nowAt = System.nanoTime();
                // per second of this line's own span (the last one may be shorter than the interval)
                double span = Math.max(1e-3, (nowAt - lastAt) / 1e9);
                lastAt = nowAt;
                long[] rt = window.drain();
                ProcessSample s = ProcessSample.take();
                double t = (System.nanoTime() - start) / 1e9;
                heap.add(new double[] {t, s.heapMiB()});
                report("%6.0f  %8.0f  %8d  %8d  %18.1f  %8.1f  %7d  %3d%n", t, (now - last) / span,
                        pct(rt, 0.50), pct(rt, 0.99), s.heapMiB(), s.rssMiB(), s.threads(), s.fds());
                last = now;
            }
            CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (TcpSocket s : tcps) {
                s.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            for (TcpSocket s : tlss) {
                s.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            for (UdpSocket s : udps) {
                s.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            ProcessSample after = ProcessSample.take();
            report("soak: %d echoed, %d UDP datagrams lost; heap slope %.3f MiB/min; after close %s%n",
                    echoed.sum(), udpLost.sum(), 60 * ProcessSample.slope(heap), after);
            if (failure.get() != null) {
                throw new AssertionError("the soak failed: " + failure.get(), failure.get());
            }
            assertTrue(echoed.sum() > 0, "messages were echoed");
            assertEquals(0, service.sockets().size(), "every socket closed: " + service.sockets());
        } finally {
            pace.shutdownNow();
            fx.close();
        }
    }

    /** What every loop adds to: round trips, echoes counted, datagrams lost, the first failure. */
    private record Totals(Window window, LongAdder echoed, LongAdder lost, AtomicReference<Throwable> failure) {
    }

    /**
     * One socket's loop: every period one numbered message out and its echo back (checked), until
     * the end or the first failure anywhere; the next message waits for its slot.
     */
    private abstract static class Loop {
        final int id;
        final ScheduledExecutorService pace;
        final long periodMicros;
        final long end;
        final Totals totals;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        long seq;

        Loop(int id, ScheduledExecutorService pace, long periodMicros, long end, Totals totals) {
            this.id = id;
            this.pace = pace;
            this.periodMicros = periodMicros;
            this.end = end;
            this.totals = totals;
        }

        /** Starts at an offset within the period spread by {@code prime}; completes when the loop ended. */
        CompletableFuture<Void> start(long prime) {
            pace.schedule(this::next, (id * prime) % periodMicros, TimeUnit.MICROSECONDS);
            return done;
        }

        /** Sends message {@code n} and completes once its echo was checked and counted. */
        abstract CompletionStage<Void> exchange(long n, long t0);

        /** Counts an echo that came back right. */
        void echoed(long t0) {
            totals.window().add((System.nanoTime() - t0) / 1000);
            totals.echoed().increment();
        }

        private void next() {
            if (System.nanoTime() >= end || totals.failure().get() != null) {
                done.complete(null);
                return;
            }
            long slot = System.nanoTime() + periodMicros * 1000;
            exchange(++seq, System.nanoTime()).whenComplete((v, e) -> {
                if (e != null) {
                    totals.failure().compareAndSet(null, e);
                    done.complete(null);
                    return;
                }
                pace.schedule(this::next, Math.max(0, slot - System.nanoTime()), TimeUnit.NANOSECONDS);
            });
        }
    }

    /**
     * A TCP or TLS socket's loop: write the message, read exactly its length back, compare. Messages
     * are {@value #SIZE} bytes; with {@code large} above that, every tenth is {@code large} bytes.
     */
    private static final class TcpLoop extends Loop {
        final TcpSocket s;
        final String kind;
        final byte[] small = new byte[SIZE];
        final byte[] big;
        final ByteBuffer in;

        TcpLoop(TcpSocket s, String kind, int large, int id, ScheduledExecutorService pace, long periodMicros, long end,
                Totals totals) {
            super(id, pace, periodMicros, end, totals);
            this.s = s;
            this.kind = kind;
            this.big = large > SIZE ? new byte[large] : small;
            this.in = ByteBuffer.allocate(big.length);
        }

        @Override
        CompletionStage<Void> exchange(long n, long t0) {
            byte[] out = n % 10 == 0 ? big : small;
            fill(out, id, n);
            in.clear().limit(out.length);
            return s.writable().write(ByteBuffer.wrap(out))
                    .thenCompose(v -> s.readable().readInto(in, out.length, Duration.ofSeconds(30))).thenAccept(k -> {
                        if (k != out.length || !Arrays.equals(in.array(), 0, out.length, out, 0, out.length)) {
                            throw new AssertionError(kind + " socket " + id + " message " + n + ": the echo differs ("
                                    + k + " of " + out.length + " bytes)");
                        }
                        echoed(t0);
                    });
        }
    }

    /** A connected UDP socket's loop; a datagram without its echo within 2 s is counted as lost. */
    private static final class UdpLoop extends Loop {
        final UdpSocket s;
        /** A read still pending from a datagram counted as lost: the next wait takes it over. */
        volatile CompletableFuture<ReadResult<UdpMessage>> pending;

        UdpLoop(UdpSocket s, int id, ScheduledExecutorService pace, long periodMicros, long end, Totals totals) {
            super(id, pace, periodMicros, end, totals);
            this.s = s;
        }

        @Override
        CompletionStage<Void> exchange(long n, long t0) {
            byte[] out = new byte[SIZE];
            fill(out, 1_000_000 + id, n);
            return s.writable().write(UdpMessage.of(out)).thenCompose(v -> awaitEcho(out, t0));
        }

        /** Reads until this datagram's echo (a late echo of an earlier one is skipped) or 2 s pass. */
        private CompletionStage<Void> awaitEcho(byte[] out, long t0) {
            CompletableFuture<ReadResult<UdpMessage>> r = pending != null ? pending : s.readable().read().toCompletableFuture();
            pending = null;
            return r.copy().completeOnTimeout(null, 2, TimeUnit.SECONDS).thenCompose(m -> {
                if (m == null) {
                    totals.lost().increment();
                    pending = r;
                    return CompletableFuture.completedFuture(null);
                }
                if (m.done()) {
                    return CompletableFuture.failedFuture(new IOException("UDP socket " + id + " ended"));
                }
                if (!Arrays.equals(m.value().bytes(), out)) {
                    return awaitEcho(out, t0); // an echo that came after its time: skip it
                }
                echoed(t0);
                return CompletableFuture.completedFuture(null);
            });
        }
    }

    /** Where the report lines also go as they are printed (surefire shows test output only at the end). */
    private static final Path REPORT = Path.of(System.getProperty("soak.report", "target/socket-soak.txt"));

    /** Prints a report line and appends it to {@link #REPORT}, so a long soak can be watched. */
    private static void report(String format, Object... args) {
        String line = String.format(format, args);
        System.out.print(line);
        try {
            Files.writeString(REPORT, line, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("(cannot append to " + REPORT.toAbsolutePath() + ": " + e + ")");
        }
    }

    private static void fill(byte[] b, int id, long seq) {
        ByteBuffer.wrap(b).putInt(id).putLong(seq);
        for (int i = 12; i < b.length; i++) {
            b[i] = (byte) (id * 31 + seq * 17 + i);
        }
    }

    private static long pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
    }
}
