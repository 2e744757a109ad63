package org.rawsockets.socket.mina.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.mina.internal.TcpEngineTest.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * Plain-text writes to a socket with nothing else on its way out go to the channel on the caller's
 * thread; the rest through MINA, in order.
 */
class InPlaceWriteTest {

    MinaSocketEngine engine;
    MinaSocketEngine.OwnedSocketService sockets;

    @BeforeEach
    void start() {
        // one I/O thread: blocking it blocks every MINA write
        engine = oneIoThread();
        sockets = engine.serviceFor(Owner.of(1, "test.bundle"));
    }

    /** An engine with one I/O thread (64 KiB / 16 KiB receive marks), allowing everything; the system properties are read now. */
    static MinaSocketEngine oneIoThread() {
        return new MinaSocketEngine(new EngineConfig(1, Duration.ofSeconds(10), 64 * 1024, 16 * 1024, 65507, 16, 4),
                SocketPolicy.ALLOW_ALL, AuditLog.NONE, HostResolver.JDK);
    }

    /** An engine made while system property {@code key} is {@code value} (an engine reads its switches when it starts). */
    static MinaSocketEngine startedWith(String key, String value, java.util.function.Supplier<MinaSocketEngine> make) {
        System.setProperty(key, value);
        try {
            return make.get();
        } finally {
            System.clearProperty(key);
        }
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    /** Without the in-place path the write waits for the I/O thread, which is busy: nothing arrives. */
    @Test
    void aWriteReachesThePeerWhileTheIoThreadIsBusy() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::idle)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            Socket far = peer.next();
            pingArrivesWhileTheIoThreadIsBusy(s, far);
            far.close();
        }
    }

    /** With the only I/O thread blocked ({@link #blockIoThread}), a write of "ping" to {@code far} arrives and completes. */
    static void pingArrivesWhileTheIoThreadIsBusy(TcpSocket s, Socket far) throws Exception {
        far.setSoTimeout(10_000);
        CountDownLatch release = blockIoThread(s, far);
        try {
            CompletableFuture<Void> w = s.writable().write("ping".getBytes(US_ASCII)).toCompletableFuture();
            byte[] got = new byte[4];
            new DataInputStream(far.getInputStream()).readFully(got); // 10 s SO_TIMEOUT
            assertEquals("ping", new String(got, US_ASCII));
            w.get(10, TimeUnit.SECONDS);
            assertEquals(0, s.writable().queuedBytes());
        } finally {
            release.countDown();
        }
    }

    /** {@code -Drawsockets.writeInPlace=false}: every write waits for the I/O thread, as before. */
    @Test
    void theSwitchHandsEveryWriteToTheIoThread() throws Exception {
        MinaSocketEngine handOff = startedWith("rawsockets.writeInPlace", "false", InPlaceWriteTest::oneIoThread);
        try (handOff; Peers.Server peer = new Peers.Server(Peers::idle)) {
            TcpSocket s = handOff.serviceFor(Owner.of(1, "test.bundle")).openTcp("127.0.0.1", peer.port());
            await(s.opened());
            Socket far = peer.next();
            pingWaitsForTheBusyIoThread(s, far);
            far.close();
        }
    }

    /** With the only I/O thread blocked, "ping" reaches {@code far} only once the thread is released. */
    static void pingWaitsForTheBusyIoThread(TcpSocket s, Socket far) throws Exception {
        far.setSoTimeout(10_000);
        CountDownLatch release = blockIoThread(s, far);
        byte[] got = new byte[4];
        try {
            s.writable().write("ping".getBytes(US_ASCII));
            far.setSoTimeout(500); // the I/O thread is held until release: nothing can arrive before
            assertThrows(SocketTimeoutException.class, () -> far.getInputStream().read(got));
        } finally {
            release.countDown();
        }
        far.setSoTimeout(10_000);
        new DataInputStream(far.getInputStream()).readFully(got);
        assertEquals("ping", new String(got, US_ASCII));
    }

    /**
     * Blocks the engine's I/O thread (the only one) in a read callback: the peer sends a byte, the
     * read's dependent waits until the returned latch is released (at most 20 s).
     */
    static CountDownLatch blockIoThread(TcpSocket s, Socket far) throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> ioThread = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean onIoThread = new java.util.concurrent.atomic.AtomicBoolean();
        s.readable().read().thenRun(() -> { // completed by the I/O thread when the byte arrives
            ioThread.set(Thread.currentThread().getName());
            onIoThread.set(IoThreads.isIoThread());
            blocked.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        far.getOutputStream().write('x');
        if (!blocked.await(10, TimeUnit.SECONDS)) {
            release.countDown();
            throw new AssertionError("the read did not complete");
        }
        if (!onIoThread.get()) {
            release.countDown();
            throw new AssertionError("completed on " + ioThread.get() + ", not on the I/O thread: the test would not block it");
        }
        return release;
    }

    /** A non-blocking channel is not closed by an interrupt of the thread writing on it. */
    @Test
    void anInterruptedWriterNeitherClosesTheSocketNorLosesItsInterrupt() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::echo)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            Thread.currentThread().interrupt();
            CompletableFuture<Void> w;
            try {
                w = s.writable().write("abc".getBytes(US_ASCII)).toCompletableFuture();
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt was cleared");
            } finally {
                Thread.interrupted();
            }
            w.get(10, TimeUnit.SECONDS);
            await(s.writable().write("def".getBytes(US_ASCII)));
            ByteBuffer got = ByteBuffer.allocate(6);
            while (got.hasRemaining()) {
                assertTrue(await(s.readable().readInto(got)) > 0, "the echo ended early");
            }
            assertEquals("abcdef", new String(got.array(), US_ASCII));
        }
    }

    /**
     * Four writers, frames of 1 B to 200 KB (heap, direct, over and under the in-place limit) to a
     * peer with a small receive buffer that reads slowly, so writes go in place, partly in place and
     * through MINA in turn: every frame arrives whole, each writer's in its order.
     */
    @Test
    void framesOfConcurrentWritersArriveWholeAndInOrder() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(8 * 1024);
            server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            TcpSocket s = sockets.openTcp("127.0.0.1", server.getLocalPort());
            await(s.opened());
            server.setSoTimeout(10_000);
            try (Socket far = server.accept()) {
                concurrentFramesArriveWholeAndInOrder(s, far);
            }
        }
    }

    /** The check of {@link #framesOfConcurrentWritersArriveWholeAndInOrder} on an open socket ({@code far}: its peer). */
    static void concurrentFramesArriveWholeAndInOrder(TcpSocket s, Socket far) throws Exception {
        int writers = 4;
        int frames = 300;
        far.setSoTimeout(20_000);
        CompletableFuture<String> checked = CompletableFuture.supplyAsync(() -> check(far, writers, frames));
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        for (int t = 0; t < writers; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                SplittableRandom r = new SplittableRandom(id);
                List<CompletableFuture<Void>> ws = new ArrayList<>();
                for (int seq = 0; seq < frames; seq++) {
                    int len = r.nextInt(8) == 0 ? r.nextInt(200_000) : r.nextInt(2_000);
                    ByteBuffer f = r.nextBoolean() ? ByteBuffer.allocate(9 + len)
                            : ByteBuffer.allocateDirect(9 + len);
                    f.put((byte) id).putInt(seq).putInt(len);
                    for (int i = 0; i < len; i++) {
                        f.put(fill(id, seq, i));
                    }
                    ws.add(s.writable().write(f.flip()).toCompletableFuture());
                    if (ws.size() > 8) { // a bounded number in flight per writer
                        try {
                            ws.remove(0).get(20, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            failed.compareAndSet(null, e);
                            return;
                        }
                    }
                }
                try {
                    CompletableFuture.allOf(ws.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    failed.compareAndSet(null, e);
                }
            }, "writer-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(60_000);
            assertTrue(!th.isAlive(), th.getName() + " did not finish within 60 s");
        }
        if (failed.get() != null) {
            throw new AssertionError("a write failed", failed.get());
        }
        assertEquals("ok", checked.get(60, TimeUnit.SECONDS));
    }

    private static byte fill(int id, int seq, int i) {
        return (byte) (id * 31 + seq * 7 + i);
    }

    /** Reads every frame, in 1 KiB reads at first, and checks it; "ok" or what was wrong. */
    private static String check(Socket far, int writers, int frames) {
        try {
            DataInputStream in = new DataInputStream(new SlowStart(far.getInputStream()));
            int[] next = new int[writers];
            for (int n = 0; n < writers * frames; n++) {
                int id = in.readUnsignedByte();
                if (id >= writers) {
                    return "frame " + n + ": writer id " + id + " (frames interleaved)";
                }
                int seq = in.readInt();
                if (seq != next[id]) {
                    return "frame " + n + ": writer " + id + " seq " + seq + ", expected " + next[id];
                }
                next[id]++;
                int len = in.readInt();
                byte[] body = new byte[len];
                in.readFully(body);
                byte[] want = new byte[len];
                for (int i = 0; i < len; i++) {
                    want[i] = fill(id, seq, i);
                }
                assertArrayEquals(want, body, "writer " + id + " frame " + seq);
            }
            return "ok";
        } catch (IOException | AssertionError e) {
            return e.toString();
        }
    }

    /** Small reads for the first 2 MB: the writers meet a full channel often. */
    private static final class SlowStart extends InputStream {
        private final InputStream in;
        private long read;

        SlowStart(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            read += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, read < 2_000_000 ? Math.min(len, 1024) : len);
            read += Math.max(0, n);
            return n;
        }
    }
}
