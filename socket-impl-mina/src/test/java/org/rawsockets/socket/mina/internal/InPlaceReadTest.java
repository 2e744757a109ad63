package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.rawsockets.socket.mina.internal.TcpEngineTest.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * A blocking view of a plain connection reads the channel on the reader's thread while the network
 * is ahead ({@link InPlaceReader}): the bytes stay in the peer's order across the switches between
 * the I/O thread's queue and the reads in place, the end, a reset, an interrupt, a cancel and
 * {@code available()} behave as on the I/O thread's path. Peers are blocking java.net sockets on
 * loopback writing a known sequence (byte i = i mod 251, so no chunk boundary lines up with it).
 */
class InPlaceReadTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    MinaSocketEngine engine;
    MinaSocketEngine.OwnedSocketService sockets;

    @BeforeEach
    void start() {
        engine = InPlaceWriteTest.oneIoThread();
        sockets = engine.serviceFor(Owner.of(1, "test.bundle"));
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    /** 64 MiB written in random sizes, read in random sizes: every byte in order, the end as -1, most of it in place. */
    @Test
    void aBulkDownloadIsReadInPlaceInThePeersOrder() throws Exception {
        long total = 64L << 20;
        try (Peers.Server peer = new Peers.Server(s -> writeSequence(s, 0, total, 7, true))) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            InputStream in = s.readable().inputStream(WAIT);
            long got = readSequence(in, 0, total, new SplittableRandom(11));
            assertEquals(total, got);
            assertEquals(-1, in.read(new byte[16]), "the end of the stream after the last byte");
            InPlaceReader r = inPlace(s);
            assertNotNull(r, "a plain connection's blocking view reads in place");
            assertTrue(r.inPlaceReads() > 0, "no read was done in place in 64 MiB");
            assertFalse(r.readerHolds(), "the channel went back to the I/O thread for the end of the stream");
            s.close();
            await(s.closed());
        }
    }

    /**
     * The peer writes in bursts with pauses: the reader catches up, hands the channel back, waits
     * for the I/O thread, and takes it again in the next burst; nothing lost, nothing reordered.
     */
    @Test
    void burstsWithPausesHandTheChannelBackAndForth() throws Exception {
        int bursts = 12;
        long burst = 4L << 20;
        CountDownLatch[] next = new CountDownLatch[bursts];
        for (int i = 0; i < bursts; i++) {
            next[i] = new CountDownLatch(1);
        }
        try (Peers.Server peer = new Peers.Server(s -> {
            for (int i = 0; i < bursts; i++) {
                writeSequence(s, i * burst, burst, 100 + i, false);
                try {
                    if (!next[i].await(20, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
            closeQuietly(s);
        })) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            InputStream in = s.readable().inputStream(WAIT);
            SplittableRandom rnd = new SplittableRandom(5);
            for (int i = 0; i < bursts; i++) {
                assertEquals(burst, readSequence(in, i * burst, burst, rnd));
                next[i].countDown(); // the reader waits for the next burst with nothing queued
            }
            assertEquals(-1, in.read());
            InPlaceReader r = inPlace(s);
            assertTrue(r.inPlaceReads() > 0, "no read in place");
            assertTrue(r.handBacks() > 0, "the channel was never handed back");
            assertEquals(InPlaceReader.FREE, r.owner(), "the end of the stream gave the channel back");
            s.close();
        }
    }

    /**
     * The I/O thread never makes a waiting reader the owner of the channel. A reader that found bytes
     * queued while the I/O thread was reading asked for the channel ({@code claim}); having copied them,
     * it found its queue empty, gave up waiting for that read to end (after a millisecond) and waited
     * for the I/O thread. Handing it the channel as that read ended left nobody reading: the I/O
     * thread read nothing more for a reader that held the channel, the reader waited for the I/O
     * thread, and the download stalled until its read timed out (seen once in a few socket bench
     * runs, in a fresh JVM). The I/O thread's side of that race is played here on the test thread
     * while the real one has nothing to read.
     */
    @Test
    void aReaderWaitingForTheIoThreadIsNeverMadeTheOwner() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch more = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        try (Peers.Server peer = new Peers.Server(p -> {
            try {
                OutputStream out = p.getOutputStream();
                if (!first.await(20, TimeUnit.SECONDS)) {
                    return;
                }
                out.write(1);
                out.flush();
                if (more.await(20, TimeUnit.SECONDS)) {
                    out.write(new byte[] { 2, 3, 4 });
                    out.flush();
                }
                done.await(20, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                // the test failed or ended
            } finally {
                closeQuietly(p);
            }
        })) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            InputStream in = s.readable().inputStream(Duration.ofSeconds(5));
            // the view makes its in-place reader at a read that finds nothing queued: the peer sends
            // the first byte only once that read is under way (sent at once, the I/O thread could
            // queue it first, and a read taking it from the queue makes no in-place reader)
            CompletableFuture<Integer> firstByte = new CompletableFuture<>();
            Thread firstReader = new Thread(() -> {
                try {
                    firstByte.complete(in.read());
                } catch (IOException | RuntimeException e) {
                    firstByte.completeExceptionally(e);
                }
            }, "first-reader");
            firstReader.start();
            long made = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (inPlace(s) == null) {
                assertTrue(System.nanoTime() < made, "the first read made no in-place reader");
                Thread.onSpinWait();
            }
            first.countDown();
            assertEquals(1, firstByte.get(10, TimeUnit.SECONDS), "the first byte");
            InPlaceReader r = inPlace(s);
            assertNotNull(r);
            org.apache.mina.core.session.IoSession session = ((TcpConnection.Facade) s).connection().session;
            int full = 64 * 1024;
            long idle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (r.owner() != InPlaceReader.FREE) { // the I/O thread ends its read of that byte
                assertTrue(System.nanoTime() < idle, "the I/O thread kept the channel: " + r.owner());
                Thread.onSpinWait();
            }
            assertTrue(r.ioBegin(session));
            r.ioEnd(full, full); // a read that filled its buffer: the network is ahead
            assertTrue(r.ioBegin(session)); // the I/O thread is inside its next read
            r.claim(); // the reader found bytes queued meanwhile

            CompletableFuture<Integer> read = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    read.complete(in.read(new byte[16]));
                } catch (IOException | RuntimeException e) {
                    read.completeExceptionally(e);
                }
            }, "waiting-reader");
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reader.getState() != Thread.State.TIMED_WAITING) { // waits for the I/O thread
                assertTrue(System.nanoTime() < deadline, "the reader did not go to wait: " + reader.getState());
                Thread.onSpinWait();
            }
            r.ioEnd(full, full); // that read ends, its buffer full

            assertEquals(InPlaceReader.FREE, r.owner(), "a waiting reader was made the owner: nobody reads");
            more.countDown();
            assertEquals(3, read.get(10, TimeUnit.SECONDS), "the I/O thread read the peer's next bytes");
            done.countDown();
            s.close();
            await(s.closed());
        }
    }

    /**
     * A read that waits for the network in place past its time limit gives the channel back to the
     * I/O thread and leaves the stream usable: what arrives later is read.
     */
    @Test
    void aTimedOutWaitGivesTheChannelBackAndTheStreamGoesOn() throws Exception {
        CountDownLatch more = new CountDownLatch(1);
        long bulk = 8L << 20;
        try (Peers.Server peer = new Peers.Server(s -> {
            writeSequence(s, 0, bulk, 12, false);
            try {
                if (more.await(20, TimeUnit.SECONDS)) {
                    writeSequence(s, bulk, 1000, 12, true);
                }
            } catch (InterruptedException e) {
                closeQuietly(s);
            }
        })) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            InputStream in = s.readable().inputStream(Duration.ofMillis(300));
            Held h = readUntilHeld(s, in, 1L << 20);
            assertEquals(bulk - h.pos(), readSequence(in, h.pos(), bulk - h.pos(), new SplittableRandom(8)));
            InPlaceReader r = h.reader();
            assertThrows(org.rawsockets.socket.TimedOutException.class, () -> in.read(new byte[100]));
            assertEquals(InPlaceReader.FREE, r.owner(), "the timed-out wait left the channel with the reader");
            more.countDown();
            InputStream patient = s.readable().inputStream(WAIT);
            assertEquals(1000, readSequence(patient, bulk, 1000, new SplittableRandom(9)));
            assertEquals(-1, patient.read());
            s.close();
        }
    }

    /** A reset while the reader holds the channel is the reset (a typed error), not the end of the stream. */
    @Test
    void aResetWhileTheReaderHoldsTheChannelIsAnError() throws Exception {
        CountDownLatch reset = new CountDownLatch(1);
        try (Peers.Server peer = new Peers.Server(s -> {
            writeSequence(s, 0, 16L << 20, 3, false);
            try {
                if (reset.await(20, TimeUnit.SECONDS)) {
                    s.setSoLinger(true, 0);
                }
            } catch (InterruptedException | IOException e) {
                // close below
            }
            closeQuietly(s);
        })) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            InputStream in = s.readable().inputStream(WAIT);
            assertTrue(readUntilHeld(s, in, 8L << 20).reader().readerHolds());
            reset.countDown();
            IOException e = assertThrows(IOException.class, () -> {
                byte[] b = new byte[64 * 1024];
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline) {
                    if (in.read(b) < 0) {
                        fail("the reset was reported as the end of the stream");
                    }
                }
                fail("no error within 20 s of the reset");
            });
            assertTrue(e instanceof NetworkException, "not a NetworkException: " + e);
            assertEquals(NetworkException.Reason.RESET, ((NetworkException) e).reason(), e.getMessage());
            await(s.closed().exceptionally(t -> null));
        }
    }

    /**
     * A non-blocking channel is not closed by an interrupt of the thread reading it: a reader
     * interrupted while reading in place keeps its interrupt, and the connection goes on.
     */
    @Test
    void anInterruptedReaderNeitherClosesTheSocketNorLosesItsInterrupt() throws Exception {
        long total = 32L << 20;
        try (Peers.Server peer = new Peers.Server(s -> writeSequence(s, 0, total, 9, true))) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            InputStream in = s.readable().inputStream(WAIT);
            SplittableRandom rnd = new SplittableRandom(2);
            long pos = 0;
            int interruptedReads = 0;
            while (pos < total) {
                byte[] b = new byte[1 + rnd.nextInt(128 * 1024)];
                boolean interrupt = rnd.nextInt(4) == 0;
                if (interrupt) {
                    Thread.currentThread().interrupt();
                }
                int n;
                try {
                    n = in.read(b);
                } catch (InterruptedIOException e) {
                    assertTrue(interrupt, "interrupted without an interrupt: " + e);
                    assertTrue(Thread.interrupted(), "the interrupt was cleared");
                    continue; // it had to wait: the usual path, the stream stays usable
                }
                if (interrupt) {
                    assertTrue(Thread.interrupted(), "the interrupt was cleared");
                    interruptedReads++;
                }
                assertTrue(n > 0, "early end at " + pos);
                check(b, 0, n, pos);
                pos += n;
            }
            assertEquals(-1, in.read());
            assertTrue(interruptedReads > 0);
            assertTrue(inPlace(s).inPlaceReads() > 0, "no read in place");
            s.close();
            await(s.closed());
        }
    }

    /** Closing the view while the reader holds the channel gives it back: the peer's further bytes are taken and dropped. */
    @Test
    void closingTheViewWhileHoldingTheChannelLetsThePeerFinish() throws Exception {
        CompletableFuture<Void> peerDone = new CompletableFuture<>();
        try (Peers.Server peer = new Peers.Server(s -> {
            writeSequence(s, 0, 48L << 20, 1, false);
            peerDone.complete(null);
        })) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            InputStream in = s.readable().inputStream(WAIT);
            InPlaceReader r = readUntilHeld(s, in, 4L << 20).reader();
            in.close();
            assertFalse(r.readerHolds(), "cancel gave the channel back");
            // 48 MiB cannot sit in the kernel's buffers: the peer finishes only if the I/O thread reads on
            peerDone.get(20, TimeUnit.SECONDS);
            s.close();
        }
    }

    /** available() gives the channel back: a caller polling it sees the bytes that arrive while it polls. */
    @Test
    void availableGivesTheChannelBackToThePoller() throws Exception {
        CountDownLatch more = new CountDownLatch(1);
        try (Peers.Server peer = new Peers.Server(s -> {
            writeSequence(s, 0, 8L << 20, 4, false);
            try {
                if (more.await(20, TimeUnit.SECONDS)) {
                    writeSequence(s, 8L << 20, 1000, 4, false);
                }
            } catch (InterruptedException e) {
                return;
            }
        })) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            InputStream in = s.readable().inputStream(WAIT);
            Held h = readUntilHeld(s, in, 2L << 20);
            InPlaceReader r = h.reader();
            long pos = h.pos();
            // read the first 8 MiB to its end; the reader holds the channel or waits for the I/O thread
            pos += readSequence(in, pos, (8L << 20) - pos, new SplittableRandom(3));
            more.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (in.available() < 1000) {
                assertFalse(r.readerHolds(), "available() left the channel with the reader");
                if (System.nanoTime() > deadline) {
                    fail("available() stayed at " + in.available() + " for 20 s after the peer wrote 1000 bytes");
                }
                Thread.onSpinWait();
            }
            assertEquals(1000, readSequence(in, pos, 1000, new SplittableRandom(3)));
            s.close();
        }
    }

    /**
     * A STARTTLS connection (as the java.net.Socket view opens them) is read in place until the
     * upgrade; the upgrade takes the channel back and the TLS streams work.
     */
    @Test
    void aStartTlsConnectionIsReadInPlaceUntilItsUpgrade() throws Exception {
        javax.net.ssl.SSLContext ctx = TestPki.get().serverContext();
        long total = 16L << 20;
        try (Peers.Server peer = new Peers.Server(s -> {
            try {
                writeSequence(s, 0, total, 21, false);
                s.getOutputStream().write("GO\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket(s,
                        "localhost", s.getPort(), false);
                tls.setUseClientMode(false);
                tls.startHandshake();
                TlsEngineTest.echoLines(tls.getInputStream(), tls.getOutputStream());
            } catch (IOException e) {
                closeQuietly(s);
            }
        })) {
            TcpSocket plain = sockets.openTcp("localhost", peer.port(), startTls());
            await(plain.opened());
            InputStream in = plain.readable().inputStream(WAIT);
            assertEquals(total, readSequence(in, 0, total, new SplittableRandom(4)));
            byte[] go = in.readNBytes(3);
            assertEquals("GO\n", new String(go, java.nio.charset.StandardCharsets.US_ASCII));
            InPlaceReader r = inPlace(plain);
            assertTrue(r.inPlaceReads() > 0, "no read in place before the upgrade");
            TcpSocket tls = plain.startTls();
            assertFalse(r.readerHolds(), "the upgrade took the channel back");
            await(tls.opened());
            await(tls.writable().write("secret\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            assertEquals("echo secret\n", TlsEngineTest.readLine(tls));
            tls.close();
            await(tls.closed());
        }
    }

    /**
     * Plain text the kernel holds while the reader holds the channel counts as unread for the
     * upgrade (CVE-2011-0411): startTls() refuses, and the plain stream goes on in the peer's order.
     */
    @Test
    void bytesLeftInTheKernelByTheReaderRefuseTheUpgrade() throws Exception {
        long total = 24L << 20;
        try (Peers.Server peer = new Peers.Server(s -> writeSequence(s, 0, total, 22, true))) {
            TcpSocket plain = sockets.openTcp("localhost", peer.port(), startTls());
            await(plain.opened());
            InputStream in = plain.readable().inputStream(WAIT);
            Held h = readUntilHeld(plain, in, 1L << 20); // the peer is still writing: the kernel holds bytes
            // the engine's only I/O thread is held by another socket: only the upgrade's own read can
            // see the bytes the reader left in the kernel
            IllegalStateException e;
            try (Peers.Server other = new Peers.Server(Peers::idle)) {
                TcpSocket o = sockets.openTcp("127.0.0.1", other.port());
                await(o.opened());
                CountDownLatch release = InPlaceWriteTest.blockIoThread(o, other.next());
                try {
                    e = assertThrows(IllegalStateException.class, plain::startTls);
                } finally {
                    release.countDown();
                }
                o.close();
            }
            assertTrue(e.getMessage().contains("still unread"), e.getMessage());
            assertFalse(h.reader().readerHolds(), "the refused upgrade still ended reading in place");
            assertEquals(total - h.pos(), readSequence(in, h.pos(), total - h.pos(), new SplittableRandom(6)));
            assertEquals(-1, in.read());
            plain.close();
        }
    }

    private static org.rawsockets.socket.TcpSocketOptions startTls() throws Exception {
        return org.rawsockets.socket.TcpSocketOptions.builder().tls(org.rawsockets.socket.TlsOptions.builder()
                .mode(org.rawsockets.socket.TlsMode.STARTTLS).trustedCertificatesPem(TestPki.get().caPem).build())
                .build();
    }

    /** {@code -Drawsockets.readInPlace=false}: every byte comes through the I/O thread, as before. */
    @Test
    void theSwitchLeavesEveryReadToTheIoThread() throws Exception {
        MinaSocketEngine handOff = InPlaceWriteTest.startedWith("rawsockets.readInPlace", "false", InPlaceWriteTest::oneIoThread);
        long total = 16L << 20;
        try (handOff; Peers.Server peer = new Peers.Server(s -> writeSequence(s, 0, total, 8, true))) {
            TcpSocket s = handOff.serviceFor(Owner.of(1, "test.bundle")).openTcp("127.0.0.1", peer.port());
            await(s.opened());
            InputStream in = s.readable().inputStream(WAIT);
            assertEquals(total, readSequence(in, 0, total, new SplittableRandom(1)));
            assertEquals(-1, in.read());
            assertNull(inPlace(s), "read in place although switched off");
        }
    }

    // ------------------------------------------------------------------------------------------

    private static InPlaceReader inPlace(TcpSocket s) {
        return ((TcpConnection.Facade) s).rx.inPlace();
    }

    /** Where a reader stopped: the in-place reader (holding the channel) and the bytes read. */
    private record Held(InPlaceReader reader, long pos) {
    }

    /**
     * Reads the sequence from 0 until the reader holds the channel after at least {@code atLeast}
     * bytes (at most 20 s, at most 4 MiB beyond), then stops reading.
     */
    private static Held readUntilHeld(TcpSocket s, InputStream in, long atLeast) throws IOException {
        byte[] b = new byte[64 * 1024];
        long pos = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        BooleanSupplier held = () -> inPlace(s) != null && inPlace(s).readerHolds();
        while (pos < atLeast || !held.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("the reader did not hold the channel within 20 s (" + pos + " bytes read)");
            }
            if (pos > atLeast + (4L << 20)) {
                fail("read 4 MiB past " + atLeast + " without holding the channel");
            }
            int n = in.read(b, 0, (int) Math.min(b.length, atLeast > pos ? atLeast - pos : b.length));
            assertTrue(n > 0, "early end at " + pos);
            check(b, 0, n, pos);
            pos += n;
        }
        return new Held(inPlace(s), pos);
    }

    /** Writes bytes {@code from .. from+count} of the sequence in random sizes; closes if asked. */
    static void writeSequence(Socket s, long from, long count, long seed, boolean close) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] b = new byte[256 * 1024];
        try {
            OutputStream out = s.getOutputStream();
            long pos = from;
            long end = from + count;
            while (pos < end) {
                int n = (int) Math.min(end - pos, 1 + rnd.nextInt(b.length));
                for (int i = 0; i < n; i++) {
                    b[i] = (byte) ((pos + i) % 251);
                }
                out.write(b, 0, n);
                pos += n;
            }
            out.flush();
        } catch (IOException e) {
            return; // the client closed: the test tells
        }
        if (close) {
            closeQuietly(s);
        }
    }

    /** Reads {@code count} bytes of the sequence from {@code from} in random sizes, checking each; returns the count. */
    private static long readSequence(InputStream in, long from, long count, SplittableRandom rnd) throws IOException {
        byte[] b = new byte[160 * 1024];
        long pos = from;
        long end = from + count;
        while (pos < end) {
            int len = (int) Math.min(end - pos, 1 + rnd.nextInt(b.length));
            int n = in.read(b, 0, len);
            if (n < 0) {
                fail("the stream ended at " + pos + ", expected " + end);
            }
            check(b, 0, n, pos);
            pos += n;
        }
        return pos - from;
    }

    private static void check(byte[] b, int off, int n, long pos) {
        for (int i = 0; i < n; i++) {
            if (b[off + i] != (byte) ((pos + i) % 251)) {
                fail("byte " + (pos + i) + " is " + b[off + i] + ", expected " + (byte) ((pos + i) % 251)
                        + ": out of order or lost");
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closed already
        }
    }
}
