package org.rawsockets.socket.mina.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketState;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

class TcpEngineTest {

    static final int HWM = 64 * 1024;
    static final int LWM = 16 * 1024;

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

    static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    void echoRoundTripWithPullReads() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::echo)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            TcpOpenInfo info = await(s.opened());
            assertEquals(peer.port(), info.remoteAddress().getPort());
            assertEquals("127.0.0.1", info.remoteAddress().getAddress().getHostAddress());
            assertTrue(info.tls().isEmpty());
            await(s.writable().write("hello\n".getBytes(US_ASCII)));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (got.size() < 6) {
                ReadResult<ByteBuffer> r = await(s.readable().read());
                assertFalse(r.done());
                got.write(bytes(r.value()));
            }
            assertEquals("hello\n", got.toString(US_ASCII));
            assertEquals(1, sockets.sockets().size());
            assertEquals(SocketState.OPEN, sockets.sockets().get(0).state());
            assertEquals(6, s.info().bytesIn());
            assertEquals(6, s.info().bytesOut());
            await(s.close());
            await(s.closed());
            assertEquals(SocketState.CLOSED, s.info().state());
            assertTrue(sockets.sockets().isEmpty());
            await(s.close()); // idempotent
        }
    }

    @Test
    void halfCloseSendsFinAndReadsToTheEnd() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::echo)) {
            TcpSocket s = sockets.openTcp("localhost", peer.port(),
                    TcpSocketOptions.builder().allowHalfOpen(true).noDelay(true).build());
            byte[] data = new byte[1_000_000];
            new java.util.Random(1).nextBytes(data);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (InputStream in = s.readable().inputStream(Duration.ofSeconds(20))) {
                    return in.readAllBytes();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (OutputStream out = s.writable().outputStream(Duration.ofSeconds(20))) {
                for (int i = 0; i < data.length; i += 10_000) {
                    out.write(data, i, 10_000);
                }
            } // close = FIN; the echo peer then finishes too
            assertArrayEquals(data, received.get(30, TimeUnit.SECONDS));
            await(s.closed());
        }
    }

    @Test
    void readerThatStopsSuspendsNetworkReads() throws Exception {
        byte[] chunk = new byte[16 * 1024];
        try (Peers.Server peer = new Peers.Server(sock -> {
            try (OutputStream out = sock.getOutputStream()) {
                for (int i = 0; i < 4096; i++) { // 64 MiB offered; the socket must not take it all
                    out.write(chunk);
                }
            } catch (java.io.IOException e) {
                // closed by the test
            }
        })) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            TcpConnection c = conn(s);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!c.isReadSuspended() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(c.isReadSuspended(), "network reads were not suspended");
            long buffered = c.facade().rx.weight();
            assertTrue(buffered > HWM, "suspended only above the high-water mark, buffered " + buffered);
            assertTrue(buffered <= HWM + 65536, "buffered " + buffered + " exceeds high-water mark + one read");
            // reading drains and resumes; read 8 MiB more through it
            long total = 0;
            while (total < 8 * 1024 * 1024) {
                ReadResult<ByteBuffer> r = await(s.readable().read());
                total += r.value().remaining();
                assertTrue(c.facade().rx.weight() <= HWM + 65536);
            }
            s.writable().abort(new Exception("test done"));
            await(s.closed());
        }
    }

    @Test
    void writerToNonReadingPeerStalls() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::idle)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port(),
                    TcpSocketOptions.builder().sendBufferSize(32 * 1024).build());
            await(s.opened());
            Socket remote = peer.next();
            remote.setReceiveBufferSize(32 * 1024);
            byte[] chunk = new byte[8 * 1024];
            long written = 0;
            CompletableFuture<Void> last = null;
            boolean stalled = false;
            for (int i = 0; i < 10_000 && !stalled; i++) { // at most 80 MiB
                last = s.writable().write(chunk.clone()).toCompletableFuture();
                // a write that stays pending for 5 s while the peer does not read: stalled
                for (int wait = 0; wait < 5 && !last.isDone(); wait++) {
                    try {
                        last.get(1, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException notYet) {
                        stalled = wait == 4;
                    }
                }
                if (!stalled) {
                    written += chunk.length;
                }
            }
            assertTrue(stalled, "writes never stalled: " + written + " bytes accepted");
            assertFalse(last.isDone(), "writes never stalled: " + written + " bytes accepted");
            assertTrue(s.writable().queuedBytes() > LWM, "queued " + s.writable().queuedBytes());
            assertTrue(s.writable().queuedBytes() <= HWM + chunk.length);
            // the peer starts reading: the stalled write completes
            CompletableFuture.runAsync(() -> {
                try {
                    remote.getInputStream().readAllBytes();
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            last.get(20, TimeUnit.SECONDS);
            s.writable().abort(new Exception("done"));
            await(s.closed());
        }
    }

    @Test
    void peerResetFailsReadsAndClosed() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::idle)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            Socket remote = peer.next();
            CompletableFuture<ReadResult<ByteBuffer>> read = s.readable().read().toCompletableFuture();
            remote.setSoLinger(true, 0);
            remote.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(20, TimeUnit.SECONDS));
            assertInstanceOf(NetworkException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("127.0.0.1:" + peer.port()), e.getCause().getMessage());
            ExecutionException c = assertThrows(ExecutionException.class,
                    () -> s.closed().toCompletableFuture().get(20, TimeUnit.SECONDS));
            assertInstanceOf(NetworkException.class, c.getCause());
            assertEquals(SocketState.FAILED, s.info().state());
        }
    }

    @Test
    void peerFinEndsReadableAndClosesWithoutHalfOpen() throws Exception {
        try (Peers.Server peer = new Peers.Server(sock -> {
            try (sock) {
                sock.getOutputStream().write("bye".getBytes(US_ASCII));
                sock.shutdownOutput();
                sock.getInputStream().readAllBytes(); // until our FIN
            } catch (java.io.IOException e) {
                // ignore
            }
        })) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (true) {
                ReadResult<ByteBuffer> r = await(s.readable().read());
                if (r.done()) {
                    break;
                }
                got.write(bytes(r.value()));
            }
            assertEquals("bye", got.toString(US_ASCII));
            await(s.closed()); // without allowHalfOpen the socket closes by itself
            assertThrows(ExecutionException.class,
                    () -> s.writable().write(new byte[1]).toCompletableFuture().get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void refusedConnectionNamesDestination() throws Exception {
        int port;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        TcpSocket s = sockets.openTcp("127.0.0.1", port);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> s.opened().toCompletableFuture().get(20, TimeUnit.SECONDS));
        assertInstanceOf(NetworkException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("127.0.0.1:" + port), e.getCause().getMessage());
        assertNotNull(e.getCause().getCause());
        assertThrows(ExecutionException.class, () -> s.closed().toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertTrue(sockets.sockets().isEmpty());
    }

    @Test
    void closingPendingSocketCancelsOpen() throws Exception {
        GatedResolver gated = new GatedResolver().close();
        try (MinaSocketEngine e2 = new MinaSocketEngine(EngineConfig.defaults(), SocketPolicy.ALLOW_ALL, AuditLog.NONE,
                gated); Peers.Server peer = new Peers.Server(Peers::idle)) {
            TcpSocket s = e2.serviceFor(Owner.of(2, "b")).openTcp("127.0.0.1", peer.port());
            gated.awaitHeld(1); // the open is pending in name resolution
            s.close();
            gated.open();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> s.opened().toCompletableFuture().get(20, TimeUnit.SECONDS));
            assertInstanceOf(SocketClosedException.class, e.getCause());
            await(s.closed());
        }
    }

    @Test
    void oneConsumptionStyle() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::echo)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            s.readable().read();
            assertThrows(IllegalStateException.class, () -> s.readable().read());
            assertThrows(IllegalStateException.class, () -> s.readable().publisher());
            assertThrows(IllegalStateException.class, () -> s.readable().inputStream(Duration.ofSeconds(1)));
            await(s.close());
        }
    }

    static TcpConnection conn(TcpSocket s) {
        return ((TcpConnection.Facade) s).connection();
    }
}
