package org.rawsockets.socket.mina.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.mina.internal.TcpEngineTest.await;

import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * TLS writes with nothing else of their connection on its way out: the records MINA's TLS handler
 * makes of them go to the channel on the caller's thread ({@link TlsWatch}); the rest through MINA,
 * in order. The peer is the JDK's TLS server.
 */
class TlsInPlaceWriteTest {

    TestPki pki;
    MinaSocketEngine engine;

    @BeforeEach
    void start() throws Exception {
        pki = TestPki.get();
        engine = InPlaceWriteTest.oneIoThread(); // one I/O thread: blocking it blocks every MINA write
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    /** Opens a TLS socket on {@code on} to {@code server} and returns it with the peer's side, handshaken. */
    private Pair open(MinaSocketEngine on, SSLServerSocket server) throws Exception {
        server.setSoTimeout(10_000);
        CompletableFuture<SSLSocket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                SSLSocket far = (SSLSocket) server.accept();
                far.setSoTimeout(10_000);
                far.startHandshake();
                return far;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        TcpSocket s = on.serviceFor(Owner.of(1, "test.bundle")).openTcp("127.0.0.1", server.getLocalPort(),
                TcpSocketOptions.builder().allowHalfOpen(true)
                        .tls(TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pki.caPem).build()).build());
        await(s.opened());
        return new Pair(s, accepted.get(20, TimeUnit.SECONDS));
    }

    private record Pair(TcpSocket s, SSLSocket far) {
    }

    private SSLServerSocket server() throws Exception {
        return (SSLServerSocket) pki.serverContext().getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
    }

    /** Through MINA, the write would wait for the I/O thread, which is busy: nothing would arrive. */
    @Test
    void aTlsWriteReachesThePeerWhileTheIoThreadIsBusy() throws Exception {
        try (SSLServerSocket server = server()) {
            Pair p = open(engine, server);
            try (SSLSocket far = p.far()) {
                InPlaceWriteTest.pingArrivesWhileTheIoThreadIsBusy(p.s(), far);
                // and after it, through the same TLS handler, both ways
                await(p.s().writable().write("pong".getBytes(US_ASCII)));
                byte[] got = new byte[4];
                new DataInputStream(far.getInputStream()).readFully(got);
                assertEquals("pong", new String(got, US_ASCII));
            }
        }
    }

    /**
     * Writes above the high-water mark complete when their records are written: here while the
     * records written in place are reported sent, and each completion makes the next write (its
     * records written in place and reported in turn). Every byte arrives, in order, the last write
     * completes, and each record is reported sent once: a write made from a completion raises only
     * its own records' events, not again those of the report that called it (MINA's TLS handler
     * would be told twice of a record; the futures are safe either way).
     */
    @Test
    void writesMadeFromCompletionsArriveInOrder() throws Exception {
        int writes = 64;
        int size = 100_000; // above the engine's 64 KiB high-water mark: done once written
        try (SSLServerSocket server = server()) {
            Pair p = open(engine, server);
            SentReports reports = new SentReports();
            ((TcpConnection.Facade) p.s()).connection().session.getFilterChain()
                    .addBefore(TlsWatch.NAME, "sent-reports", reports);
            try (SSLSocket far = p.far()) {
                CompletableFuture<String> checked = CompletableFuture.supplyAsync(() -> {
                    try {
                        byte[] got = new byte[size];
                        DataInputStream in = new DataInputStream(far.getInputStream());
                        for (int i = 0; i < writes; i++) {
                            in.readFully(got);
                            for (int j = 0; j < size; j++) {
                                if (got[j] != (byte) (i * 7 + j)) {
                                    return "write " + i + " byte " + j + ": " + got[j];
                                }
                            }
                        }
                        return "ok";
                    } catch (java.io.IOException e) {
                        return e.toString();
                    }
                });
                CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
                for (int i = 0; i < writes; i++) {
                    int n = i;
                    chain = chain.thenCompose(v -> {
                        byte[] b = new byte[size];
                        for (int j = 0; j < size; j++) {
                            b[j] = (byte) (n * 7 + j);
                        }
                        return p.s().writable().write(b);
                    });
                }
                chain.get(20, TimeUnit.SECONDS);
                assertEquals("ok", checked.get(20, TimeUnit.SECONDS));
                assertEquals(0, p.s().writable().queuedBytes());
            }
            reports.assertEachOnce(writes);
        }
    }

