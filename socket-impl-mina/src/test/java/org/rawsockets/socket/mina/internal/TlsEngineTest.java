package org.rawsockets.socket.mina.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.policy.Owner;

class TlsEngineTest {

    MinaSocketEngine engine;
    MinaSocketEngine.OwnedSocketService sockets;
    TestPki pki;

    @BeforeEach
    void start() throws Exception {
        pki = TestPki.get();
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "tls.test"));
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    static String readLine(TcpSocket s) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (sb.indexOf("\n") < 0) {
            ReadResult<ByteBuffer> r = await(s.readable().read());
            if (r.done()) {
                break;
            }
            ByteBuffer b = r.value();
            while (b.hasRemaining()) {
                sb.append((char) b.get());
            }
        }
        return sb.toString();
    }

    /** A JDK TLS echo server (line based) recording the SNI it was asked for. */
    static final class TlsPeer implements AutoCloseable {
        final SSLServerSocket server;
        final CompletableFuture<String> sni = new CompletableFuture<>();
        final CompletableFuture<String> clientCert = new CompletableFuture<>();

        TlsPeer(SSLContext ctx, boolean needClientAuth, String... alpn) throws Exception {
            server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            SSLParameters p = server.getSSLParameters();
            p.setNeedClientAuth(needClientAuth);
            if (alpn.length > 0) {
                p.setApplicationProtocols(alpn);
            }
            server.setSSLParameters(p);
            Thread t = new Thread(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.startHandshake();
                    ExtendedSSLSession es = (ExtendedSSLSession) s.getSession();
                    sni.complete(es.getRequestedServerNames().isEmpty() ? "" :
                            ((SNIHostName) es.getRequestedServerNames().get(0)).getAsciiName());
                    try {
                        clientCert.complete(((java.security.cert.X509Certificate) es.getPeerCertificates()[0])
                                .getSubjectX500Principal().getName());
                    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                        clientCert.complete("");
                    }
                    echoLines(s.getInputStream(), s.getOutputStream());
                } catch (Exception e) {
                    sni.completeExceptionally(e);
                    clientCert.completeExceptionally(e);
                }
            }, "tls-peer");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    static void echoLines(InputStream in, OutputStream out) throws java.io.IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, US_ASCII));
        String line;
        while ((line = r.readLine()) != null) {
            out.write(("echo " + line + "\n").getBytes(US_ASCII));
            out.flush();
        }
    }

    @Test
    void tlsWithTestCaReportsProtocolSniAlpnAndChain() throws Exception {
        try (TlsPeer peer = new TlsPeer(pki.serverContext(), false, "h2", "x-test")) {
            TcpSocket s = sockets.openTcp("localhost", peer.port(), TcpSocketOptions.builder()
                    .dnsQueryType(org.rawsockets.socket.DnsQueryType.IPV4)
                    .tls(TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pki.caPem)
                            .alpnProtocols("x-test").build())
                    .build());
            TcpOpenInfo info = await(s.opened());
            assertTrue(info.tls().isPresent());
            assertTrue(info.tlsInfo().protocol().startsWith("TLSv1."), info.tlsInfo().protocol());
            assertEquals("x-test", info.tlsInfo().alpnProtocol());
            assertEquals("localhost", info.tlsInfo().serverName());
            assertEquals("localhost", peer.sni.get(20, TimeUnit.SECONDS));
            assertTrue(info.tlsInfo().peerCertificates().get(0).getSubjectX500Principal().getName().contains("localhost"));
            // the operator view (SocketAdmin.tls, the web console's TLS column) reports the same handshake
            TlsInfo admin = engine.admin().tls(s.info().id()).orElseThrow();
            assertEquals(info.tlsInfo().protocol(), admin.protocol());
            assertEquals(info.tlsInfo().cipherSuite(), admin.cipherSuite());
            assertTrue(engine.admin().tls(Long.MAX_VALUE).isEmpty(), "no such socket");
            await(s.writable().write("hi\n".getBytes(US_ASCII)));
            assertEquals("echo hi\n", readLine(s));
            await(s.close());
        }
    }

    @Test
    void theHandshakesDelegatedTasksRunOnTheConnectionsOwnThreadNotOnMinasPool() throws Exception {
        java.util.concurrent.ThreadPoolExecutor minaPool =
                (java.util.concurrent.ThreadPoolExecutor) TlsSupport.ClientTlsFilter.executor();
        long before = minaPool.getTaskCount();
        for (int i = 0; i < 3; i++) {
            try (TlsPeer peer = new TlsPeer(pki.serverContext(), false)) { // a new port: a full handshake
                TcpSocket s = sockets.openTcp("localhost", peer.port(), TcpSocketOptions.builder()
                        .dnsQueryType(org.rawsockets.socket.DnsQueryType.IPV4)
                        .tls(TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pki.caPem).build()).build());
                await(s.opened());
                await(s.writable().write("hi\n".getBytes(US_ASCII)));
                assertEquals("echo hi\n", readLine(s));
                await(s.close());
            }
        }
        assertEquals(before, minaPool.getTaskCount(), "handshake tasks handed to MINA's ssl-exec pool (a thread"
                + " hand-over each way per task)");
    }

    @Test
    void untrustedServerFailsTheOpen() throws Exception {
        try (TlsPeer peer = new TlsPeer(pki.serverContext(), false)) {
            TcpSocket s = sockets.openTcp("localhost", peer.port(),
                    TcpSocketOptions.builder().tls(TlsOptions.builder().mode(TlsMode.ON).build()).build());
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> s.opened().toCompletableFuture().get(20, TimeUnit.SECONDS));
            assertInstanceOf(NetworkException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("TLS"), e.getCause().getMessage());
        }
    }

    @Test
    void hostnameMismatchIsRefused() throws Exception {
        try (TlsPeer peer = new TlsPeer(pki.serverContext(), false)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port(), TcpSocketOptions.builder().tls(TlsOptions.builder()
                    .mode(TlsMode.ON).serverName("wrong.example").trustedCertificatesPem(pki.caPem).build()).build());
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> s.opened().toCompletableFuture().get(20, TimeUnit.SECONDS));
            assertInstanceOf(NetworkException.class, e.getCause());
        }
    }

    @Test
    void mutualTlsWithPemEcClientKey() throws Exception {
        try (TlsPeer peer = new TlsPeer(pki.serverContext(), true)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port(), TcpSocketOptions.builder().tls(TlsOptions.builder()
                    .mode(TlsMode.ON).trustedCertificatesPem(pki.caPem).clientCertificate(pki.clientPem, pki.clientKey)
                    .build()).build());
            TcpOpenInfo info = await(s.opened());
            assertEquals(null, info.tlsInfo().serverName(), "no SNI for an IP literal");
            assertTrue(peer.clientCert.get(20, TimeUnit.SECONDS).contains("test-client"));
            await(s.writable().write("m\n".getBytes(US_ASCII)));
            assertEquals("echo m\n", readLine(s));
            await(s.close());
        }
    }

    @Test
    void startTlsUpgradesInPlace() throws Exception {
        SSLContext ctx = pki.serverContext();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peerDone = CompletableFuture.runAsync(() -> {
                try (Socket plain = server.accept()) {
                    BufferedReader r = new BufferedReader(new InputStreamReader(plain.getInputStream(), US_ASCII));
                    OutputStream out = plain.getOutputStream();
                    out.write("220 ready\n".getBytes(US_ASCII));
                    assertEquals("STARTTLS", r.readLine());
                    out.write("220 go ahead\n".getBytes(US_ASCII));
                    out.flush();
                    SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost",
                            plain.getPort(), false);
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    echoLines(tls.getInputStream(), tls.getOutputStream());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            TcpSocket plain = sockets.openTcp("localhost", server.getLocalPort(), TcpSocketOptions.builder()
                    .tls(TlsOptions.builder().mode(TlsMode.STARTTLS).trustedCertificatesPem(pki.caPem).build()).build());
            assertThrows(IllegalStateException.class, plain::startTls, "not open yet"); // may race with open
            TcpOpenInfo info = await(plain.opened());
            assertTrue(info.tls().isEmpty());
            long id = plain.info().id();
            assertTrue(engine.admin().tls(id).isEmpty(), "no TLS before startTls()");
            assertEquals("220 ready\n", readLine(plain));
            await(plain.writable().write("STARTTLS\n".getBytes(US_ASCII)));
            assertEquals("220 go ahead\n", readLine(plain));
            TcpSocket tls = plain.startTls();
            assertThrows(IllegalStateException.class, plain::startTls);
            ExecutionException old = assertThrows(ExecutionException.class,
                    () -> plain.writable().write(new byte[] { 1 }).toCompletableFuture().get(5, TimeUnit.SECONDS));
            assertInstanceOf(SocketClosedException.class, old.getCause());
            TcpOpenInfo up = await(tls.opened());
            assertTrue(up.tls().isPresent());
            assertEquals(up.tlsInfo().cipherSuite(), engine.admin().tls(id).orElseThrow().cipherSuite(), "after startTls()");
            assertThrows(IllegalStateException.class, tls::startTls);
            await(tls.writable().write("secret\n".getBytes(US_ASCII)));
            assertEquals("echo secret\n", readLine(tls));
            await(tls.close());
            peerDone.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void startTlsRefusedOnPlainSocket() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::echo)) {
            TcpSocket s = sockets.openTcp("127.0.0.1", peer.port());
            await(s.opened());
            assertThrows(IllegalStateException.class, s::startTls);
            await(s.close());
        }
    }

    @Test
    void opensslServerCrossCheck() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        Process p = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", "server.pem",
                "-key", "server.key", "-rev", "-naccept", "1", "-alpn", "rev-test").directory(pki.dir.toFile())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), US_ASCII));
            String line;
            while ((line = out.readLine()) != null && !line.contains("ACCEPT")) {
                // wait until it listens
            }
            TcpSocket s = sockets.openTcp("localhost", port, TcpSocketOptions.builder()
                    .connectTimeout(Duration.ofSeconds(20))
                    .tls(TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pki.caPem)
                            .alpnProtocols(List.of("rev-test")).build()).build());
            TcpOpenInfo info = await(s.opened());
            assertEquals("rev-test", info.tlsInfo().alpnProtocol());
            await(s.writable().write("abc\n".getBytes(US_ASCII)));
            String got = readLine(s);
            assertTrue(got.contains("cba"), got);
            await(s.close());
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void tlsHalfCloseKeepsReadingThePeersAnswer() throws Exception {
        SSLContext ctx = pki.serverContext();
        try (SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    long n = s.getInputStream().transferTo(OutputStream.nullOutputStream()); // until close_notify
                    s.getOutputStream().write(("got " + n + "\n").getBytes(US_ASCII));
                    s.getOutputStream().flush();
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            TcpSocket s = sockets.openTcp("127.0.0.1", server.getLocalPort(), TcpSocketOptions.builder()
                    .allowHalfOpen(true)
                    .tls(TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pki.caPem).build()).build());
            await(s.opened());
            byte[] block = new byte[64 * 1024];
            for (int i = 0; i < 32; i++) {
                await(s.writable().write(block.clone()));
            }
            await(s.writable().close()); // close_notify + FIN, reading goes on
            assertEquals("got " + 32 * block.length + "\n", readLine(s));
            ReadResult<ByteBuffer> end = await(s.readable().read());
            assertTrue(end.done());
            await(s.closed());
            peer.get(20, TimeUnit.SECONDS);
        }
    }
}
