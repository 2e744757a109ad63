package org.rawsockets.socket.mina.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * Named endpoints: the operator's TLS mode, server name and trust win over the bundle's options
 * (issue 10, item 5). The composition table as a unit test, then the cases that matter through the
 * engine against real TLS peers (JDK TLS servers with the openssl-made test PKI).
 */
class EndpointTlsTest {

    static final X509TrustManager TRUST_ALL = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    MinaSocketEngine engine;
    MinaSocketEngine.OwnedSocketService sockets;
    TestPki pki;

    @BeforeEach
    void start() throws Exception {
        pki = TestPki.get();
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "endpoint.test"));
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    static MinaSocketEngine.Endpoint endpoint(String host, int port, TlsMode tls, String serverName, String caPem) {
        return new MinaSocketEngine.Endpoint(new EndpointInfo("mail", host, port, tls, serverName, ""), caPem);
    }

    static TcpSocketOptions tls(TlsOptions t) {
        return TcpSocketOptions.builder().tls(t).build();
    }

    // ------------------------------------------------------------------ the table, unit level

    @ParameterizedTest(name = "bundle {0} + endpoint {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            OFF      | OFF      | OFF
            OFF      | ON       | ON
            OFF      | STARTTLS | refused
            ON       | OFF      | refused
            ON       | ON       | ON
            ON       | STARTTLS | refused
            STARTTLS | OFF      | refused
            STARTTLS | ON       | refused
            STARTTLS | STARTTLS | STARTTLS
            """)
    void modeComposition(TlsMode bundle, TlsMode endpoint, String expected) {
        MinaSocketEngine.Endpoint e = endpoint("mail.example.org", 2525, endpoint, null, null);
        TlsOptions asked = TlsOptions.builder().mode(bundle).build();
        if (expected.equals("refused")) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> EndpointTls.forOpen(e, asked));
            assertTrue(x.getMessage().contains("TlsMode." + bundle) && x.getMessage().contains("endpoint 'mail'")
                    && x.getMessage().contains("tls=" + endpoint), x.getMessage());
        } else {
            TlsOptions got = EndpointTls.forOpen(e, asked);
            assertEquals(TlsMode.valueOf(expected), got.mode());
            if (got.mode() != TlsMode.OFF) {
                assertTrue(got.verifyHostname());
            }
        }
    }

    @ParameterizedTest(name = "bundle option {0} with a TLS endpoint is refused")
    @ValueSource(strings = { "trustManager", "trustedCertificatesPem", "verifyHostname=false", "serverName=other.example" })
    void bundleTrustNeverReplacesTheEndpointsTrust(String option) {
        TlsOptions.Builder b = TlsOptions.builder().mode(TlsMode.ON);
        switch (option) {
            case "trustManager" -> b.trustManager(TRUST_ALL);
            case "trustedCertificatesPem" -> b.trustedCertificatesPem(pki.caPem);
            case "verifyHostname=false" -> b.verifyHostname(false);
            default -> b.serverName("other.example");
        }
        TlsOptions asked = b.build();
        for (String caPem : new String[] { null, pki.caPem }) { // with and without the operator's CA pin
            MinaSocketEngine.Endpoint e = endpoint("mail.example.org", 465, TlsMode.ON, null, caPem);
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> EndpointTls.forOpen(e, asked));
            assertTrue(x.getMessage().contains("endpoint 'mail'") && x.getMessage().contains("operator"), x.getMessage());
            // STARTTLS: the same at the upgrade
            TlsOptions opened = EndpointTls.forOpen(endpoint("mail.example.org", 587, TlsMode.STARTTLS, null, caPem),
                    TlsOptions.builder().mode(TlsMode.STARTTLS).build());
            assertThrows(IllegalArgumentException.class,
                    () -> EndpointTls.forStartTls("mail", "mail.example.org", opened, asked));
        }
    }

    @Test
    void whatTheBundleMayStillChooseIsKeptAndTheTrustIsTheEndpoints() {
        MinaSocketEngine.Endpoint e = endpoint("10.0.0.5", 465, TlsMode.ON, "mail.example.org", pki.caPem);
        TlsOptions asked = TlsOptions.builder().mode(TlsMode.ON).serverName("MAIL.example.org").alpnProtocols("smtp")
                .protocols("TLSv1.3").clientCertificate(pki.clientPem, pki.clientKey).build();
        TlsOptions got = EndpointTls.forOpen(e, asked);
        assertEquals(TlsMode.ON, got.mode());
        assertEquals("mail.example.org", got.serverName().orElseThrow());
        assertEquals(pki.caPem, got.trustedCertificatesPem().orElseThrow());
        assertTrue(got.trustManager().isEmpty() && got.verifyHostname());
        assertEquals(List.of("smtp"), got.alpnProtocols());
        assertEquals(List.of("TLSv1.3"), got.protocols());
        assertEquals(pki.clientPem, got.clientCertificatePem().orElseThrow());
        // the endpoint's host is the name to verify when it sets no serverName: the same name is fine
        TlsOptions same = EndpointTls.forOpen(endpoint("mail.example.org", 465, TlsMode.ON, null, null),
                TlsOptions.builder().mode(TlsMode.ON).serverName("mail.example.org").build());
        assertEquals("mail.example.org", same.serverName().orElseThrow());
        // startTls keeps the endpoint's trust even when the bundle passes other (harmless) options
        TlsOptions opened = EndpointTls.forOpen(endpoint("mail.example.org", 587, TlsMode.STARTTLS, null, pki.caPem),
                TlsOptions.builder().mode(TlsMode.STARTTLS).build());
        TlsOptions upgrade = EndpointTls.forStartTls("mail", "mail.example.org", opened,
                TlsOptions.builder().alpnProtocols("smtp").build());
        assertEquals(pki.caPem, upgrade.trustedCertificatesPem().orElseThrow());
        assertEquals(List.of("smtp"), upgrade.alpnProtocols());
    }

    // ------------------------------------------------------------------ through the engine

    @Test
    void aPlainEndpointRefusesABundleThatAsksForTlsInsteadOfDowngradingIt() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::echo)) {
            engine.putEndpoint(endpoint("127.0.0.1", peer.port(), TlsMode.OFF, null, null));
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                    () -> sockets.openTcpEndpoint("mail", tls(TlsOptions.builder().mode(TlsMode.ON).build())));
            assertTrue(x.getMessage().contains("TlsMode.ON") && x.getMessage().contains("tls=OFF"), x.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> sockets.openTcpEndpoint("mail", tls(TlsOptions.builder().mode(TlsMode.STARTTLS).build())));
            TcpSocket plain = sockets.openTcpEndpoint("mail", TcpSocketOptions.defaults());
            assertTrue(TlsEngineTest.await(plain.opened()).tls().isEmpty());
            TlsEngineTest.await(plain.close());
        }
    }

    @Test
    void aBundleTrustManagerNeverBeatsTheEndpointsCaPin() throws Exception {
        try (TlsEngineTest.TlsPeer peer = new TlsEngineTest.TlsPeer(pki.serverContext(), false)) {
            // the operator pins a certificate that does not vouch for this server
            engine.putEndpoint(endpoint("localhost", peer.port(), TlsMode.ON, null, pki.clientPem));
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> sockets.openTcpEndpoint(
                    "mail", tls(TlsOptions.builder().mode(TlsMode.ON).trustManager(TRUST_ALL).build())));
            assertTrue(x.getMessage().contains("trust manager") && x.getMessage().contains("endpoint 'mail'"), x.getMessage());
            // without the bundle's trust manager the pin decides: the handshake fails
            TcpSocket s = sockets.openTcpEndpoint("mail", TcpSocketOptions.defaults());
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> s.opened().toCompletableFuture().get(20, TimeUnit.SECONDS));
            assertInstanceOf(NetworkException.class, e.getCause());
        }
    }

    @Test
    void verifyHostnameFalseNeverBeatsTheEndpointsServerName() throws Exception {
        try (TlsEngineTest.TlsPeer peer = new TlsEngineTest.TlsPeer(pki.serverContext(), false)) {
            engine.putEndpoint(endpoint("127.0.0.1", peer.port(), TlsMode.ON, "wrong.example", pki.caPem));
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> sockets.openTcpEndpoint(
                    "mail", tls(TlsOptions.builder().mode(TlsMode.ON).verifyHostname(false).build())));
            assertTrue(x.getMessage().contains("verifyHostname(false)"), x.getMessage());
        }
    }

    @Test
    void aTlsEndpointWrapsAPlainBundleInTlsWithTheEndpointsTrust() throws Exception {
        try (TlsEngineTest.TlsPeer peer = new TlsEngineTest.TlsPeer(pki.serverContext(), false)) {
            engine.putEndpoint(endpoint("127.0.0.1", peer.port(), TlsMode.ON, "localhost", pki.caPem));
            TcpSocket s = sockets.openTcpEndpoint("mail", TcpSocketOptions.defaults());
            TcpOpenInfo info = TlsEngineTest.await(s.opened());
            assertTrue(info.tls().isPresent());
            assertEquals("localhost", peer.sni.get(20, TimeUnit.SECONDS));
            TlsEngineTest.await(s.writable().write("hi\n".getBytes(US_ASCII)));
            assertEquals("echo hi\n", TlsEngineTest.readLine(s));
            TlsEngineTest.await(s.close());
        }
    }

    @Test
    void startTlsOnAStartTlsEndpointKeepsTheEndpointsTrust() throws Exception {
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
                    SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", plain.getPort(),
                            false);
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    TlsEngineTest.echoLines(tls.getInputStream(), tls.getOutputStream());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            engine.putEndpoint(endpoint("localhost", server.getLocalPort(), TlsMode.STARTTLS, null, pki.caPem));
            TlsOptions bundle = TlsOptions.builder().mode(TlsMode.STARTTLS).build();
            TcpSocket plain = sockets.openTcpEndpoint("mail", tls(bundle));
            assertTrue(TlsEngineTest.await(plain.opened()).tls().isEmpty());
            assertEquals("220 ready\n", TlsEngineTest.readLine(plain));
            TlsEngineTest.await(plain.writable().write("STARTTLS\n".getBytes(US_ASCII)));
            assertEquals("220 go ahead\n", TlsEngineTest.readLine(plain));
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                    () -> plain.startTls(TlsOptions.builder().trustManager(TRUST_ALL).build()));
            assertTrue(x.getMessage().contains("in startTls() endpoint 'mail'"), x.getMessage());
            // the bundle's own options carry no trust: the upgrade is checked against the endpoint's CA
            TcpSocket tls = plain.startTls(bundle);
            assertTrue(TlsEngineTest.await(tls.opened()).tls().isPresent());
            TlsEngineTest.await(tls.writable().write("secret\n".getBytes(US_ASCII)));
            assertEquals("echo secret\n", TlsEngineTest.readLine(tls));
            TlsEngineTest.await(tls.close());
            peerDone.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void probeOfAStartTlsEndpointOpensInTheEndpointsMode() throws Exception {
        try (Peers.Server peer = new Peers.Server(Peers::echo)) {
            engine.putEndpoint(endpoint("127.0.0.1", peer.port(), TlsMode.STARTTLS, null, null));
            String out = new org.rawsockets.socket.mina.internal.shell.SocketCommands(engine.admin(), sockets).probe("mail");
            assertTrue(out.startsWith("probe endpoint mail: open in") && out.contains("  tls      none"), out);
        }
    }
}
