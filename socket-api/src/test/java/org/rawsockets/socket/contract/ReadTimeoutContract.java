package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;
import static org.rawsockets.socket.contract.Stages.awaitFailure;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TimedOutException;

/**
 * Read time limits ({@code readInto(dst, minBytes, timeout)}, {@code read(timeout)}): a read that
 * waits too long fails with {@link TimedOutException} (or completes short with the bytes it has),
 * the stream stays usable and no byte is lost; and the idle limit
 * ({@link TcpSocketOptions#idleTimeout()}) that closes a socket on which nothing moves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ReadTimeoutContract extends ContractSupport {

    private static final Duration LIMIT = Duration.ofMillis(200);

    private Socket peer;

    private TcpSocket connect(TcpSocketOptions options) throws Exception {
        JdkServer server = jdkServer();
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(), options);
        await(socket.opened(), "open");
        peer = server.accept();
        return socket;
    }

    private void peerWrite(String s) throws IOException {
        peer.getOutputStream().write(s.getBytes(StandardCharsets.US_ASCII));
        peer.getOutputStream().flush();
    }

    /**
     * A readInto that receives nothing within its limit fails with TimedOutException, not early;
     * its buffer is never written after; the next read gets the bytes that came later.
     */
    @Test
    void aTimedOutReadIntoLeavesTheStreamUsable() throws Exception {
        TcpSocket socket = connect(TcpSocketOptions.defaults());
        ByteBuffer dst = ByteBuffer.allocate(16);
        Arrays.fill(dst.array(), (byte) '#');
        long start = System.nanoTime();
        CompletionStage<Integer> r = socket.readable().readInto(dst, 1, LIMIT);
        TimedOutException e = awaitFailure(r, TimedOutException.class, "readInto with a 200 ms limit, peer silent");
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= LIMIT.toMillis(), "timed out after " + waited + " ms, before its 200 ms limit");
        assertTrue(e.getMessage().contains("200 ms"), "the message names the limit: " + e.getMessage());

        peerWrite("abc");
        ByteBuffer next = ByteBuffer.allocate(16);
        assertEquals(3, await(socket.readable().readInto(next, 3, Duration.ofSeconds(10)), "the next readInto"));
        assertEquals("abc", new String(next.array(), 0, 3, StandardCharsets.US_ASCII));
        assertEquals(0, dst.position(), "the timed-out read's dst position moved");
        byte[] hashes = new byte[16];
        Arrays.fill(hashes, (byte) '#');
        assertArrayEquals(hashes, dst.array(), "the timed-out read's dst was written");
        assertThrows(IllegalArgumentException.class,
                () -> socket.readable().readInto(ByteBuffer.allocate(4), 1, Duration.ZERO), "a zero limit");
    }

    /** A readInto that has some bytes but fewer than minBytes at its limit completes short with them. */
    @Test
    void aTimedOutReadIntoWithSomeBytesCompletesShortAndLosesNothing() throws Exception {
        TcpSocket socket = connect(TcpSocketOptions.defaults());
        ByteBuffer dst = ByteBuffer.allocate(10);
        CompletionStage<Integer> r = socket.readable().readInto(dst, 10, Duration.ofMillis(500));
        peerWrite("xyz");
        assertEquals(3, await(r, "readInto(dst, 10, 500 ms) with 3 bytes sent"), "a short count at the limit");
        assertEquals("xyz", new String(dst.array(), 0, 3, StandardCharsets.US_ASCII));
        peerWrite("0123456789");
        ByteBuffer next = ByteBuffer.allocate(10);
        assertEquals(10, await(socket.readable().readInto(next, 10, Duration.ofSeconds(10)), "the next readInto"));
        assertEquals("0123456789", new String(next.array(), StandardCharsets.US_ASCII));
    }

    /** read(timeout) fails with TimedOutException when nothing comes; the chunk that comes later is not lost. */
    @Test
    void aTimedOutReadLeavesTheStreamUsable() throws Exception {
        TcpSocket socket = connect(TcpSocketOptions.defaults());
        awaitFailure(socket.readable().read(LIMIT), TimedOutException.class, "read(200 ms), peer silent");
        awaitFailure(socket.readable().read(LIMIT), TimedOutException.class, "read(200 ms) again, peer silent");
        peerWrite("hello");
        StringBuilder got = new StringBuilder();
        while (got.length() < 5) {
            ReadResult<ByteBuffer> r = await(socket.readable().read(Duration.ofSeconds(10)), "read after the timeouts");
            assertFalse(r.done(), "end of stream after " + got);
            got.append(StandardCharsets.US_ASCII.decode(r.value()));
        }
        assertEquals("hello", got.toString());
    }

    /**
     * With an idle limit, a socket on which no byte moves is closed: a pending read and closed()
     * fail with TimedOutException naming the limit.
     */
    @Test
    void anIdleSocketIsClosedWithTimedOutException() throws Exception {
        TcpSocket socket = connect(TcpSocketOptions.builder().idleTimeout(Duration.ofMillis(300)).build());
        CompletionStage<Integer> pending = socket.readable().readInto(ByteBuffer.allocate(8));
        TimedOutException e = awaitFailure(socket.closed(), TimedOutException.class, "closed() of an idle socket");
        assertTrue(e.getMessage().contains("300 ms"), "the message names the limit: " + e.getMessage());
        awaitFailure(pending, TimedOutException.class, "the read pending on an idle socket");
        assertEquals(-1, peer.getInputStream().read(), "the peer sees the connection closed");
    }

    /** Bytes moving in either direction keep a socket with an idle limit open. */
    @Test
    void trafficKeepsASocketWithAnIdleLimitOpen() throws Exception {
        TcpSocket socket = connect(TcpSocketOptions.builder().idleTimeout(Duration.ofMillis(400)).build());
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1600);
        boolean inbound = true;
        while (System.nanoTime() < until) {
            if (inbound) {
                peerWrite("x");
                ByteBuffer one = ByteBuffer.allocate(1);
                assertEquals(1, await(socket.readable().readInto(one), "a byte from the peer"));
            } else {
                await(socket.writable().write(new byte[] {'y'}), "a byte to the peer");
                assertEquals('y', peer.getInputStream().read());
            }
            inbound = !inbound;
            assertFalse(Stages.isDone(socket.closed()), "a socket with traffic every 100 ms was closed as idle");
            Thread.sleep(100);
        }
        awaitFailure(socket.closed(), TimedOutException.class, "closed() once the traffic stopped");
    }
}
