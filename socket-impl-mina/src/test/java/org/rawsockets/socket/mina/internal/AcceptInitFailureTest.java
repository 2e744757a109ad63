package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.mina.transport.socket.nio.NioSession;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * A connection the server socket accepted but MINA could not initialise (its channel could not be
 * registered with an I/O processor's selector): MINA destroys it without any event. Nothing of it
 * may stay behind: no socket registered for the owner, no accept-queue slot held.
 */
class AcceptInitFailureTest {

    @Test
    void anAcceptedConnectionThatMinaCannotInitialiseLeavesNothingBehind() throws Exception {
        AtomicInteger failNext = new AtomicInteger(1);
        AtomicInteger failed = new AtomicInteger();
        ExecutorService threads = Executors.newCachedThreadPool();
        // acceptQueue 1: a slot lost to the failed connection would stop all further accepting
        EngineConfig config = new EngineConfig(1, Duration.ofSeconds(10), 64 * 1024, 16 * 1024, 65507, 16, 1);
        try (MinaSocketEngine engine = new MinaSocketEngine(config, SocketPolicy.ALLOW_ALL, AuditLog.NONE,
                HostResolver.JDK, i -> new SocketProcessor(threads) {
                    @Override
                    protected void register(NioSession s) throws Exception {
                        if (s.getService() instanceof TcpServer.PausingAcceptor && failNext.getAndDecrement() > 0) {
                            failed.incrementAndGet();
                            throw new IOException("simulated: the channel cannot be registered with the selector");
                        }
                        super.register(s);
                    }
                })) {
            MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(5, "server.bundle"));
            TcpServerSocket server = sockets.listenTcp(TcpServerSocketOptions.of("127.0.0.1", 0));
            int port = server.opened().toCompletableFuture().get(20, TimeUnit.SECONDS).localAddress().getPort();

            try (Socket first = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
                first.setSoTimeout(20_000);
                assertEquals(-1, first.getInputStream().read(), "the connection MINA could not initialise is closed");
            } catch (java.net.SocketException reset) {
                // closed with a reset: also fine
            }
            assertEquals(1, failed.get());
            List<SocketInfo> left = sockets.sockets();
            assertEquals(1, left.size(), "only the server socket is registered: " + left);
            assertEquals(SocketKind.TCP_LISTEN, left.get(0).kind());

            // the accept queue slot is free again: the next client is accepted and works
            try (Socket second = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
                ReadResult<TcpSocket> r;
                try {
                    r = server.readable().read().toCompletableFuture().get(10, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("the next connection was not accepted: the failed one kept its accept slot", e);
                }
                TcpSocket accepted = r.value();
                second.getOutputStream().write('x');
                ReadResult<ByteBuffer> b = accepted.readable().read().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertEquals('x', b.value().get());
                assertEquals(2, sockets.sockets().size(), sockets.sockets().toString());
                accepted.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            server.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!sockets.sockets().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(sockets.sockets().isEmpty(), sockets.sockets().toString());
        } finally {
            threads.shutdownNow();
        }
    }
}
