package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.transport.socket.nio.NioSession;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * The receive path switches from MINA's read (a heap buffer handed through the filter chain) to the
 * pooled copying read when the reader first reads by copying (an InputStream view or readInto). MINA
 * reads a session in a loop of reads into one buffer and delivers that buffer after the loop; a
 * reader that switched between two reads of that loop must not get the bytes of the later read
 * before those MINA already holds. Seen as corrupted downloads and a garbled first line under load;
 * reproduced here exactly: the switch happens on the I/O thread right after MINA's first read of the
 * session, with more bytes already waiting in the socket.
 */
class ReadPathSwitchOrderTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void bytesMinaReadBeforeTheReaderSwitchedToCopyingReadsComeFirst() throws Exception {
        byte[] first = new byte[1000];
        byte[] second = new byte[1000];
        for (int i = 0; i < first.length; i++) {
            first[i] = (byte) ('a' + i % 26);
            second[i] = (byte) ('A' + i % 26);
        }
        AtomicReference<Runnable> onFirstRead = new AtomicReference<>();
        ExecutorService threads = Executors.newCachedThreadPool();
        EngineConfig config = new EngineConfig(1, WAIT, 256 * 1024, 64 * 1024, 65507, 16, 8);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                MinaSocketEngine engine = new MinaSocketEngine(config, SocketPolicy.ALLOW_ALL, AuditLog.NONE,
                        HostResolver.JDK, i -> new SocketProcessor(threads) {
                            @Override
                            protected int read(NioSession s, IoBuffer buf) throws Exception {
                                int n = super.read(s, buf);
                                Runnable hook = n > 0 ? onFirstRead.getAndSet(null) : null;
                                if (hook != null) {
                                    hook.run(); // on the I/O thread, inside MINA's read loop of the session
                                }
                                return n;
                            }
                        })) {
            TcpSocket socket = engine.serviceFor(Owner.of(7, "reader.bundle"))
                    .openTcp("127.0.0.1", listener.getLocalPort(), TcpSocketOptions.builder().build());
            socket.opened().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            try (Socket peer = listener.accept()) {
                peer.setTcpNoDelay(true);
                OutputStream out = peer.getOutputStream();
                CompletableFuture<InputStream> view = new CompletableFuture<>();
                onFirstRead.set(() -> {
                    try {
                        // MINA holds the first bytes in its buffer; the reader switches to copying now
                        view.complete(socket.readable().inputStream(WAIT));
                        // and more bytes wait in the socket before MINA's next read of this loop
                        out.write(second);
                        out.flush();
                        awaitPending(socketChannelOf(engine), second.length);
                    } catch (Exception e) {
                        view.completeExceptionally(e);
                    }
                });
                out.write(first);
                out.flush();
                InputStream in = view.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                byte[] got = in.readNBytes(first.length + second.length);
                byte[] want = new byte[first.length + second.length];
                System.arraycopy(first, 0, want, 0, first.length);
                System.arraycopy(second, 0, want, first.length, second.length);
                assertEquals(want.length, got.length, "bytes read");
                assertArrayEquals(want, got, "the bytes arrive in the order the peer sent them");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static SocketChannel socketChannelOf(MinaSocketEngine engine) {
        return (SocketChannel) ((NioSession) engine.tcpConnector().getManagedSessions().values().iterator().next())
                .getChannel();
    }

    /** Waits (on the I/O thread, bounded) until the kernel holds {@code n} unread bytes for {@code ch}. */
    private static void awaitPending(SocketChannel ch, int n) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        InputStream probe = ch.socket().getInputStream();
        while (probe.available() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the peer's second write did not arrive within " + WAIT);
            }
            Thread.onSpinWait();
        }
    }
}
