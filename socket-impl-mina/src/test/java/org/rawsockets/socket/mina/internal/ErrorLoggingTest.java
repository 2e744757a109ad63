package org.rawsockets.socket.mina.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.RingAuditLog;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * What a gateway operator sees in the log when a connection fails in an ordinary way (the peer
 * resets it, a TLS handshake is refused): the audit log's FAILED entry as one WARN line naming the
 * socket, and nothing else: no ERROR and no stack trace from MINA (the caller has the typed error).
 * The engine runs with the real audit log ({@link RingAuditLog}, which writes its lines on a thread
 * of its own); the module's tests log through slf4j-simple to {@code System.err}, which this test
 * captures.
 */
class ErrorLoggingTest {

    RingAuditLog audit;
    MinaSocketEngine engine;
    MinaSocketEngine.OwnedSocketService sockets;
    TestPki pki;
    PrintStream savedErr;
    final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        pki = TestPki.get();
        audit = new RingAuditLog(100);
        engine = new MinaSocketEngine(EngineConfig.defaults(), SocketPolicy.ALLOW_ALL, audit, HostResolver.JDK);
        sockets = engine.serviceFor(Owner.of(1, "logging.test"));
        savedErr = System.err;
        PrintStream tee = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (captured) {
                    captured.write(b);
                }
                savedErr.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (captured) {
                    captured.write(b, off, len);
                }
                savedErr.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
        System.setErr(tee);
    }

    @AfterEach
    void stop() {
        try {
            engine.close();
            audit.close();
        } finally {
            System.setErr(savedErr);
        }
    }

    static <T> T await(CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private List<String> lines() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    /**
     * Once the audit's FAILED line is out: no ERROR, no stack trace, and exactly one WARN line, the
     * audit's, naming {@code socketPort}.
     */
    private void assertOneWarnLine(String what, int socketPort) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (lines().stream().noneMatch(l -> l.contains(" WARN " + RingAuditLog.LOGGER + " ") && l.contains("FAILED"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": no audit FAILED line within 20 s:\n" + String.join("\n", lines()));
            }
            Thread.sleep(10);
        }
        List<String> lines = lines();
        String log = String.join("\n", lines);
        assertTrue(lines.stream().noneMatch(l -> l.contains(" ERROR ")), what + ": logged at ERROR:\n" + log);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by: ")),
                what + ": a stack trace was logged:\n" + log);
        List<String> warns = lines.stream().filter(l -> l.contains(" WARN ")).toList();
        assertEquals(1, warns.size(), what + ": WARN lines:\n" + log);
        assertTrue(warns.get(0).contains(":" + socketPort), what + ": the WARN line names the destination port "
                + socketPort + ": " + warns.get(0));
    }

    @Test
    void aPeerResetIsOneWarnLine() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::idle)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port(), TcpSocketOptions.defaults());
            await(s.opened());
            Socket p = peer.next();
            p.setSoLinger(true, 0);
            p.close(); // RST
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(s.closed()));
            assertInstanceOf(NetworkException.class, e.getCause());
            assertOneWarnLine("a peer reset", peer.port());
        }
    }

    @Test
    void aResetWhileWritingIsOneWarnLine() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::idle)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port(), TcpSocketOptions.defaults());
            await(s.opened());
            Socket p = peer.next();
            p.setSoLinger(true, 0);
            s.writable().write(new byte[8 * 1024 * 1024]); // the peer does not read: the write is in progress
            p.close(); // RST
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(s.closed()));
            assertInstanceOf(NetworkException.class, e.getCause());
            assertOneWarnLine("a reset while writing", peer.port());
        }
    }

    @Test
    void aFailedTlsHandshakeIsOneWarnLine() throws Exception {
        try (TlsEngineTest.TlsPeer peer = new TlsEngineTest.TlsPeer(pki.serverContext(), false)) {
            // JDK trust store only: the test CA is not trusted
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port(),
                    TcpSocketOptions.builder().tls(TlsOptions.builder().mode(TlsMode.ON).build()).build());
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(s.opened()));
            assertInstanceOf(NetworkException.class, e.getCause());
            assertThrows(ExecutionException.class, () -> await(s.closed()));
            assertOneWarnLine("a failed TLS handshake", peer.port());
        }
    }

    @Test
    void aFailedStartTlsHandshakeIsOneWarnLine() throws Exception {
        javax.net.ssl.SSLContext ctx = pki.serverContext();
        try (Peers.Server peer = new Peers.Server(s -> StartTlsFailureTest.smtpLikePeer(s, ctx))) {
            TcpSocket plain = sockets.openTcp("127.0.0.1", peer.port(),
                    TcpSocketOptions.builder().tls(TlsOptions.builder().mode(TlsMode.STARTTLS).build()).build());
            await(plain.opened());
            assertEquals("220 ready\n", StartTlsFailureTest.readLine(plain));
            await(plain.writable().write("STARTTLS\n".getBytes(US_ASCII)));
            assertEquals("220 go ahead\n", StartTlsFailureTest.readLine(plain));
            TcpSocket tls = plain.startTls();
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(tls.opened()));
            assertInstanceOf(NetworkException.class, e.getCause());
            assertThrows(ExecutionException.class, () -> await(tls.closed()));
            assertOneWarnLine("a failed STARTTLS handshake", peer.port());
        }
    }
}
