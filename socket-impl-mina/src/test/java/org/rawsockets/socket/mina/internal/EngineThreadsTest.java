package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.contract.FullBacklogListener;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * The engine's own threads: blocking work is fair between bundles, and the blocking views refuse to
 * run on the timer and resolver threads as they do on I/O threads.
 */
class EngineThreadsTest {

    private final CountDownLatch gate = new CountDownLatch(1);
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        gate.countDown();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        closeables.add(c);
        return c;
    }

    private MinaSocketEngine engine(HostResolver resolver) {
        return later(new MinaSocketEngine(new EngineConfig(2, Duration.ofSeconds(30), 256 * 1024, 64 * 1024, 65507,
                16, 8, 4), SocketPolicy.ALLOW_ALL, AuditLog.NONE, resolver));
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> s, long seconds) throws Exception {
        return s.toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }

    /**
     * Bundle A's lookups hang (6 opens, more than the 4 resolver threads); bundle B's opens complete
     * at once, A holds at most half of the threads, and A's queued opens run once its DNS answers.
     */
    @Test
    void aBundleWhoseLookupsHangDoesNotDelayAnotherBundlesOpens() throws Exception {
        ServerSocket listener = later(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
        int port = listener.getLocalPort();
        AtomicInteger hanging = new AtomicInteger();
        AtomicInteger maxHanging = new AtomicInteger();
        HostResolver resolver = (host, type) -> {
            if (host.equals("hang.test")) {
                maxHanging.accumulateAndGet(hanging.incrementAndGet(), Math::max);
                try {
                    if (!gate.await(60, TimeUnit.SECONDS)) {
                        throw new UnknownHostException("test gate not opened");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UnknownHostException("interrupted");
                } finally {
                    hanging.decrementAndGet();
                }
            }
            return List.of(InetAddress.getByName("127.0.0.1"));
        };
        MinaSocketEngine engine = engine(resolver);
        MinaSocketEngine.OwnedSocketService a = engine.serviceFor(Owner.of(1, "bundle.a"));
        MinaSocketEngine.OwnedSocketService b = engine.serviceFor(Owner.of(2, "bundle.b"));

        List<TcpSocket> aSockets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            aSockets.add(a.openTcp("hang.test", port));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hanging.get() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(hanging.get() >= 2, "bundle A's lookups in progress: " + hanging.get());

        long t0 = System.nanoTime();
        TcpSocket byName = b.openTcp("b.test", port);
        TcpSocket byAddress = b.openTcp("127.0.0.1", port);
        try {
            await(byName.opened(), 3);
            await(byAddress.opened(), 3);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("bundle B's opens did not complete within 3 s while bundle A's lookups hang", e);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("FAIRNESS bundle B opened 2 sockets in " + ms + " ms while 6 lookups of bundle A hang");
        assertTrue(ms < 3000, "bundle B's opens took " + ms + " ms");
        assertEquals(2, maxHanging.get(), "bundle A held more than half of the 4 resolver threads");
        for (TcpSocket s : aSockets) {
            assertTrue(!s.opened().toCompletableFuture().isDone(), "A's opens wait for their lookups");
        }

        gate.countDown();
        for (TcpSocket s : aSockets) {
            await(s.opened(), 20);
        }
        for (int i = 0; i < 8; i++) {
            listener.setSoTimeout(10_000);
            later(listener.accept());
        }
    }

    /**
     * Stages completed on the resolver thread (a failed lookup) and on the timer thread (the connect
     * timeout) run their callbacks there; a blocking view used in them refuses at once.
     */
    @Test
    void blockingViewsRefuseToRunOnTheResolverAndTimerThreads() throws Exception {
        Peers.Server peer = later(new Peers.Server(Peers::echo));
        HostResolver resolver = (host, type) -> {
            if (host.equals("gated.test")) {
                try {
                    gate.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new UnknownHostException("gated.test is not a known host");
            }
            return HostResolver.JDK.resolve(host, type);
        };
        MinaSocketEngine engine = engine(resolver);
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "bundle.views"));
        TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
        await(s.opened(), 20);
        InputStream in = s.readable().inputStream(Duration.ofSeconds(2));
        OutputStream out = s.writable().outputStream(Duration.ofSeconds(2));

        // resolver thread: the lookup fails there and completes opened() exceptionally
        TcpSocket unresolved = sockets.openTcp("gated.test", 7);
        CompletableFuture<String> onResolver = new CompletableFuture<>();
        unresolved.opened().whenComplete((i, e) -> onResolver.complete(attempt(() -> in.read())));
        gate.countDown();
        String r = onResolver.get(20, TimeUnit.SECONDS);
        assertTrue(r.startsWith("IllegalStateException") && r.contains("rawsockets-resolver"), r);

        // timer thread: the connect timeout fires there
        FullBacklogListener dead = later(new FullBacklogListener());
        TcpSocket timingOut = sockets.openTcp("127.0.0.1", dead.port(),
                TcpSocketOptions.builder().connectTimeout(Duration.ofMillis(300)).build());
        CompletableFuture<String> onTimer = new CompletableFuture<>();
        timingOut.opened().whenComplete((i, e) -> onTimer.complete(attempt(() -> out.write(1))));
        String t = onTimer.get(20, TimeUnit.SECONDS);
        assertTrue(t.startsWith("IllegalStateException") && t.contains("rawsockets-timer"), t);
        await(s.close(), 20);
    }

    private interface Io {
        void run() throws Exception;
    }

    private static String attempt(Io io) {
        try {
            io.run();
            return "completed on " + Thread.currentThread().getName();
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
