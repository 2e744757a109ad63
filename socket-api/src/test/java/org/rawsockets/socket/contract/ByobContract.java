package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.socket.TcpReadable;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * Bring-your-own-buffer reads ({@link TcpReadable#readInto(ByteBuffer, int)}): split and coalesced
 * input, {@code minBytes}, the end of the stream, the one-pending and reader-lock rules, the buffer
 * not written after the stage settled, backpressure, and no garbage per read in steady state. The
 * peer is a JDK socket: the tests decide when and in which pieces the peer writes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ByobContract extends ContractSupport {

    private static final int MIB = 1024 * 1024;
    private static final long SLACK = 256 * 1024;

    private Socket peer;

    private TcpSocket connect() throws Exception {
        JdkServer server = jdkServer();
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(), TcpSocketOptions.builder().build());
        await(socket.opened(), "open");
        peer = server.accept();
        return socket;
    }

    private void peerWrite(byte[] data) throws IOException {
        OutputStream out = peer.getOutputStream();
        out.write(data);
        out.flush();
    }

    /** Reads to the end of the stream with one reused buffer of {@code size}; returns the bytes. */
    private static byte[] readAllInto(TcpReadable readable, int size, int expected) {
        ByteBuffer dst = ByteBuffer.allocate(size);
        ByteBuffer all = ByteBuffer.allocate(expected + size);
        while (true) {
            dst.clear();
            int n = await(readable.readInto(dst), "readInto after " + all.position() + " bytes");
            if (n < 0) {
                break;
            }
            assertEquals(n, dst.position(), "the count is how far dst's position moved");
            assertTrue(n >= 1 && n <= size, "1 <= count <= dst.remaining(), was " + n);
            dst.flip();
            all.put(dst);
        }
        return Arrays.copyOf(all.array(), all.position());
    }

    /** The peer writes in many small pieces (1..97 bytes, flushed): every byte arrives in order. */
    @Test
    void splitInputArrivesIntactIntoTheCallersBuffer() throws Exception {
        TcpSocket socket = connect();
        peer.setTcpNoDelay(true);
        byte[] data = Bytes.random(200_000, 3);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Random r = new Random(5);
                for (int off = 0; off < data.length;) {
                    int n = Math.min(1 + r.nextInt(97), data.length - off);
                    peer.getOutputStream().write(data, off, n);
                    peer.getOutputStream().flush();
                    off += n;
                }
                peer.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] got = readAllInto(socket.readable(), 1000, data.length);
        writer.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertArrayEquals(data, got, "split input, read with a 1000-byte buffer");
    }

    /** The peer writes one big piece: read with a small buffer, it arrives intact over many reads. */
    @Test
    void coalescedInputArrivesIntactOverManyReads() throws Exception {
        TcpSocket socket = connect();
        byte[] data = Bytes.random(3 * MIB, 4);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                peerWrite(data);
                peer.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] got = readAllInto(socket.readable(), 777, data.length);
        writer.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertArrayEquals(data, got, "coalesced input, read with a 777-byte buffer");
    }

    /**
     * A read with {@code minBytes} waits until that many bytes were copied (bytes that arrived
     * before are kept in dst, not lost), and copies no more than dst has room for.
     */
    @Test
    void minBytesWaitsForThatManyBytes() throws Exception {
        TcpSocket socket = connect();
        ByteBuffer dst = ByteBuffer.allocate(20);
        CompletionStage<Integer> r = socket.readable().readInto(dst, 20);
        peerWrite(Bytes.ascii("0123456789"));
        assertTrue(Stages.stillPendingAfter(r, Duration.ofMillis(300)),
                "a readInto(dst, 20) completed with only 10 bytes sent");
        peerWrite(Bytes.ascii("abcdefghijklmno"));
        assertEquals(20, await(r, "readInto once 25 bytes were sent"));
        assertEquals("0123456789abcdefghij", new String(dst.array(), 0, 20, java.nio.charset.StandardCharsets.US_ASCII));
        ByteBuffer rest = ByteBuffer.allocate(64);
        assertEquals(5, await(socket.readable().readInto(rest, 5), "the 5 bytes beyond dst's room"));
        assertEquals("klmno", new String(rest.array(), 0, 5, java.nio.charset.StandardCharsets.US_ASCII));
        assertThrows(IllegalArgumentException.class, () -> socket.readable().readInto(ByteBuffer.allocate(4), 5),
                "minBytes beyond dst.remaining()");
        assertThrows(IllegalArgumentException.class, () -> socket.readable().readInto(ByteBuffer.allocate(4), 0),
                "minBytes 0");
        assertThrows(IllegalArgumentException.class,
                () -> socket.readable().readInto(ByteBuffer.allocate(4).asReadOnlyBuffer(), 1), "read-only dst");
    }

    /** At the end of the stream a read completes short, then with -1, and every later read with -1. */
    @Test
    void endOfStreamCompletesShortThenWithMinusOne() throws Exception {
        TcpSocket socket = connect();
        ByteBuffer dst = ByteBuffer.allocate(100);
        CompletionStage<Integer> r = socket.readable().readInto(dst, 50);
        peerWrite(Bytes.ascii("hello"));
        peer.shutdownOutput();
        assertEquals(5, await(r, "readInto(dst, 50) at the end of the stream after 5 bytes"));
        assertEquals(-1, await(socket.readable().readInto(dst), "readInto at the end of the stream"));
        assertEquals(-1, await(socket.readable().readInto(dst, 3), "readInto again at the end of the stream"));
        assertEquals(5, dst.position(), "dst is not touched by a read at the end of the stream");
    }

    /**
     * One read pending: a second readInto throws; the stream is locked to readInto (read(),
     * publisher() and inputStream() throw), and a stream read by read() refuses readInto.
     */
    @Test
    void oneReadPendingAndOneConsumptionStyle() throws Exception {
        TcpSocket socket = connect();
        CompletionStage<Integer> r = socket.readable().readInto(ByteBuffer.allocate(10));
        assertThrows(IllegalStateException.class, () -> socket.readable().readInto(ByteBuffer.allocate(10)),
                "a second readInto while one is pending");
        assertThrows(IllegalStateException.class, () -> socket.readable().read(), "read() on a readInto stream");
        assertThrows(IllegalStateException.class, () -> socket.readable().publisher(), "publisher() on a readInto stream");
        assertThrows(IllegalStateException.class, () -> socket.readable().inputStream(Duration.ofSeconds(1)),
                "inputStream() on a readInto stream");
        peerWrite(new byte[] {1, 2, 3});
        assertTrue(await(r, "the pending readInto") >= 1);

        TcpSocket other = connect();
        other.readable().read();
        assertThrows(IllegalStateException.class, () -> other.readable().readInto(ByteBuffer.allocate(10)),
                "readInto on a stream read by read()");
    }

    /**
     * After a cancel settled a pending read's stage, its buffer is never written: bytes the peer
     * sends later (and that reached the socket, as bytesIn tells) leave it as it was.
     */
    @Test
    void dstIsNotWrittenAfterCancel() throws Exception {
        TcpSocket socket = connect();
        ByteBuffer dst = ByteBuffer.allocate(64);
        CompletionStage<Integer> r = socket.readable().readInto(dst, 64);
        peerWrite(Bytes.ascii("abc"));
        Stages.eventually("the first 3 bytes copied into dst", PROMPT, () -> dst.position() == 3);
        await(socket.readable().cancel(), "cancel");
        assertEquals(3, await(r, "the pending read, settled by cancel with what it had"));
        byte[] before = dst.array().clone();
        int position = dst.position();
        // two more pieces: bytesIn counting the second one means the first was handled too
        peerWrite(Bytes.ascii("defghijk"));
        Stages.eventually("the next 8 bytes reached the socket", PROMPT, () -> socket.info().bytesIn() >= 11);
        peerWrite(Bytes.ascii("lmnop"));
        Stages.eventually("the last 5 bytes reached the socket", PROMPT, () -> socket.info().bytesIn() >= 16);
        assertArrayEquals(before, dst.array(), "dst written after its stage settled");
        assertEquals(position, dst.position(), "dst's position moved after its stage settled");
    }

    /**
     * A readInto reader that stops reading stops network reads: the peer's writes stall with the
     * socket holding at most its bound; once reading resumes every byte arrives intact.
     */
    @Test
    void aByobReaderThatStopsReadingStopsNetworkReads() throws Exception {
        TcpSocket socket;
        JdkServer server = jdkServer();
        socket = service.openTcp("127.0.0.1", server.port(), TcpSocketOptions.builder().receiveBufferSize(64 * 1024).build());
        await(socket.opened(), "open");
        peer = server.accept();
        ByteBuffer dst = ByteBuffer.allocate(64 * 1024);
        CompletionStage<Integer> first = socket.readable().readInto(dst); // lock to readInto, then stop

        int total = 64 * MIB;
        AtomicLong peerSent = new AtomicLong();
        MessageDigest sent = Bytes.sha256();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                byte[] block = Bytes.random(64 * 1024, 12);
                for (int i = 0; i < total / block.length; i++) {
                    block[0] = (byte) i;
                    sent.update(block);
                    peer.getOutputStream().write(block);
                    peerSent.addAndGet(block.length);
                }
                peer.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        MessageDigest received = Bytes.sha256();
        int n = await(first, "the first readInto");
        dst.flip();
        received.update(dst);
        long got = n;

        long stalledAt = BackpressureContract.awaitNoProgress(peerSent::get, "the peer's sending");
        long buffered = socket.info().bytesIn() - got;
        System.out.printf("[contract] readInto reader stopped: peer stalled after %d bytes; unread %d (bound %d)%n",
                stalledAt, buffered, fixture.bufferBound());
        assertTrue(stalledAt < total, "the peer's writes must stall while nobody reads; it sent all " + stalledAt);
        assertTrue(buffered <= fixture.bufferBound() + SLACK, "unread bytes stay under the bound ("
                + fixture.bufferBound() + " + " + SLACK + "): " + buffered);

        while (true) {
            dst.clear();
            n = await(socket.readable().readInto(dst), "readInto after " + got + " bytes");
            if (n < 0) {
                break;
            }
            dst.flip();
            received.update(dst);
            got += n;
        }
        writer.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(total, got, "every byte arrives once reading resumes");
        assertEquals(Bytes.hex(sent.digest()), Bytes.hex(received.digest()), "sha-256");
    }

    /**
     * No garbage per read: in steady state, a reader that reuses its buffer allocates on its own
     * thread at most a small, fixed amount per read (the stage), well under 16 KiB per MiB read. The
     * figure for all threads is printed too (it includes the implementation's network reads).
     */
    @Test
    void steadyStateReadsAllocateAlmostNothing() throws Exception {
        TcpSocket socket = connect();
        long total = 256L * MIB;
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                byte[] block = Bytes.random(256 * 1024, 13);
                for (long sent = 0; sent < total; sent += block.length) {
                    peer.getOutputStream().write(block);
                }
                peer.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        ByteBuffer dst = ByteBuffer.allocate(64 * 1024);
        TcpReadable readable = socket.readable();
        long got = 0;
        long warmup = 32L * MIB;
        long startMine = 0;
        long startAll = 0;
        long measuredFrom = 0;
        while (true) {
            if (measuredFrom == 0 && got >= warmup) {
                measuredFrom = got;
                startMine = mx.getThreadAllocatedBytes(me);
                startAll = allThreadsAllocated(mx);
            }
            dst.clear();
            int n = readable.readInto(dst).toCompletableFuture().get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
            if (n < 0) {
                break;
            }
            got += n;
        }
        long mine = mx.getThreadAllocatedBytes(me) - startMine;
        long all = allThreadsAllocated(mx) - startAll;
        writer.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(total, got, "bytes read");
        double mib = (got - measuredFrom) / (double) MIB;
        System.out.printf("[contract] readInto steady state: %.0f B per MiB on the reading thread, %.0f B per MiB"
                + " on all threads (%.0f MiB read)%n", mine / mib, all / mib, mib);
        assertTrue(mine / mib < 16 * 1024, "the reading thread allocated " + (long) (mine / mib)
                + " bytes per MiB read with a reused buffer (bound 16 KiB per MiB)");
    }

    /**
     * {@link org.rawsockets.socket.FrameReader} over a real socket: lines and a length-prefixed
     * frame the peer sends one byte per segment, then the end of the stream on a frame boundary.
     */
    @Test
    void frameReaderOverTheSocket() throws Exception {
        TcpSocket socket = connect();
        peer.setTcpNoDelay(true);
        byte[] input = Bytes.ascii("220 ready\r\n250-one\r\n\u0000\u0004DATAtail\r\n");
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (byte b : input) {
                    peer.getOutputStream().write(b);
                    peer.getOutputStream().flush();
                }
                peer.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        org.rawsockets.socket.FrameReader frames = new org.rawsockets.socket.FrameReader(socket.readable(), 64,
                Duration.ofSeconds(10));
        byte[] crlf = org.rawsockets.socket.FrameReader.CRLF;
        assertEquals("220 ready", Bytes.ascii(await(frames.readUntil(crlf, 32), "line 1").value()));
        assertEquals("250-one", Bytes.ascii(await(frames.readUntil(crlf, 32), "line 2").value()));
        byte[] len = await(frames.readExactly(2), "length").value();
        assertEquals("DATA", Bytes.ascii(await(frames.readExactly(len[1]), "body").value()));
        assertEquals("tail", Bytes.ascii(await(frames.readUntil(crlf, 32), "line 3").value()));
        assertTrue(await(frames.readUntil(crlf, 32), "after the last line").done(), "end of stream");
        writer.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * {@link org.rawsockets.socket.FrameReader#readFrames} over a real socket: a multi-line message
     * (lines until the handler has one) the peer sends one byte per segment, a second one, then the
     * end of the stream (a null result).
     */
    @Test
    void frameReaderReadFramesOverTheSocket() throws Exception {
        TcpSocket socket = connect();
        peer.setTcpNoDelay(true);
        byte[] input = Bytes.ascii("250-one\r\n250-two\r\n250 three\r\n221 bye\r\n");
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (byte b : input) {
                    peer.getOutputStream().write(b);
                    peer.getOutputStream().flush();
                }
                peer.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        org.rawsockets.socket.FrameReader frames = new org.rawsockets.socket.FrameReader(socket.readable(), 64,
                Duration.ofSeconds(10));
        java.util.List<String> lines = new java.util.ArrayList<>();
        org.rawsockets.socket.FrameReader.FrameHandler<String> reply = line -> {
            lines.add(Bytes.ascii(line));
            return line[3] == '-' ? null : String.join("|", lines);
        };
        byte[] crlf = org.rawsockets.socket.FrameReader.CRLF;
        assertEquals("250-one|250-two|250 three", await(frames.readFrames(crlf, 32, reply), "first message"));
        lines.clear();
        assertEquals("221 bye", await(frames.readFrames(crlf, 32, reply), "second message"));
        CompletableFuture<String> end = frames.readFrames(crlf, 32, reply).toCompletableFuture();
        assertEquals(null, end.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS), "end of stream: null");
        writer.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static long allThreadsAllocated(com.sun.management.ThreadMXBean mx) {
        long sum = 0;
        for (long a : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            if (a > 0) {
                sum += a;
            }
        }
        return sum;
    }
}
