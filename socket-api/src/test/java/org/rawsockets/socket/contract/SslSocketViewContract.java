package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Bytes.ascii;
import static org.rawsockets.socket.contract.Stages.PROMPT;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsOptions;

/**
 * The {@link javax.net.ssl.SSLSocket} view
 * ({@link SocketService#sslSocketFactory(TcpSocketOptions)}) against independent TLS peers (socat
 * with the test PKI) and a JDK peer for STARTTLS layering, used the way Java libraries use it:
 * settings before the handshake, {@code startHandshake}, {@code getSession}, layering over a plain
 * socket.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class SslSocketViewContract extends ContractSupport {

    private final TestPki pki = TestPki.get();

    private TcpSocketOptions trusting(java.nio.file.Path ca) {
        return TcpSocketOptions.builder().noDelay(true)
                .tls(TlsOptions.builder().trustedCertificatesPem(pki.read(ca)).build()).build();
    }

    /** socat's TLS echo; {@code nodelay}: socat's Nagle and our delayed ACK cost 40 ms per echo step. */
    private int socatTlsEcho() {
        return peer("socat", "-d", "-d", "-t", "30", "OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,nodelay,verify=0,cert="
                + pki.serverPem() + ",key=" + pki.serverKey(), "PIPE").awaitSocatPort();
    }

    @Test
    void echoThroughTlsWithTheSession() throws Exception {
        int port = socatTlsEcho();
        SSLSocketFactory f = service.sslSocketFactory(trusting(pki.caPem()));
        SSLSocket s = (SSLSocket) closeAfter(f.createSocket("127.0.0.1", port));
        s.setSoTimeout((int) PROMPT.toMillis());
        OutputStream out = s.getOutputStream(); // the first write starts the handshake
        out.write(ascii("hello tls view\n"));
        assertEquals("hello tls view\n", ascii(s.getInputStream().readNBytes(15)));
        SSLSession session = s.getSession();
        assertTrue(session.isValid(), "a valid session");
        assertTrue(session.getProtocol().startsWith("TLSv1."), session.getProtocol());
        assertEquals("CN=localhost",
                ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName(),
                "the server's leaf certificate");
        // 8 MiB through the echo in 16 KiB steps (socat's PIPE stalls with much more in flight), checksummed
        byte[] data = Bytes.random(8 * 1024 * 1024, 31);
        MessageDigest got = Bytes.sha256();
        for (int at = 0; at < data.length; at += 16 * 1024) {
            out.write(data, at, 16 * 1024);
            got.update(s.getInputStream().readNBytes(16 * 1024));
        }
        assertEquals(Bytes.hex(Bytes.sha256().digest(data)), Bytes.hex(got.digest()), "8 MiB echoed through TLS");
        s.close();
        assertTrue(s.isClosed(), "closed");
    }

    /** What an MQTT client does: unconnected socket, connect, narrow the protocols, SNI, handshake. */
    @Test
    void settingsBeforeTheHandshakeAreApplied() throws Exception {
        int port = socatTlsEcho();
        SSLSocketFactory f = service.sslSocketFactory(trusting(pki.caPem()));
        SSLSocket s = (SSLSocket) closeAfter(f.createSocket());
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setEnabledProtocols(new String[] { "TLSv1.2" });
        String suite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        s.setEnabledCipherSuites(new String[] { suite });
        SSLParameters p = s.getSSLParameters();
        assertEquals("HTTPS", p.getEndpointIdentificationAlgorithm(), "the bundle's host name verification");
        p.setEndpointIdentificationAlgorithm(null); // a library cannot turn verification off
        s.setSSLParameters(p);
        assertEquals("HTTPS", s.getSSLParameters().getEndpointIdentificationAlgorithm(), "still verifying");
        CompletableFuture<SSLSession> completed = new CompletableFuture<>();
        s.addHandshakeCompletedListener(e -> completed.complete(e.getSession()));
        s.setSoTimeout((int) PROMPT.toMillis());
        s.startHandshake();
        SSLSession session = s.getSession();
        assertEquals("TLSv1.2", session.getProtocol(), "the library's protocol choice");
        assertEquals(suite, session.getCipherSuite(), "the library's cipher suite choice");
        assertEquals(session, completed.get(PROMPT.toSeconds(), TimeUnit.SECONDS), "listener told");
        assertEquals("", s.getApplicationProtocol(), "no ALPN negotiated");
        s.getOutputStream().write(ascii("x"));
        assertEquals('x', s.getInputStream().read());
    }

    @Test
    void aLibraryCannotWidenTheBundlesTlsOptions() throws Exception {
        SSLSocketFactory f = service.sslSocketFactory(TcpSocketOptions.builder()
                .tls(TlsOptions.builder().protocols("TLSv1.3").build()).build());
        SSLSocket s = (SSLSocket) closeAfter(f.createSocket());
        assertArrayEquals(new String[] { "TLSv1.3" }, s.getEnabledProtocols(), "the bundle's protocols");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.setEnabledProtocols(new String[] { "TLSv1.2" }), "widening to TLSv1.2");
        assertTrue(e.getMessage().contains("TLSv1.2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.setUseClientMode(false), "server mode");
        assertThrows(IllegalArgumentException.class,
                () -> s.setEnabledCipherSuites(new String[] { "NOT_A_SUITE" }), "unknown suite");
    }

    @Test
    void anUntrustedServerFailsTheHandshake() throws Exception {
        int port = socatTlsEcho();
        SSLSocketFactory f = service.sslSocketFactory(trusting(pki.otherCaPem()));
        SSLSocket s = (SSLSocket) closeAfter(f.createSocket("127.0.0.1", port));
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, s::startHandshake,
                "a server signed by another CA");
        assertTrue(e.getMessage().contains(String.valueOf(port)), "names the destination: " + e.getMessage());
        assertFalse(s.getSession().isValid(), "an invalid session after a failed handshake, as the JDK's");
        assertTrue(s.isClosed(), "closed after the failed handshake");
    }

    @Test
    void sniFromTheLibraryIsSent() throws Exception {
        int port = peer("socat", "-d", "-d", "-t", "30", "OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,verify=0,cert="
                + pki.sniPem() + ",key=" + pki.sniKey(), "PIPE").awaitSocatPort();
        SSLSocketFactory f = service.sslSocketFactory(trusting(pki.caPem()));
        SSLSocket s = (SSLSocket) closeAfter(f.createSocket());
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(TestPki.SNI_NAME)));
        s.setSSLParameters(p);
        s.startHandshake(); // verified against the SNI name: the certificate is for it, not for 127.0.0.1
        assertEquals("CN=" + TestPki.SNI_NAME, ((X509Certificate) s.getSession().getPeerCertificates()[0])
                .getSubjectX500Principal().getName());
    }

    /** STARTTLS as mail and database drivers do it: layer an SSLSocket over the plain socket. */
    @Test
    void layeringOverAPlainSocketUpgradesInPlace() throws Exception {
        JdkServer server = jdkServer();
        CompletableFuture<String> peerResult = CompletableFuture.supplyAsync(() -> {
            try {
                Socket plain = server.accept();
                OutputStream out = plain.getOutputStream();
                out.write(ascii("220 ready\r\n"));
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII), 1);
                String command = in.readLine();
                if (!"STARTTLS".equals(command)) {
                    return "unexpected command " + command;
                }
                out.write(ascii("220 go ahead\r\n"));
                SSLSocket tls = (SSLSocket) pki.serverContext().getSocketFactory().createSocket(plain,
                        plain.getInetAddress().getHostAddress(), plain.getPort(), true);
                tls.setUseClientMode(false);
                tls.startHandshake();
                BufferedReader tin = new BufferedReader(
                        new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
                String line = tin.readLine();
                tls.getOutputStream().write(ascii(line.toUpperCase(Locale.ROOT) + "\r\n"));
                tls.getOutputStream().flush();
                return tls.getSession().getProtocol() + " " + line + " " + tin.read();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        TcpSocketOptions options = trusting(pki.caPem());
        Socket plain = closeAfter(service.socketFactory(options).createSocket("127.0.0.1", server.port()));
        plain.setSoTimeout((int) PROMPT.toMillis());
        assertEquals("220 ready\r\n", ascii(plain.getInputStream().readNBytes(11)));
        plain.getOutputStream().write(ascii("STARTTLS\r\n"));
        assertEquals("220 go ahead\r\n", ascii(plain.getInputStream().readNBytes(14)));

        SSLSocket tls = (SSLSocket) service.sslSocketFactory(options).createSocket(plain, "127.0.0.1",
                server.port(), true);
        tls.setSoTimeout((int) PROMPT.toMillis());
        tls.startHandshake();
        assertTrue(tls.getSession().getProtocol().startsWith("TLSv1."), tls.getSession().getProtocol());
        assertThrows(SocketException.class, () -> plain.getInputStream().read(),
                "the plain socket's stream after the upgrade");
        tls.getOutputStream().write(ascii("secret hello\r\n"));
        assertEquals("SECRET HELLO\r\n", ascii(tls.getInputStream().readNBytes(14)));
        tls.close(); // autoClose: the plain socket closes too; the peer reads the end
        assertTrue(plain.isClosed(), "autoClose closed the underlying socket");
        String result = peerResult.get(PROMPT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(result.endsWith(" secret hello -1"), "the peer read our line over TLS, then the end: " + result);
    }

    @Test
    void layeringOverAForeignSocketIsRefused() throws Exception {
        JdkServer server = jdkServer();
        try (Socket foreign = new Socket("127.0.0.1", server.port())) {
            SocketException e = assertThrows(SocketException.class,
                    () -> service.sslSocketFactory().createSocket(foreign, "127.0.0.1", server.port(), true),
                    "a java.net.Socket opened outside the service");
            assertTrue(e.getMessage().contains("outside the socket service"), e.getMessage());
        }
        Socket unconnected = closeAfter(service.socketFactory().createSocket());
        assertInstanceOf(SocketException.class, assertThrows(IOException.class,
                () -> service.sslSocketFactory().createSocket(unconnected, "x", 1, true)), "an unconnected socket");
    }
}
