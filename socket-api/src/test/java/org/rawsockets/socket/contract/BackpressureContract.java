package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * Backpressure both ways. The peer is a JDK socket: the test must stop and resume the peer's
 * reading/writing at will and observe how far its blocking writes got, which no external tool
 * reports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class BackpressureContract extends ContractSupport {

    private static final int MIB = 1024 * 1024;
    /**
     * Slack on top of the implementation's bound: the read or write in progress when the bound is
     * reached (MINA reads at most 64 KiB at a time), with margin.
     */
    private static final long SLACK = 256 * 1024;

    /**
     * A reader that stops reading stops network reads: the peer's blocking writes stall while the
     * socket has buffered at most its bound; once reading resumes every byte arrives intact.
     */
    @Test
    void aReaderThatStopsReadingStopsNetworkReads() throws Exception {
        JdkServer server = jdkServer();
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(),
                TcpSocketOptions.builder().receiveBufferSize(64 * 1024).build());
        await(socket.opened(), "open");
        readerStopsThenResumes(socket, server.accept(), "plain");
    }

    /** The same over TLS: decrypted data must not pile up either (JDK SSLSocket peer with the test PKI). */
    @Test
    void aTlsReaderThatStopsReadingStopsNetworkReads() throws Exception {
        TestPki pki = TestPki.get();
        JdkServer server = jdkServer();
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(), TcpSocketOptions.builder()
                .receiveBufferSize(64 * 1024).tls(org.rawsockets.socket.TlsOptions.builder()
                        .mode(org.rawsockets.socket.TlsMode.ON).trustedCertificatesPem(pki.read(pki.caPem())).build())
                .build());
        Socket plain = server.accept();
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) pki.serverContext().getSocketFactory()
                .createSocket(plain, "127.0.0.1", plain.getPort(), true);
        tls.setUseClientMode(false);
        CompletableFuture<Void> handshake = CompletableFuture.runAsync(() -> {
            try {
                tls.startHandshake();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        await(socket.opened(), "TLS open");
        handshake.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        readerStopsThenResumes(socket, tls, "TLS");
    }

    /**
     * The peer writes 64 MiB while nobody reads: its blocking writes must stall with the socket
     * holding at most its bound; once reading starts every byte arrives intact.
     */
    private void readerStopsThenResumes(TcpSocket socket, Socket peer, String what) throws Exception {
        int total = 64 * MIB;
        AtomicLong peerSent = new AtomicLong();
        MessageDigest sentDigest = Bytes.sha256();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = peer.getOutputStream();
                byte[] block = Bytes.random(64 * 1024, 11);
                for (int i = 0; i < total / block.length; i++) {
                    block[0] = (byte) i;
                    sentDigest.update(block);
                    out.write(block);
                    peerSent.addAndGet(block.length);
                }
                if (peer instanceof javax.net.ssl.SSLSocket) {
                    peer.close(); // close_notify + FIN
                } else {
                    peer.shutdownOutput();
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });

        long stalledAt = awaitNoProgress(peerSent::get, "the peer's sending");
        long buffered = socket.info().bytesIn();
        System.out.printf("[contract] %s reader stopped: the peer's writes stalled after %d bytes; bytesIn %d (bound %d)%n",
                what, stalledAt, buffered, fixture.bufferBound());
        assertTrue(stalledAt < total, "the peer's writes must stall while nobody reads; it sent all " + stalledAt);
        assertTrue(buffered <= fixture.bufferBound() + SLACK, "received-but-unread bytes stay under the bound ("
                + fixture.bufferBound() + " + " + SLACK + "): bytesIn was " + buffered + " while the peer had sent "
                + stalledAt);

        MessageDigest received = Bytes.sha256();
        long got = 0;
        while (got < total) {
            ReadResult<ByteBuffer> r = await(socket.readable().read(), "read after " + got + " bytes");
            if (r.done()) {
                break;
            }
            got += r.value().remaining();
            received.update(r.value());
        }
        writer.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(total, got, "every byte arrives once reading resumes");
        assertEquals(Bytes.hex(sentDigest.digest()), Bytes.hex(received.digest()), "sha-256");
    }

    /**
     * A writer to a peer that does not read stalls: a write's stage stays pending while the queue is
     * at its bound; once the peer reads, the stage completes and everything arrives.
     */
    @Test
    void aWriterToANonReadingPeerStalls() throws Exception {
        JdkServer server = closeAfter(new JdkServer(64 * 1024));
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(),
                TcpSocketOptions.builder().sendBufferSize(64 * 1024).build());
        await(socket.opened(), "open");
        Socket peer = server.accept();

        int chunk = 64 * 1024;
        long limit = 256L * MIB;
        long written = 0;
        CompletionStage<Void> stalled = null;
        MessageDigest sentDigest = Bytes.sha256();
        while (written < limit) {
            byte[] data = Bytes.random(chunk, written);
            sentDigest.update(data);
            CompletionStage<Void> w = socket.writable().write(data);
            written += chunk;
            if (Stages.stillPendingAfter(w, Duration.ofSeconds(2))) {
                stalled = w;
                break;
            }
        }
        assertTrue(stalled != null, "writes kept completing although the peer read nothing (" + written + " bytes)");
        long queued = socket.writable().queuedBytes();
        System.out.printf("[contract] writer stalled after %d bytes accepted; queuedBytes %d (bound %d)%n", written,
                queued, fixture.bufferBound());
        assertTrue(queued > 0, "a stalled writer has bytes queued, queuedBytes() was " + queued);
        assertTrue(queued <= fixture.bufferBound() + chunk + SLACK,
                "queued bytes stay bounded: " + queued + " > " + (fixture.bufferBound() + chunk + SLACK));

        long expected = written;
        CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
            try {
                MessageDigest d = Bytes.sha256();
                InputStream in = peer.getInputStream();
                byte[] buf = new byte[64 * 1024];
                long n = 0;
                for (int r; (r = in.read(buf)) >= 0;) {
                    d.update(buf, 0, r);
                    n += r;
                }
                return n + ":" + Bytes.hex(d.digest());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        await(stalled, "the stalled write once the peer reads");
        await(socket.writable().close(), "flush and FIN");
        assertEquals(expected + ":" + Bytes.hex(sentDigest.digest()),
                reader.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS), "bytes and sha-256 the peer received");
        assertEquals(0, socket.writable().queuedBytes(), "nothing queued after the flush");
    }

    /**
     * Waits until {@code counter} has not moved for one second (checked every 100 ms, at most 60 s)
     * and returns its value. A bounded observation that something stopped, not a synchronisation.
     */
    static long awaitNoProgress(LongSupplier counter, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = counter.getAsLong();
        int still = 0;
        while (still < 10) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " never stopped progressing (at " + last + ")");
            }
            Thread.sleep(100);
            long now = counter.getAsLong();
            still = now == last ? still + 1 : 0;
            last = now;
        }
        return last;
    }
}
