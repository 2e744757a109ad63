package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Bytes.ascii;
import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;
import static org.rawsockets.socket.contract.Stages.awaitFailure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * TLS against independent peers ({@code openssl s_server}, {@code socat OPENSSL-LISTEN}) with a
 * PKI the test makes with the openssl command line ({@link TestPki}). STARTTLS uses a JDK peer:
 * the upgrade needs a peer that speaks a plain-text prelude and then switches on the same
 * connection, which neither tool does.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class TlsContract extends ContractSupport {

    private final TestPki pki = TestPki.get();

    /** Options trusting only the test CA. */
    private TlsOptions.Builder trustTestCa() {
        return TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pki.read(pki.caPem()));
    }

    private static TcpSocketOptions tcp(TlsOptions tls) {
        return TcpSocketOptions.builder().tls(tls).build();
    }

    /**
     * {@code openssl s_server -rev} on 127.0.0.1 (answers each line reversed), with the localhost
     * certificate plus {@code extra} arguments; returns the port once it logged ACCEPT. s_server
     * cannot report an ephemeral port, so a free one is picked first and the start retried if it was
     * taken meanwhile.
     */
    private int sServer(PeerProcess[] handle, String... extra) throws IOException {
        for (int attempt = 0; ; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                    "-cert", pki.serverPem().toString(), "-key", pki.serverKey().toString(), "-rev"));
            cmd.addAll(List.of(extra));
            PeerProcess p = peer(cmd.toArray(String[]::new));
            try {
                p.awaitLog("ACCEPT", PROMPT);
                handle[0] = p;
                return port;
            } catch (AssertionError e) {
                if (attempt >= 2 || p.process().isAlive()) {
                    throw e;
                }
            }
        }
    }

    private int sServer(String... extra) throws IOException {
        return sServer(new PeerProcess[1], extra);
    }

    private static void assertReversedEcho(TcpSocket socket) {
        await(socket.writable().write(ascii("hello tls\n")), "write");
        assertEquals("slt olleh\n", ascii(Bytes.readExactly(socket.readable(), 10)), "s_server -rev answer");
    }

    @Test
    void tlsWithTheTestCa() throws IOException {
        int port = sServer();
        TcpSocket socket = service.openTcp("127.0.0.1", port, tcp(trustTestCa().build()));
        TcpOpenInfo open = await(socket.opened(), "TLS open");
        TlsInfo tls = open.tls().orElseThrow(() -> new AssertionError("TLS info missing after a TLS open"));
        assertTrue(tls.protocol().startsWith("TLSv1."), "protocol " + tls.protocol());
        assertTrue(!tls.cipherSuite().isBlank(), "cipher suite");
        assertEquals("CN=localhost", tls.peerCertificates().get(0).getSubjectX500Principal().getName(),
                "the server's leaf certificate");
        assertNull(tls.serverName(), "no SNI for an IP literal destination");
        assertTrue(tls.alpn().isEmpty(), "no ALPN offered, none negotiated");
        assertReversedEcho(socket);
        await(socket.close(), "close");
    }

    /**
     * A second connection with equal options (built anew: equal values, not the same object) to the
     * same server resumes the first one's TLS session (TLS 1.3 pre-shared key, TLS 1.2 session ID or
     * ticket), keeping the chain verified the first time; other trust material is another
     * configuration, with its own full handshake; a server that keeps no sessions ({@code s_server
     * -no_ticket -no_cache}) gets a full handshake every time.
     */
    @Test
    void secondConnectionToTheSameServerResumesTheSession() throws IOException {
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            int port = sServer();
            TlsInfo first = echoOnce(port, trustTestCa().protocols(protocol).build());
            TlsInfo second = echoOnce(port, trustTestCa().protocols(protocol).build());
            assertEquals(protocol, second.protocol());
            assertTrue(!first.resumed(), protocol + ": the first handshake is a full one");
            assertTrue(second.resumed(), protocol + ": the second connection with equal options resumed the session");
            assertEquals(first.peerCertificates(), second.peerCertificates(), protocol + ": the verified chain");
            String bothCas = pki.read(pki.caPem()) + pki.read(pki.otherCaPem());
            TlsInfo otherTrust = echoOnce(port,
                    TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(bothCas).protocols(protocol).build());
            assertTrue(!otherTrust.resumed(), protocol + ": other trust material resumed a session it did not verify");
        }
        int port = sServer("-no_ticket", "-no_cache");
        for (int i = 0; i < 2; i++) {
            assertTrue(!echoOnce(port, trustTestCa().build()).resumed(),
                    "connection " + i + " to a server without a session cache: a full handshake");
        }
    }

    /** Opens a TLS socket, checks the s_server echo, closes it; its TlsInfo. */
    private TlsInfo echoOnce(int port, TlsOptions tls) {
        TcpSocket socket = service.openTcp("127.0.0.1", port, tcp(tls));
        TlsInfo info = await(socket.opened(), "TLS open").tls().orElseThrow();
        assertReversedEcho(socket); // also: a TLS 1.3 ticket sent after the handshake has been read
        await(socket.close(), "close");
        return info;
    }

    /** 8 MiB through socat's TLS echo, checksummed: TLS framing under backpressure. */
    @Test
    void bulkThroughTlsEcho() throws Exception {
        int port = peer("socat", "-d", "-d", "-t", "30",
                "OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,verify=0,cert=" + pki.serverPem() + ",key="
                        + pki.serverKey(),
                "PIPE").awaitSocatPort();
        TcpSocket socket = service.openTcp("localhost", port,
                TcpSocketOptions.builder().dnsQueryType(org.rawsockets.socket.DnsQueryType.IPV4)
                        .tls(trustTestCa().build()).build());
        assertTrue(await(socket.opened(), "TLS open to socat").tls().isPresent(), "TLS info");
        int total = 8 * 1024 * 1024;
        Bytes.windowedEcho(socket, total, 16 * 1024, 48 * 1024);
        assertEquals(total, socket.info().bytesIn(), "bytesIn counts payload, not TLS records");
    }

    /** 4 MiB up through TLS to {@code sha256sum} behind socat: the peer's checksum matches ours. */
    @Test
    void uploadThroughTlsMatchesThePeersChecksum() {
        PeerProcess socat = peer("socat", "-d", "-d", "-t", "30",
                "OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,verify=0,cert=" + pki.serverPem() + ",key="
                        + pki.serverKey(),
                "SYSTEM:sha256sum");
        int port = socat.awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port, tcp(trustTestCa().build()));
        await(socket.opened(), "TLS open");
        byte[] data = Bytes.random(4 * 1024 * 1024, 77);
        Bytes.writeAll(socket.writable(), data, 64 * 1024);
        await(socket.writable().close(), "close_notify + FIN after the data");
        String reply = ascii(Bytes.readToEnd(socket.readable(), 1024)).trim();
        assertEquals(Bytes.hex(Bytes.sha256().digest(data)), reply.split("\\s+")[0],
                () -> "sha256sum of what the peer got; socat's log:\n" + socat.log());
        assertEquals(data.length, socket.info().bytesOut(), "bytesOut counts payload");
    }

    /** 8 MiB down through TLS from a file socat sends: our checksum matches the file's. */
    @Test
    void downloadThroughTlsMatchesTheFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws IOException {
        byte[] data = Bytes.random(8 * 1024 * 1024, 78);
        java.nio.file.Path file = java.nio.file.Files.write(tmp.resolve("tls-payload.bin"), data);
        int port = peer("socat", "-d", "-d", "-t", "30",
                "OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,verify=0,cert=" + pki.serverPem() + ",key="
                        + pki.serverKey(),
                "OPEN:" + file + ",rdonly").awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port, tcp(trustTestCa().build()));
        await(socket.opened(), "TLS open");
        byte[] got = Bytes.readToEnd(socket.readable(), data.length);
        assertEquals(Bytes.hex(Bytes.sha256().digest(data)), Bytes.hex(Bytes.sha256().digest(got)),
                "sha-256 of " + got.length + " bytes received through TLS");
        assertEquals(data.length, socket.info().bytesIn(), "bytesIn counts payload");
    }

    /** s_server presents its second certificate only to clients that send SNI {@link TestPki#SNI_NAME}. */
    @Test
    void sniIsSentAndReported() throws IOException {
        int port = sServer("-servername", TestPki.SNI_NAME, "-cert2", pki.sniPem().toString(), "-key2",
                pki.sniKey().toString());
        TcpSocket socket = service.openTcp("127.0.0.1", port,
                tcp(trustTestCa().serverName(TestPki.SNI_NAME).build()));
        TlsInfo tls = await(socket.opened(), "TLS open with SNI").tls().orElseThrow();
        assertEquals(TestPki.SNI_NAME, tls.serverName(), "reported SNI");
        assertEquals("CN=" + TestPki.SNI_NAME, tls.peerCertificates().get(0).getSubjectX500Principal().getName(),
                "the peer chose its certificate by our SNI");
        assertReversedEcho(socket);
    }

    @Test
    void alpnIsNegotiatedAndReported() throws IOException {
        int port = sServer("-alpn", "h2,http/1.1");
        TcpSocket socket = service.openTcp("127.0.0.1", port,
                tcp(trustTestCa().alpnProtocols("contract/1", "http/1.1").build()));
        TlsInfo tls = await(socket.opened(), "TLS open with ALPN").tls().orElseThrow();
        assertEquals("http/1.1", tls.alpnProtocol(), "the one protocol both offered");
        assertReversedEcho(socket);
    }

    @Test
    void mutualTls() throws IOException {
        int port = sServer("-Verify", "1", "-CAfile", pki.caPem().toString(), "-verify_return_error");
        TcpSocket socket = service.openTcp("127.0.0.1", port, tcp(trustTestCa()
                .clientCertificate(pki.read(pki.clientPem()), pki.read(pki.clientKey())).build()));
        await(socket.opened(), "mutual TLS open");
        // s_server runs with -Verify 1 -verify_return_error: it answers only after it verified a
        // client certificate against the test CA (the next test shows it refuses us without one).
        assertReversedEcho(socket);
    }

    /**
     * TLS 1.2 so the failure is part of the handshake: with TLS 1.3 a server rejects a missing client
     * certificate only after the client's handshake is complete (see the next test).
     */
    @Test
    void mutualTlsWithoutAClientCertificateFailsTheOpen() throws IOException {
        int port = sServer("-Verify", "1", "-CAfile", pki.caPem().toString(), "-verify_return_error");
        TcpSocket socket = service.openTcp("127.0.0.1", port, tcp(trustTestCa().protocols("TLSv1.2").build()));
        NetworkException e = awaitFailure(socket.opened(), NetworkException.class, "open without a client cert");
        assertTrue(e.getMessage().contains(String.valueOf(port)), "message names the destination: " + e.getMessage());
    }

    /** TLS 1.3: the rejection may arrive after opened(); then the first read fails. Either is a NetworkException. */
    @Test
    void mutualTlsWithoutAClientCertificateFailsTls13() throws IOException {
        int port = sServer("-Verify", "1", "-CAfile", pki.caPem().toString(), "-verify_return_error");
        TcpSocket socket = service.openTcp("127.0.0.1", port, tcp(trustTestCa().protocols("TLSv1.3").build()));
        CompletableFuture<TcpOpenInfo> open = Stages.future(socket.opened());
        Throwable failure = open.handle((v, e) -> e).join();
        if (failure == null) {
            socket.writable().write(ascii("hello\n"));
            awaitFailure(socket.readable().read(), NetworkException.class, "read after the server refused us");
        } else {
            assertTrue(Stages.unwrap(failure) instanceof NetworkException, "open failed with " + failure);
        }
    }

    @Test
    void hostnameMismatchIsANetworkErrorNamingTheName() throws IOException {
        int port = sServer();
        TcpSocket socket = service.openTcp("127.0.0.1", port,
                tcp(trustTestCa().serverName("wrong.contract.test").build()));
        NetworkException e = awaitFailure(socket.opened(), NetworkException.class, "open with a mismatching name");
        assertTrue(e.getMessage().contains("wrong.contract.test"),
                "the message names the name the certificate does not match: " + e.getMessage());
        assertEquals(NetworkException.Reason.TLS_CERTIFICATE, e.reason(), "reason of " + e);
    }

    @Test
    void hostnameVerificationCanBeTurnedOff() throws IOException {
        int port = sServer();
        TcpSocket socket = service.openTcp("127.0.0.1", port,
                tcp(trustTestCa().serverName("wrong.contract.test").verifyHostname(false).build()));
        await(socket.opened(), "open with verifyHostname(false)");
        assertReversedEcho(socket);
    }

    @Test
    void untrustedCaIsANetworkError() throws IOException {
        int port = sServer();
        TlsOptions otherCa = TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pki.read(pki.otherCaPem()))
                .build();
        NetworkException e = awaitFailure(service.openTcp("127.0.0.1", port, tcp(otherCa)).opened(),
                NetworkException.class, "open to a server signed by an untrusted CA");
        assertTrue(e.getMessage().contains(String.valueOf(port)), "message names the destination: " + e.getMessage());
        NetworkException jdk = awaitFailure(
                service.openTcp("127.0.0.1", port, tcp(TlsOptions.builder().mode(TlsMode.ON).build())).opened(),
                NetworkException.class, "open with the JDK trust store to a test-CA server");
        assertTrue(jdk.getMessage() != null, "message");
        assertEquals(NetworkException.Reason.TLS_CERTIFICATE, e.reason(), "reason of " + e);
        assertEquals(NetworkException.Reason.TLS_CERTIFICATE, jdk.reason(), "reason of " + jdk);
    }

    /**
     * A peer that does not speak TLS (socat relaying plain text, as a misconfigured port would):
     * the handshake fails as a TLS protocol error, not a certificate one. socat keeps the connection
     * open, so the failure is the TLS engine's, not the peer's close.
     */
    @Test
    void plainTextPeerIsATlsProtocolError() throws IOException {
        PeerProcess peer = socatTcpStdio();
        int port = peer.awaitSocatPort();
        peer.stdin().write(ascii("220 plain.contract.test ESMTP this is not TLS\r\n"));
        peer.stdin().flush();
        NetworkException e = awaitFailure(service.openTcp("127.0.0.1", port, tcp(trustTestCa().build())).opened(),
                NetworkException.class, "TLS open to a plain-text peer");
        assertTrue(e.getMessage().contains(String.valueOf(port)), "message names the destination: " + e.getMessage());
        assertEquals(NetworkException.Reason.TLS_PROTOCOL, e.reason(), "reason of " + e);
    }

    /** connectTimeout covers the TLS handshake: a peer that accepts but never answers the ClientHello. */
    @Test
    void connectTimeoutCoversTheHandshake() throws IOException {
        JdkServer silent = jdkServer();
        TcpSocket socket = service.openTcp("127.0.0.1", silent.port(), TcpSocketOptions.builder()
                .connectTimeout(Duration.ofSeconds(1)).tls(trustTestCa().build()).build());
        silent.accept(); // TCP is connected; the peer reads nothing and says nothing
        org.rawsockets.socket.TimedOutException e = awaitFailure(socket.opened(),
                org.rawsockets.socket.TimedOutException.class, "TLS open to a silent peer");
        assertTrue(e.getMessage().contains(String.valueOf(silent.port())), "message names the destination: "
                + e.getMessage());
    }

    /** A plain prelude, then TLS on the same connection: the JDK peer speaks an SMTP-like STARTTLS. */
    @Test
    void startTlsUpgradesInPlace() throws Exception {
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
                return tls.getSession().getProtocol() + " " + line;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });

        TcpSocket socket = service.openTcp("127.0.0.1", server.port(),
                tcp(trustTestCa().mode(TlsMode.STARTTLS).build()));
        TcpOpenInfo plainInfo = await(socket.opened(), "plain open of a starttls socket");
        assertTrue(plainInfo.tls().isEmpty(), "no TLS before the upgrade");
        assertEquals("220 ready\r\n", ascii(Bytes.readExactly(socket.readable(), 11)));
        await(socket.writable().write(ascii("STARTTLS\r\n")), "STARTTLS command");
        assertEquals("220 go ahead\r\n", ascii(Bytes.readExactly(socket.readable(), 14)));

        TcpSocket tls = socket.startTls();
        TlsInfo info = await(tls.opened(), "TLS handshake after STARTTLS").tls()
                .orElseThrow(() -> new AssertionError("TLS info after startTls"));
        assertTrue(info.protocol().startsWith("TLSv1."), info.protocol());
        awaitFailure(socket.readable().read(), SocketClosedException.class, "old readable after startTls");
        awaitFailure(socket.writable().write(ascii("x")), SocketClosedException.class, "old writable after startTls");
        assertThrows(IllegalStateException.class, socket::startTls, "startTls twice");
        assertThrows(IllegalStateException.class, tls::startTls, "startTls on the upgraded socket");

        await(tls.writable().write(ascii("secret hello\r\n")), "write over TLS");
        assertEquals("SECRET HELLO\r\n", ascii(Bytes.readExactly(tls.readable(), 14)));
        assertTrue(peerResult.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS).endsWith(" secret hello"),
                "the peer read our line over TLS");
        await(tls.close(), "close the upgraded socket");
    }

    @Test
    void startTlsIsRefusedOnPlainAndImplicitTlsSockets() throws IOException {
        int echo = socatTcpEcho();
        TcpSocket plain = service.openTcp("127.0.0.1", echo);
        await(plain.opened(), "plain open");
        assertThrows(IllegalStateException.class, plain::startTls, "startTls on a TlsMode.OFF socket");

        int port = sServer();
        TcpSocket implicit = service.openTcp("127.0.0.1", port, tcp(trustTestCa().build()));
        await(implicit.opened(), "TLS open");
        assertThrows(IllegalStateException.class, implicit::startTls, "startTls on a TlsMode.ON socket");
    }

    @Test
    void startTlsBeforeTheOpenIsRefused() throws IOException {
        FullBacklogListener pending = fullBacklogListener();
        TcpSocket socket = service.openTcp("127.0.0.1", pending.port(),
                TcpSocketOptions.builder().connectTimeout(Duration.ofSeconds(60))
                        .tls(trustTestCa().mode(TlsMode.STARTTLS).build()).build());
        assertThrows(IllegalStateException.class, socket::startTls, "startTls while the open is pending");
    }

    // ------------------------------------------------------------------ STARTTLS hardening

    /**
     * The JDK peer of the STARTTLS tests: for each of {@code connections} connections it sends
     * {@code greeting}, reads the STARTTLS command, answers {@code goAhead} (+ {@code injected}, in the
     * same write), then runs the TLS server handshake with the test PKI and, if it succeeds, echoes
     * one line upper-cased. Handshake failures are expected by some tests and only counted.
     */
    private CompletableFuture<Integer> startTlsPeer(JdkServer server, int connections, String greeting, String goAhead,
            String injected) {
        return startTlsPeer(server, connections, greeting, goAhead, injected, null);
    }

    /**
     * As above; with {@code injectDelayNanos}, {@code injected} goes in a write of its own that many
     * nanoseconds (per connection index) after the reply: a spread of arrival times around the
     * client's startTls() call, not a synchronisation.
     */
    private CompletableFuture<Integer> startTlsPeer(JdkServer server, int connections, String greeting, String goAhead,
            String injected, java.util.function.IntToLongFunction injectDelayNanos) {
        return CompletableFuture.supplyAsync(() -> {
            int handshakes = 0;
            for (int i = 0; i < connections; i++) {
                try (Socket plain = server.accept()) {
                    OutputStream out = plain.getOutputStream();
                    out.write(ascii(greeting));
                    out.flush();
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII), 1);
                    String command = in.readLine();
                    if (!"STARTTLS".equals(command)) {
                        continue;
                    }
                    if (injectDelayNanos == null) {
                        out.write(ascii(goAhead + injected));
                    } else {
                        plain.setTcpNoDelay(true);
                        out.write(ascii(goAhead));
                        out.flush();
                        long until = System.nanoTime() + injectDelayNanos.applyAsLong(i);
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        out.write(ascii(injected));
                    }
                    out.flush();
                    SSLSocket tls = (SSLSocket) pki.serverContext().getSocketFactory().createSocket(plain,
                            plain.getInetAddress().getHostAddress(), plain.getPort(), true);
                    tls.setUseClientMode(false);
                    try {
                        tls.startHandshake();
                        handshakes++;
                        String line = new BufferedReader(new InputStreamReader(tls.getInputStream(),
                                StandardCharsets.US_ASCII)).readLine();
                        if (line != null) {
                            tls.getOutputStream().write(ascii(line.toUpperCase(Locale.ROOT) + "\r\n"));
                            tls.getOutputStream().flush();
                        }
                    } catch (IOException expected) {
                        // the client refused the handshake (or the connection was closed)
                    }
                } catch (IOException e) {
                    // the client went away; next connection
                }
            }
            return handshakes;
        });
    }

    /** Reads from {@code in} up to and including the next LF (byte by byte: nothing beyond it is consumed). */
    private static String readLine(java.io.InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) >= 0;) {
            sb.append((char) c);
            if (c == '\n') {
                break;
            }
        }
        return sb.toString();
    }

    /**
     * STARTTLS command injection (CVE-2011-0411 family): the peer (or a man in the middle) puts a
     * plain-text line right behind its "go ahead" reply, in the same segment. The client read only the
     * reply line (through the InputStream view, which holds the rest of the received chunk): the
     * upgrade is refused, nothing changes, and the injected bytes are still there, on the plain stream.
     */
    @Test
    void startTlsIsRefusedWhileInjectedPlaintextIsUnread() throws Exception {
        JdkServer server = jdkServer();
        String injected = "250 injected\r\n";
        CompletableFuture<Integer> peerResult = startTlsPeer(server, 1, "220 hello\r\n", "220 ready\r\n", injected);
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(), tcp(trustTestCa().mode(TlsMode.STARTTLS).build()));
        await(socket.opened(), "plain open of a starttls socket");
        java.io.InputStream in = socket.readable().inputStream(PROMPT);
        assertEquals("220 hello\r\n", readLine(in));
        await(socket.writable().write(ascii("STARTTLS\r\n")), "STARTTLS command");
        assertEquals("220 ready\r\n", readLine(in));
        long all = 11 + 11 + injected.length();
        Stages.eventually("the injected line arrived", PROMPT, () -> socket.info().bytesIn() == all);
        IllegalStateException e = assertThrows(IllegalStateException.class, socket::startTls,
                "startTls with received plaintext unread");
        assertTrue(e.getMessage().contains("unread"), "the message says why: " + e.getMessage());
        assertEquals(injected, readLine(in), "the refused upgrade left the unread plaintext on the plain stream");
        await(socket.close(), "close");
        assertEquals(0, peerResult.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS), "no TLS handshake happened");
    }

    /** The same with the pull reader: an injected line that arrived as a chunk of its own and is still queued. */
    @Test
    void startTlsIsRefusedWhileAReceivedChunkIsQueued() throws Exception {
        JdkServer server = jdkServer();
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(server::accept);
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(), tcp(trustTestCa().mode(TlsMode.STARTTLS).build()));
        await(socket.opened(), "plain open of a starttls socket");
        Socket peer = accepted.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        peer.getOutputStream().write(ascii("220 ready\r\n"));
        assertEquals("220 ready\r\n", ascii(Bytes.readExactly(socket.readable(), 11)));
        peer.getOutputStream().write(ascii("250 injected\r\n"));
        Stages.eventually("the injected line arrived", PROMPT, () -> socket.info().bytesIn() == 11 + 14);
        assertThrows(IllegalStateException.class, socket::startTls, "startTls with a received chunk queued");
        assertEquals("250 injected\r\n", ascii(Bytes.readExactly(socket.readable(), 14)),
                "the refused upgrade left the unread plaintext on the plain stream");
    }

    /**
     * Plain text sent right behind the "go ahead" reply races with the client's startTls(): whether it
     * arrives before the call (the upgrade is refused), while the TLS filter is being installed, or
     * after (the handshake gets it and fails), it must never come out of the TLS stream, and the
     * upgrade must never succeed with it silently dropped.
     */
    @Test
    void plaintextRacingStartTlsNeverReachesTheTlsStream() throws Exception {
        JdkServer server = jdkServer();
        int rounds = 20;
        CompletableFuture<Integer> peerResult = startTlsPeer(server, rounds, "220 hello\r\n", "220 ready\r\n",
                "250 injected\r\n", i -> (i % 5) * 250_000L);
        int refused = 0;
        int failedHandshakes = 0;
        for (int i = 0; i < rounds; i++) {
            TcpSocket socket = service.openTcp("127.0.0.1", server.port(),
                    tcp(trustTestCa().mode(TlsMode.STARTTLS).build()));
            await(socket.opened(), "plain open " + i);
            assertEquals("220 hello\r\n", ascii(Bytes.readExactly(socket.readable(), 11)));
            await(socket.writable().write(ascii("STARTTLS\r\n")), "STARTTLS command");
            StringBuilder reply = new StringBuilder();
            while (reply.indexOf("\n") < 0) {
                var r = await(socket.readable().read(), "the STARTTLS reply");
                assertTrue(!r.done(), "end of stream before the STARTTLS reply");
                reply.append(ascii(Bytes.toArray(r.value())));
            }
            if (!reply.toString().equals("220 ready\r\n")) {
                // the injected line came in the same chunk: the client holds it itself and must not upgrade
                assertTrue(reply.toString().startsWith("220 ready\r\n250"), reply.toString());
                socket.close();
                refused++;
                continue;
            }
            TcpSocket tls;
            try {
                tls = socket.startTls();
            } catch (IllegalStateException unread) {
                refused++;
                socket.close();
                continue;
            }
            Throwable failure = Stages.future(tls.opened()).handle((v, e) -> e).get(PROMPT.toMillis(),
                    TimeUnit.MILLISECONDS);
            assertTrue(failure != null, "round " + i + ": the TLS upgrade succeeded although plaintext was"
                    + " injected between the STARTTLS reply and the handshake");
            assertTrue(Stages.unwrap(failure) instanceof NetworkException, "round " + i + ": " + failure);
            failedHandshakes++;
            var r = Stages.future(tls.readable().read()).handle((v, e) -> v).get(PROMPT.toMillis(),
                    TimeUnit.MILLISECONDS);
            assertTrue(r == null || r.done(), "round " + i + ": plaintext delivered on the TLS stream: "
                    + (r == null ? "" : ascii(Bytes.toArray(r.value()))));
            Stages.future(tls.closed()).handle((v, e) -> null).get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        }
        System.out.printf("[contract] injected plaintext: %d upgrades refused, %d handshakes failed%n", refused,
                failedHandshakes);
        assertEquals(0, peerResult.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS), "no TLS handshake succeeded");
    }

    /**
     * A failed STARTTLS handshake (the server's certificate is not trusted) closes the connection:
     * closed() completes, and nothing is left registered, 50 times over.
     */
    @Test
    void failedStartTlsHandshakesLeaveNoSocketBehind() throws Exception {
        JdkServer server = jdkServer();
        int rounds = 50;
        startTlsPeer(server, rounds, "220 hello\r\n", "220 ready\r\n", "");
        TlsOptions otherCa = TlsOptions.builder().mode(TlsMode.STARTTLS).trustedCertificatesPem(pki.read(pki.otherCaPem()))
                .build();
        for (int i = 0; i < rounds; i++) {
            TcpSocket socket = service.openTcp("127.0.0.1", server.port(), tcp(otherCa));
            await(socket.opened(), "plain open " + i);
            assertEquals("220 hello\r\n", ascii(Bytes.readExactly(socket.readable(), 11)));
            await(socket.writable().write(ascii("STARTTLS\r\n")), "STARTTLS command");
            assertEquals("220 ready\r\n", ascii(Bytes.readExactly(socket.readable(), 11)));
            TcpSocket tls = socket.startTls();
            NetworkException e = awaitFailure(tls.opened(), NetworkException.class,
                    "round " + i + ": STARTTLS handshake with an untrusted certificate");
            assertTrue(e.getMessage().contains(String.valueOf(server.port())), "names the destination: " + e.getMessage());
            assertEquals(NetworkException.Reason.TLS_CERTIFICATE, e.reason(), "round " + i + ": reason of " + e);
            awaitFailure(tls.closed(), NetworkException.class, "round " + i + ": closed() after the failed handshake");
            awaitFailure(socket.closed(), NetworkException.class, "round " + i + ": closed() of the plain stream");
        }
        assertEquals(List.of(), service.sockets(), "sockets left after " + rounds + " failed STARTTLS handshakes");
    }

    /** Writes that are not waited for are accepted over TLS too (1,000 x 16 KiB), in order. */
    @Test
    void unawaitedWritesOverTlsAreSentInOrder() {
        PeerProcess socat = peer("socat", "-d", "-d", "-t", "30",
                "OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,verify=0,cert=" + pki.serverPem() + ",key="
                        + pki.serverKey(),
                "SYSTEM:sha256sum");
        int port = socat.awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port, tcp(trustTestCa().build()));
        await(socket.opened(), "TLS open");
        java.security.MessageDigest sent = Bytes.sha256();
        List<java.util.concurrent.CompletionStage<Void>> writes = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            byte[] block = Bytes.random(16 * 1024, 1000 + i);
            sent.update(block);
            writes.add(socket.writable().write(block));
        }
        await(socket.writable().close(), Duration.ofSeconds(60), "close_notify + FIN after 16 MiB of unawaited writes");
        String reply = ascii(Bytes.readToEnd(socket.readable(), 1024)).trim();
        assertEquals(Bytes.hex(sent.digest()), reply.split("\\s+")[0],
                () -> "sha256sum of what the peer got; socat's log:\n" + socat.log());
        for (var w : writes) {
            await(w, "an unawaited write");
        }
        assertEquals(16L * 1024 * 1000, socket.info().bytesOut(), "bytesOut");
    }

    /**
     * close() over TLS ends in bounded time: the peer completed the handshake and then never reads, the
     * queue is full, close_notify cannot be sent; after closeTimeout the connection is reset and
     * closed() fails with TimedOutException naming the socket and the limit.
     */
    @Test
    void tlsCloseIsBoundedByTheCloseTimeout() throws Exception {
        JdkServer server = closeAfter(new JdkServer(16 * 1024));
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(), TcpSocketOptions.builder()
                .sendBufferSize(16 * 1024).closeTimeout(Duration.ofSeconds(1)).tls(trustTestCa().build()).build());
        Socket plain = server.accept();
        SSLSocket tls = (SSLSocket) pki.serverContext().getSocketFactory().createSocket(plain,
                plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        tls.setUseClientMode(false);
        CompletableFuture<Void> handshake = CompletableFuture.runAsync(() -> {
            try {
                tls.startHandshake(); // then never reads
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        await(socket.opened(), "TLS open");
        handshake.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        var last = socket.writable().write(new byte[4 * 1024 * 1024]);
        long t0 = System.nanoTime();
        socket.close();
        org.rawsockets.socket.TimedOutException e = awaitFailure(socket.closed(),
                org.rawsockets.socket.TimedOutException.class, "closed() of a TLS socket whose peer does not read");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 900, "closed() failed after " + ms + " ms, before the 1 s closeTimeout");
        assertTrue(e.getMessage().contains("closeTimeout") && e.getMessage().contains(String.valueOf(server.port())),
                "the message names the limit and the socket: " + e.getMessage());
        assertTrue(Stages.future(last).handle((v, x) -> x).get(PROMPT.toMillis(), TimeUnit.MILLISECONDS) != null,
                "the queued write failed");
        assertEquals(org.rawsockets.socket.SocketState.FAILED, socket.info().state(), "state after the close timeout");
        assertEquals(List.of(), service.sockets(), "nothing left registered");
    }
}
