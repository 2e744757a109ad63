package org.rawsockets.socket.mina.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * TLS half-close ({@code writable().close()}: close_notify, then FIN) must put close_notify on the
 * wire before the FIN. MINA's TLS handler queues close_notify as a write of its own that the
 * session's scheduled-write counter does not count; a FIN sent while it is still queued makes the
 * I/O processor's write fail on the shut-down channel, and MINA then closes the whole session,
 * dropping the peer's answer (seen as an empty reply from {@code socat ... SYSTEM:sha256sum}).
 */
class TlsHalfCloseTest {

    MinaSocketEngine engine;
    MinaSocketEngine.OwnedSocketService sockets;
    TestPki pki;

    @BeforeEach
    void start() throws Exception {
        pki = TestPki.get();
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "tls.halfclose.test"));
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    static <T> T await(CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    static String readToEnd(TcpSocket s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            ReadResult<ByteBuffer> r = await(s.readable().read());
            if (r.done()) {
                return out.toString(US_ASCII);
            }
            ByteBuffer b = r.value();
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.writeBytes(a);
        }
    }

    /**
     * The write queue is empty when the writable side is closed (the close is started on the
     * caller's thread, not by the last write's completion): the peer still gets every byte and
     * close_notify (a JDK SSLSocket's read ends at close_notify, and fails on a bare FIN), and its
     * answer, sent after that, is read to the end. Repeated: the lost race was not certain per run.
     */
    @Test
    void halfCloseAfterTheQueueDrainedDeliversCloseNotifyThenFin() throws Exception {
        SSLContext ctx = pki.serverContext();
        try (SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress())) {
            for (int round = 0; round < 20; round++) {
                CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                    try (SSLSocket s = (SSLSocket) server.accept()) {
                        s.setSoTimeout(20_000);
                        InputStream in = s.getInputStream();
                        long n = in.transferTo(OutputStream.nullOutputStream()); // ends at close_notify only
                        s.getOutputStream().write(("got " + n + "\n").getBytes(US_ASCII));
                        s.getOutputStream().flush();
                        return "ok";
                    } catch (java.io.IOException e) {
                        return "peer failed: " + e;
                    }
                });
                TcpSocket s = sockets.openTcp("127.0.0.1", server.getLocalPort(), TcpSocketOptions.builder()
                        .allowHalfOpen(true)
                        .tls(TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pki.caPem).build())
                        .build());
                await(s.opened());
                int size = 1000 + round * 997;
                OutputStream os = s.writable().outputStream(Duration.ofSeconds(20));
                os.write(new byte[size]);
                os.flush(); // every byte handed to the OS: the close starts here, on this thread
                assertEquals(0, s.writable().queuedBytes(), "queue drained before the close");
                await(s.writable().close());
                assertEquals("got " + size + "\n", readToEnd(s), "the peer's answer after our close (round "
                        + round + ")");
                assertEquals("ok", peer.get(20, TimeUnit.SECONDS), "the peer read to close_notify (round " + round
                        + ")");
                await(s.closed());
            }
        }
    }

    /**
     * Many MiB with the close requested while the data is still queued (the FIN is then due when
     * the last write completes, on an I/O thread): everything, then close_notify, then FIN, and the
     * peer's checksum-like answer comes back.
     */
    @Test
    void halfCloseWhileDataIsQueuedDeliversEverythingThenCloseNotify() throws Exception {
        SSLContext ctx = pki.serverContext();
        try (SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress())) {
            for (int round = 0; round < 5; round++) {
                CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                    try (SSLSocket s = (SSLSocket) server.accept()) {
                        s.setSoTimeout(20_000);
                        long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                        s.getOutputStream().write(("got " + n + "\n").getBytes(US_ASCII));
                        s.getOutputStream().flush();
                        return "ok";
                    } catch (java.io.IOException e) {
                        return "peer failed: " + e;
                    }
                });
                TcpSocket s = sockets.openTcp("127.0.0.1", server.getLocalPort(), TcpSocketOptions.builder()
                        .allowHalfOpen(true)
                        .tls(TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pki.caPem).build())
                        .build());
                await(s.opened());
                int chunk = 64 * 1024;
                int chunks = 64;
                for (int i = 0; i < chunks; i++) {
                    await(s.writable().write(ByteBuffer.wrap(new byte[chunk]))); // done at the high-water mark
                }
                await(s.writable().close());
                assertEquals("got " + (long) chunk * chunks + "\n", readToEnd(s), "the peer's answer after our close"
                        + " (round " + round + ")");
                assertEquals("ok", peer.get(20, TimeUnit.SECONDS), "the peer read to close_notify (round " + round
                        + ")");
                await(s.closed());
            }
        }
    }
}