    /**
     * A write made while the records written in place are being reported sent (as a listener of a
     * write's future may, on that thread) is written in place in turn and raises only its own
     * records' events, not again those of the report it was made in.
     */
    @Test
    void aWriteMadeWhileRecordsAreReportedReportsOnlyItsOwn() throws Exception {
        try (SSLServerSocket server = server()) {
            Pair p = open(engine, server);
            SentReports reports = new SentReports();
            CompletableFuture<CompletableFuture<Void>> nested = new CompletableFuture<>();
            reports.duringFirstReportInPlace = () -> nested.complete(
                    p.s().writable().write("nested".getBytes(US_ASCII)).toCompletableFuture());
            ((TcpConnection.Facade) p.s()).connection().session.getFilterChain()
                    .addBefore(TlsWatch.NAME, "sent-reports", reports);
            try (SSLSocket far = p.far()) {
                await(p.s().writable().write("first".getBytes(US_ASCII)));
                await(nested.get(10, TimeUnit.SECONDS));
                byte[] got = new byte[11];
                new DataInputStream(far.getInputStream()).readFully(got);
                assertEquals("firstnested", new String(got, US_ASCII));
            }
            reports.assertEachOnce(2);
        }
    }

    /**
     * Counts the "sent" events of what MINA's TLS handler passes down (by identity: each a buffer of
     * one or more records, ReportingSslEngine wraps as many as fit).
     */
    static final class SentReports extends IoFilterAdapter {
        private final Map<WriteRequest, Integer> times = new IdentityHashMap<>();
        private final List<String> twice = new ArrayList<>();
        private int reportedInPlace;
        /** Run (once) on the caller's thread when the first record buffer written in place is reported. */
        volatile Runnable duringFirstReportInPlace;

        @Override
        public void messageSent(NextFilter next, IoSession s, WriteRequest request) throws Exception {
            // not on one of the engine's I/O threads (rawsockets-io-N): a record written in place
            boolean inPlace = !Thread.currentThread().getName().startsWith("rawsockets-io");
            Runnable r = duringFirstReportInPlace;
            if (inPlace && r != null) {
                duringFirstReportInPlace = null;
                r.run();
            }
            synchronized (this) {
                if (times.merge(request, 1, Integer::sum) > 1) {
                    twice.add(request + " on " + Thread.currentThread().getName());
                }
                if (inPlace) {
                    reportedInPlace++;
                }
            }
            next.messageSent(s, request);
        }

        /** At least {@code buffers} reported, none twice, some of them on callers' threads (in place). */
        synchronized void assertEachOnce(int buffers) {
            assertEquals(List.of(), twice, "record buffers reported sent more than once");
            assertTrue(times.size() >= buffers, times.size() + " record buffers reported, expected at least " + buffers);
            assertTrue(reportedInPlace > 0, "no record buffer was reported sent outside the I/O threads (none written in place)");
        }
    }

    /** The half-close's close_notify goes the same way: the peer reads to its end meanwhile. */
    @Test
    void aTlsHalfCloseReachesThePeerWhileTheIoThreadIsBusy() throws Exception {
        try (SSLServerSocket server = server()) {
            Pair p = open(engine, server);
            try (SSLSocket far = p.far()) {
                CountDownLatch release = InPlaceWriteTest.blockIoThread(p.s(), far);
                try {
                    p.s().writable().write("last".getBytes(US_ASCII));
                    CompletableFuture<Void> closed = p.s().writable().close().toCompletableFuture();
                    byte[] got = new byte[4];
                    new DataInputStream(far.getInputStream()).readFully(got); // 10 s SO_TIMEOUT
                    assertEquals("last", new String(got, US_ASCII));
                    assertEquals(-1, far.getInputStream().read(), "close_notify after the data");
                    closed.get(10, TimeUnit.SECONDS);
                } finally {
                    release.countDown();
                }
            }
        }
    }

    /** {@code -Drawsockets.writeInPlace=false}: TLS writes wait for the I/O thread, as before. */
    @Test
    void theSwitchHandsEveryTlsWriteToTheIoThread() throws Exception {
        MinaSocketEngine handOff = InPlaceWriteTest.startedWith("rawsockets.writeInPlace", "false",
                InPlaceWriteTest::oneIoThread);
        try (handOff; SSLServerSocket server = server()) {
            Pair p = open(handOff, server);
            try (SSLSocket far = p.far()) {
                InPlaceWriteTest.pingWaitsForTheBusyIoThread(p.s(), far);
            }
        }
    }

    /**
     * Four writers, frames of 1 B to 200 KB, to a TLS peer with a small receive buffer that reads
     * slowly: records go in place, partly in place and through MINA in turn, and every frame
     * arrives whole, each writer's in its order.
     */
    @Test
    void framesOfConcurrentTlsWritersArriveWholeAndInOrder() throws Exception {
        try (SSLServerSocket server = (SSLServerSocket) pki.serverContext().getServerSocketFactory()
                .createServerSocket()) {
            server.setReceiveBufferSize(8 * 1024);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Pair p = open(engine, server);
            try (SSLSocket far = p.far()) {
                InPlaceWriteTest.concurrentFramesArriveWholeAndInOrder(p.s(), far);
            }
        }
    }
}
