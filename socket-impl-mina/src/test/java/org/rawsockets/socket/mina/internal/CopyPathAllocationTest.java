package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * The copying byte paths allocate (almost) nothing per byte in steady state: {@code readInto}, the
 * blocking {@code InputStream}/{@code OutputStream} views and the {@link java.net.Socket} view,
 * both directions. Measured as the bytes allocated (ThreadMXBean) by the engine's threads and the
 * reading/writing thread over a bounded transfer after a warm-up one, against a JDK socket peer.
 * The bound is generous (64 MiB per GiB moved, 4x the target): the path these replaced
 * allocated a fresh heap buffer per network read and a copy per write, ~1024 MiB per GiB.
 */
class CopyPathAllocationTest {

    static final int HWM = 256 * 1024;
    static final int LWM = 64 * 1024;
    static final long WARMUP = 32L << 20;
    static final long MEASURED = 128L << 20;
    static final double MAX_MIB_PER_GIB = 64;

    MinaSocketEngine engine;
    MinaSocketEngine.OwnedSocketService sockets;

    @BeforeEach
    void start() {
        engine = new MinaSocketEngine(new EngineConfig(2, Duration.ofSeconds(10), HWM, LWM, 65507, 16, 4),
                SocketPolicy.ALLOW_ALL, AuditLog.NONE, HostResolver.JDK);
        sockets = engine.serviceFor(Owner.of(1, "test.bundle"));
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    /** Reads an 8-byte count N, sends N bytes, closes. */
    static void source(Socket s) {
        try (s) {
            long n = new DataInputStream(s.getInputStream()).readLong();
            OutputStream out = s.getOutputStream();
            byte[] b = new byte[64 * 1024];
            while (n > 0) {
                int k = (int) Math.min(b.length, n);
                out.write(b, 0, k);
                n -= k;
            }
        } catch (IOException e) {
            // the client went away: the test reports the short count
        }
    }

    /** Reads an 8-byte count N, reads N bytes, answers one byte. */
    static void sink(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            long n = new DataInputStream(in).readLong();
            byte[] b = new byte[64 * 1024];
            while (n > 0) {
                int k = in.read(b, 0, (int) Math.min(b.length, n));
                if (k < 0) {
                    return;
                }
                n -= k;
            }
            s.getOutputStream().write(1);
        } catch (IOException e) {
            // the client went away: it reports the missing answer
        }
    }

    interface Transfer {
        void run(long bytes) throws Exception;
    }

    /** Bytes allocated by the engine's threads and this one during {@code t}, in MiB per GiB moved. */
    static double mibPerGib(Transfer t) throws Exception {
        t.run(WARMUP);
        long before = allocated();
        t.run(MEASURED);
        long after = allocated();
        return (after - before) / 1048576.0 / (MEASURED / (double) (1L << 30));
    }

    static long allocated() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t == Thread.currentThread() || t.getName().startsWith("rawsockets-")) {
                long a = mx.getThreadAllocatedBytes(t.getId());
                sum += Math.max(0, a);
            }
        }
        return sum;
    }

    TcpSocket open(Peers.Server peer) throws Exception {
        TcpSocket s = sockets.openTcp("127.0.0.1", peer.port(), TcpSocketOptions.builder().noDelay(true).build());
        s.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
        return s;
    }

    static void close(TcpSocket s) throws Exception {
        s.close().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    void check(String what, double mibPerGib) throws InterruptedException {
        System.out.printf("%s: %.1f MiB allocated per GiB%n", what, mibPerGib);
        assertTrue(mibPerGib <= MAX_MIB_PER_GIB, what + " allocated " + String.format("%.1f", mibPerGib)
                + " MiB per GiB moved, more than " + MAX_MIB_PER_GIB);
        // every pooled buffer came back, except the one each I/O thread reads into next
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (engine.chunks().out() > 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(engine.chunks().out() <= 2, what + ": " + engine.chunks().out() + " pooled buffers still out");
        assertTrue(engine.chunks().allocated() <= 64, what + ": " + engine.chunks().allocated()
                + " pooled buffers allocated, the pool does not reuse them");
    }

    @Test
    void readIntoDownload() throws Exception {
        try (Peers.Server peer = new Peers.Server(CopyPathAllocationTest::source)) {
            ByteBuffer dst = ByteBuffer.allocate(64 * 1024);
            check("readInto download", mibPerGib(bytes -> {
                TcpSocket s = open(peer);
                s.writable().write(ByteBuffer.allocate(8).putLong(0, bytes)).toCompletableFuture().get(20, TimeUnit.SECONDS);
                long got = 0;
                while (true) {
                    dst.clear();
                    int n = s.readable().readInto(dst).toCompletableFuture().get(20, TimeUnit.SECONDS);
                    if (n < 0) {
                        break;
                    }
                    got += n;
                }
                assertEquals(bytes, got);
                close(s);
            }));
        }
    }

    @Test
    void inputStreamDownload() throws Exception {
        try (Peers.Server peer = new Peers.Server(CopyPathAllocationTest::source)) {
            byte[] b = new byte[64 * 1024];
            check("InputStream download", mibPerGib(bytes -> {
                TcpSocket s = open(peer);
                s.writable().write(ByteBuffer.allocate(8).putLong(0, bytes)).toCompletableFuture().get(20, TimeUnit.SECONDS);
                InputStream in = s.readable().inputStream(Duration.ofSeconds(20));
                long got = 0;
                for (int n; (n = in.read(b)) >= 0;) {
                    got += n;
                }
                assertEquals(bytes, got);
                close(s);
            }));
        }
    }

    @Test
    void outputStreamUpload() throws Exception {
        try (Peers.Server peer = new Peers.Server(CopyPathAllocationTest::sink)) {
            byte[] b = new byte[64 * 1024];
            check("OutputStream upload", mibPerGib(bytes -> {
                TcpSocket s = open(peer);
                OutputStream out = s.writable().outputStream(Duration.ofSeconds(20));
                InputStream in = s.readable().inputStream(Duration.ofSeconds(20));
                new DataOutputStream(out).writeLong(bytes);
                for (long left = bytes; left > 0; left -= b.length) {
                    out.write(b, 0, (int) Math.min(b.length, left));
                }
                assertEquals(1, in.read());
                close(s);
            }));
        }
    }

    @Test
    void socketViewBothDirections() throws Exception {
        byte[] b = new byte[64 * 1024];
        try (Peers.Server source = new Peers.Server(CopyPathAllocationTest::source)) {
            check("Socket view download", mibPerGib(bytes -> {
                try (Socket s = sockets.socketFactory().createSocket("127.0.0.1", source.port())) {
                    new DataOutputStream(s.getOutputStream()).writeLong(bytes);
                    InputStream in = s.getInputStream();
                    long got = 0;
                    for (int n; (n = in.read(b)) >= 0;) {
                        got += n;
                    }
                    assertEquals(bytes, got);
                }
            }));
        }
        try (Peers.Server sink = new Peers.Server(CopyPathAllocationTest::sink)) {
            check("Socket view upload", mibPerGib(bytes -> {
                try (Socket s = sockets.socketFactory().createSocket("127.0.0.1", sink.port())) {
                    OutputStream out = s.getOutputStream();
                    new DataOutputStream(out).writeLong(bytes);
                    for (long left = bytes; left > 0; left -= b.length) {
                        out.write(b, 0, (int) Math.min(b.length, left));
                    }
                    assertEquals(1, s.getInputStream().read());
                }
            }));
        }
    }
}
