package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Bytes.ascii;
import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TimedOutException;

/** The consumption styles of a TCP readable (pull, Flow.Publisher, InputStream) and the OutputStream. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class StreamsContract extends ContractSupport {

    private TcpSocket openEcho() {
        int port = socatTcpEcho();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        await(socket.opened(), "open");
        return socket;
    }

    @Test
    void readLocksTheStreamToPullStyle() {
        TcpSocket socket = openEcho();
        var pending = socket.readable().read();
        assertThrows(IllegalStateException.class, () -> socket.readable().read(), "a second outstanding read");
        assertThrows(IllegalStateException.class, () -> socket.readable().publisher(), "publisher() after read()");
        assertThrows(IllegalStateException.class, () -> socket.readable().inputStream(Duration.ofSeconds(1)),
                "inputStream() after read()");
        await(socket.writable().write(ascii("x")), "write");
        assertEquals("x", ascii(Bytes.toArray(await(pending, "pending read").value())));
    }

    @Test
    void publisherLocksTheStream() {
        TcpSocket socket = openEcho();
        socket.readable().publisher();
        assertThrows(IllegalStateException.class, () -> socket.readable().read(), "read() after publisher()");
        assertThrows(IllegalStateException.class, () -> socket.readable().inputStream(Duration.ofSeconds(1)),
                "inputStream() after publisher()");
    }

    @Test
    void inputStreamLocksTheStream() {
        TcpSocket socket = openEcho();
        socket.readable().inputStream(Duration.ofSeconds(1));
        assertThrows(IllegalStateException.class, () -> socket.readable().read(), "read() after inputStream()");
        assertThrows(IllegalStateException.class, () -> socket.readable().publisher(),
                "publisher() after inputStream()");
    }

    /**
     * How long a test watches for something that must NOT happen (a chunk beyond the demand). Each
     * use is paired with a positive control showing the event would have been seen.
     */
    static final Duration NO_MORE_WINDOW = Duration.ofSeconds(1);

    /** socat sends a 4 MiB file; the subscriber gets exactly as many chunks as it requested. */
    @Test
    void publisherHonoursRequestN(@TempDir Path tmp) throws Exception {
        byte[] payload = Bytes.random(4 * 1024 * 1024, 5);
        Path file = Files.write(tmp.resolve("p.bin"), payload);
        int port = peer("socat", "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr",
                "OPEN:" + file + ",rdonly").awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        await(socket.opened(), "open");

        LinkedBlockingQueue<ByteBuffer> items = new LinkedBlockingQueue<>();
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        AtomicInteger onNextCalls = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        socket.readable().publisher().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription.set(s);
                s.request(1);
            }

            @Override
            public void onNext(ByteBuffer item) {
                onNextCalls.incrementAndGet();
                items.add(item);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer first = items.poll(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(first != null, "the first requested chunk arrives");
        all.writeBytes(Bytes.toArray(first));
        // "Nothing beyond the demand arrives" can only be observed over a window. The queue is watched
        // (poll returns as soon as a chunk comes, so a violation fails at once, not after a sleep) for
        // NO_MORE_WINDOW: far longer than an implementation that ignored the demand would need to
        // push the next chunk of the 4 MiB that the peer has already sent (it arrives within
        // milliseconds once requested). Positive control: the request(2) below delivers promptly, so
        // data was available during the window.
        assertEquals(null, items.poll(NO_MORE_WINDOW.toMillis(), TimeUnit.MILLISECONDS), "no chunk beyond request(1)");
        assertEquals(1, onNextCalls.get(), "onNext calls with a demand of 1");
        subscription.get().request(2);
        for (int i = 0; i < 2; i++) {
            ByteBuffer b = items.poll(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(b != null, "chunk " + (i + 1) + " of 2 after request(2)");
            all.writeBytes(Bytes.toArray(b));
        }
        // The demand of 3 is used up: the same watched window, and the same positive control (one
        // more request(1) delivers promptly).
        assertEquals(null, items.poll(NO_MORE_WINDOW.toMillis(), TimeUnit.MILLISECONDS),
                "no chunk beyond request(1) + request(2)");
        assertEquals(3, onNextCalls.get(), "onNext calls with a demand of 3");
        subscription.get().request(1);
        ByteBuffer fourth = items.poll(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(fourth != null, "the chunk of one more request(1) arrives (data was there during the window)");
        all.writeBytes(Bytes.toArray(fourth));
        assertEquals(4, onNextCalls.get(), "onNext calls with a demand of 4");

        subscription.get().request(Long.MAX_VALUE);
        await(done, Duration.ofSeconds(60), "onComplete after the whole file");
        // the rest is queued in order
        for (ByteBuffer b; (b = items.poll()) != null;) {
            all.writeBytes(Bytes.toArray(b));
        }
        assertEquals(payload.length, all.size(), "bytes delivered through the publisher");
        MessageDigest d = Bytes.sha256();
        assertEquals(Bytes.hex(d.digest(payload)), Bytes.hex(Bytes.sha256().digest(all.toByteArray())));
    }

    /** A blocking read that waits past its limit throws TimedOutException and the stream stays usable. */
    @Test
    void inputStreamReadTimeoutLeavesTheStreamUsable() throws Exception {
        PeerProcess peer = socatTcpStdio();
        int port = peer.awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        await(socket.opened(), "open");
        InputStream in = socket.readable().inputStream(Duration.ofMillis(300));
        assertThrows(TimedOutException.class, in::read, "read with nothing sent");

        peer.stdin().write(ascii("abc"));
        peer.stdin().flush();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + PROMPT.toNanos();
        while (got.size() < 3 && System.nanoTime() < deadline) {
            try {
                byte[] buf = new byte[16];
                int n = in.read(buf);
                assertTrue(n > 0, "data before the end of the stream");
                got.write(buf, 0, n);
            } catch (TimedOutException slow) {
                // a loaded machine: the stream stays usable, try again
            }
        }
        assertEquals("abc", ascii(got.toByteArray()), "data after a timed-out read");
        peer.stdin().close();
        int end = 0;
        while (System.nanoTime() < deadline) {
            try {
                end = in.read();
                break;
            } catch (TimedOutException slow) {
                // retry
            }
        }
        assertEquals(-1, end, "end of stream after the peer's FIN");
    }

    /** The InputStream view throws the socket's error (a reset: NetworkException). */
    @Test
    void inputStreamThrowsTheSocketsError() throws Exception {
        JdkServer server = jdkServer();
        TcpSocket socket = service.openTcp("127.0.0.1", server.port());
        await(socket.opened(), "open");
        java.net.Socket peer = server.accept();
        peer.getOutputStream().write(ascii("ab"));
        peer.setSoLinger(true, 0);
        InputStream in = socket.readable().inputStream(PROMPT);
        assertEquals('a', in.read(), "data before the reset");
        peer.close(); // RST; the unread 'b' may be discarded by the reset
        IOException e = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 2; i++) {
                if (in.read() < 0) {
                    return;
                }
            }
        }, "reading past a reset");
        assertTrue(e instanceof org.rawsockets.socket.NetworkException, "the socket's error: " + e);
    }

    /** 16 MiB through the blocking views (OutputStream writer thread, InputStream reader) and socat's echo. */
    @Test
    void blockingViewsCarryBulkData() throws Exception {
        TcpSocket socket = openEcho();
        OutputStream out = socket.writable().outputStream(PROMPT);
        InputStream in = socket.readable().inputStream(PROMPT);
        int total = 16 * 1024 * 1024;
        int chunk = 8 * 1024;
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(48 * 1024); // see Bytes.windowedEcho
        MessageDigest sent = Bytes.sha256();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            byte[] block = Bytes.random(chunk, 99);
            try {
                for (int off = 0; off < total; off += chunk) {
                    if (!window.tryAcquire(chunk, PROMPT.toMillis(), TimeUnit.MILLISECONDS)) {
                        throw new AssertionError("no echo for " + PROMPT);
                    }
                    block[0] = (byte) (off / chunk);
                    sent.update(block);
                    out.write(block);
                }
                out.flush();
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        MessageDigest received = Bytes.sha256();
        byte[] buf = new byte[5000]; // deliberately not a multiple of the chunk size
        long got = 0;
        while (got < total) {
            int n = in.read(buf);
            assertTrue(n > 0, "end of stream after " + got + " bytes");
            received.update(buf, 0, n);
            got += n;
            window.release(n);
        }
        writer.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(Bytes.hex(sent.digest()), Bytes.hex(received.digest()), "sha-256 through the blocking views");
        out.close(); // FIN; socat's echo then ends too
        assertEquals(-1, in.read(), "end of stream after our FIN came back");
    }

    /** A blocking write to a peer that does not read throws TimedOutException after its limit. */
    @Test
    void outputStreamWriteTimesOutOnANonReadingPeer() throws Exception {
        JdkServer server = closeAfter(new JdkServer(16 * 1024));
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(),
                org.rawsockets.socket.TcpSocketOptions.builder().sendBufferSize(16 * 1024).build());
        await(socket.opened(), "open");
        server.accept(); // never reads
        OutputStream out = socket.writable().outputStream(Duration.ofMillis(500));
        byte[] block = new byte[64 * 1024];
        long written = 0;
        TimedOutException timeout = null;
        while (written < 256L * 1024 * 1024) {
            try {
                out.write(block);
                written += block.length;
            } catch (TimedOutException e) {
                timeout = e;
                break;
            }
        }
        assertTrue(timeout != null, "blocking writes never timed out although the peer reads nothing ("
                + written + " bytes)");
        assertTrue(timeout.getMessage() != null && !timeout.getMessage().isBlank(), "message");
    }

    /** OutputStream writes; close() sends FIN, which the peer ({@code wc -c}) answers. */
    @Test
    void outputStreamWritesAndHalfCloses() throws IOException {
        int port = peer("socat", "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr", "SYSTEM:wc -c")
                .awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        await(socket.opened(), "open");
        try (OutputStream out = socket.writable().outputStream(PROMPT)) {
            for (int i = 0; i < 100; i++) {
                out.write(new byte[1000]);
            }
            out.flush();
        }
        assertEquals("100000", ascii(Bytes.readToEnd(socket.readable(), 100)).trim());
    }

    /**
     * A blocking view used on an I/O thread would wait for the thread that has to make progress: the
     * API says implementations throw IllegalStateException instead. The read below is pending when
     * the callback is attached, so the callback runs on the I/O thread that completes it.
     */
    @Test
    void blockingViewOnAnIoThreadIsRefused() throws Exception {
        PeerProcess peer = socatTcpStdio();
        int port = peer.awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        await(socket.opened(), "open");
        var outcome = socket.readable().read().thenApply(r -> {
            try {
                OutputStream out = socket.writable().outputStream(Duration.ofSeconds(5));
                out.write(ascii("blocking write on an I/O thread"));
                out.flush();
                return "no exception on " + Thread.currentThread().getName();
            } catch (IllegalStateException expected) {
                return "IllegalStateException";
            } catch (IOException e) {
                return e.toString();
            }
        });
        peer.stdin().write(ascii("go"));
        peer.stdin().flush();
        assertEquals("IllegalStateException", await(outcome, "callback on the I/O thread"));
    }

    /** Without allowHalfOpen, a cancelled readable plus a closed writable close the socket (Direct Sockets). */
    @Test
    void cancelledReadableAndClosedWritableCloseTheSocket() {
        TcpSocket socket = openEcho();
        await(socket.readable().cancel(), "cancel the readable");
        await(socket.writable().close(), "close the writable");
        await(socket.closed(), "closed() once both directions are done");
    }

    /** The publisher serves one subscriber; a second one is told so through onError. */
    @Test
    void publisherHasASingleSubscriber() throws Exception {
        TcpSocket socket = openEcho();
        Flow.Publisher<ByteBuffer> publisher = socket.readable().publisher();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
            }

            @Override
            public void onNext(ByteBuffer item) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        CompletableFuture<Throwable> second = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
            }

            @Override
            public void onNext(ByteBuffer item) {
                second.complete(new AssertionError("the second subscriber got data"));
            }

            @Override
            public void onError(Throwable t) {
                second.complete(t);
            }

            @Override
            public void onComplete() {
                second.complete(new AssertionError("the second subscriber completed"));
            }
        });
        Throwable t = second.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(t instanceof IllegalStateException, "second subscriber's onError: " + t);
    }

    @Test
    void cancelEndsPendingReads() {
        TcpSocket socket = openEcho();
        var pending = socket.readable().read();
        await(socket.readable().cancel(), "cancel");
        assertTrue(await(pending, "pending read after cancel").done(), "a pending read sees the end after cancel");
        assertTrue(await(socket.readable().read(), "read after cancel").done(), "later reads see the end");
    }
}
