package org.rawsockets.smtp.e2e;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.smtp.ProbeResult;
import org.rawsockets.smtp.ProgressListener;
import org.rawsockets.smtp.SmtpConfigurationException;
import org.rawsockets.smtp.internal.MailSenderComponent;
import org.rawsockets.smtp.internal.TestServers;
import org.rawsockets.smtp.AuthMechanism;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpCapabilityException;
import org.rawsockets.smtp.SmtpClient;
import org.rawsockets.smtp.SmtpCredentials;
import org.rawsockets.smtp.SmtpException;
import org.rawsockets.smtp.SmtpPermanentException;
import org.rawsockets.smtp.SmtpSession;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;
import org.rawsockets.smtp.SmtpTransientException;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * End to end against the npm smtp-server package (STARTTLS, implicit TLS, AUTH PLAIN/LOGIN,
 * PIPELINING, SIZE, 8BITMIME, SMTPUTF8), over the real MINA socket service.
 */
class SmtpServerE2ETest {

    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret-Passw0rd";
    private static MinaSocketEngine engine;
    private static OwnedSocketService sockets;
    private static TestPeers.Certs certs;
    private static TestPeers.NodeSmtpServer starttls;

    @BeforeAll
    static void start() throws Exception {
        certs = TestPeers.certs();
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.smtp"));
        starttls = new TestPeers.NodeSmtpServer(config("\"size\":1000000"));
    }

    @BeforeEach
    void drain() {
        starttls.messages.clear();
    }

    @AfterAll
    static void stop() throws Exception {
        if (starttls != null) {
            starttls.close();
        }
        if (sockets != null) {
            sockets.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private static String config(String extra) {
        return "{\"key\":\"" + certs.serverKey() + "\",\"cert\":\"" + certs.serverPem() + "\",\"user\":\"" + USER
                + "\",\"password\":\"" + PASSWORD + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static SmtpSettings.Builder settings(int port) throws IOException {
        return SmtpSettings.builder().host("127.0.0.1").port(port).tlsMode(SmtpTlsMode.STARTTLS_REQUIRED)
                .tls(TlsOptions.builder().trustedCertificatesPem(certs.caText()).build())
                .credentials(SmtpCredentials.password(USER, PASSWORD)).commandTimeout(Duration.ofSeconds(30));
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    static <E extends Throwable> E failsWith(Class<E> type, CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(type, e.getCause(), () -> "expected " + type.getSimpleName() + " but was " + e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return fail("expected " + type.getSimpleName() + " but the stage succeeded");
    }

    private static byte[] message(String subject, String body) {
        return ("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: " + subject + "\r\n\r\n" + body).getBytes(UTF_8);
    }

    @Test
    void starttlsAuthPipeliningWithPartialAcceptance() throws Exception {
        SmtpSession s = await(SmtpClient.connect(sockets, settings(starttls.port).build()));
        try {
            assertTrue(s.tls().isPresent(), "STARTTLS upgraded the connection");
            assertEquals(AuthMechanism.PLAIN, s.authenticatedWith().orElseThrow());
            assertTrue(s.capabilities().has("PIPELINING"), s.capabilities().toString());
            assertEquals(1000000L, s.capabilities().sizeLimit().getAsLong());
            Envelope env = Envelope.of("alice@example.org", "bob@example.org", "temp-carol@example.org",
                    "perm-dave@example.org", "erin@example.org");
            SendResult r = await(s.send(env, MessageSource.of(message("partial", "hello\r\n"))));
            assertTrue(r.isPartial());
            assertEquals(List.of("bob@example.org", "erin@example.org"),
                    r.accepted().stream().map(x -> x.address()).toList());
            assertEquals(451, r.refused().get(0).reply().code());
            assertEquals(4, r.refused().get(0).reply().enhancedStatus().statusClass());
            assertTrue(r.refused().get(0).reply().text().contains("Mailbox busy"), r.refused().get(0).toString());
            assertEquals(550, r.refused().get(1).reply().code());
            assertEquals(250, r.messageReply().code());
            String rec = starttls.nextMessage();
            assertEquals(List.of("bob@example.org", "erin@example.org"), Json.strings(rec, "rcpt"));
            assertTrue(Json.bool(rec, "secure"), rec);
            assertEquals(USER, Json.string(rec, "user"));
        } finally {
            await(s.close());
        }
    }

    @Test
    void authLoginAndConnectionReuseForSeveralMessages() throws Exception {
        SmtpSettings st = settings(starttls.port)
                .credentials(SmtpCredentials.password(USER, PASSWORD).withMechanism(AuthMechanism.LOGIN)).build();
        SmtpSession s = await(SmtpClient.connect(sockets, st));
        try {
            assertEquals(AuthMechanism.LOGIN, s.authenticatedWith().orElseThrow());
            for (int i = 0; i < 5; i++) {
                await(s.send(Envelope.of("alice@example.org", "bob@example.org"),
                        MessageSource.of(message("reuse " + i, "body " + i + "\r\n"))));
                String rec = starttls.nextMessage();
                assertTrue(new String(Json.body(rec), UTF_8).contains("Subject: reuse " + i), rec);
            }
            // A refused transaction (every recipient refused) leaves the session usable (RSET).
            SmtpPermanentException e = failsWith(SmtpPermanentException.class,
                    s.send(Envelope.of("alice@example.org", "perm-x@example.org"), MessageSource.of(message("x", "x"))));
            assertEquals(550, e.replyCode());
            assertEquals(1, e.recipients().size());
            SmtpTransientException t = failsWith(SmtpTransientException.class,
                    s.send(Envelope.of("alice@example.org", "temp-x@example.org"), MessageSource.of(message("x", "x"))));
            assertTrue(t.isTransient());
            assertTrue(t.getMessage().contains("refused every recipient"), t.getMessage());
            await(s.send(Envelope.of("alice@example.org", "bob@example.org"), MessageSource.of(message("after", "ok"))));
            assertTrue(new String(Json.body(starttls.nextMessage()), UTF_8).contains("Subject: after"));
            assertEquals(250, await(s.noop()).code());
        } finally {
            await(s.close());
        }
        assertFalse(s.isOpen());
    }

    /**
     * Sends queued without waiting: each message's MAIL/RCPT/DATA go out with the previous message's
     * end of data (RFC 2920 3.1). Results stay per message, in order, refusals included.
     */
    @Test
    void queuedSendsArePipelinedAcrossMessages() throws Exception {
        SmtpSession s = await(SmtpClient.connect(sockets, settings(starttls.port).build()));
        try {
            List<java.util.concurrent.CompletableFuture<SendResult>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String rcpt = i == 7 ? "perm-nobody@example.org" : (i == 11 ? "temp-busy@example.org" : "bob@example.org");
                Envelope env = i == 13 ? Envelope.of("alice@example.org", "bob@example.org", "perm-x@example.org")
                        : Envelope.of("alice@example.org", rcpt);
                results.add(s.send(env, MessageSource.of(message("queued " + i, ".body " + i + "\r\n")))
                        .toCompletableFuture());
            }
            for (int i = 0; i < 20; i++) {
                if (i == 7) {
                    SmtpPermanentException e = failsWith(SmtpPermanentException.class, results.get(i));
                    assertEquals(550, e.replyCode());
                } else if (i == 11) {
                    failsWith(SmtpTransientException.class, results.get(i));
                } else {
                    SendResult r = await(results.get(i));
                    assertEquals(i == 13, r.isPartial(), "message " + i);
                }
            }
            for (int i = 0; i < 20; i++) {
                if (i == 7 || i == 11) {
                    continue;
                }
                String body = new String(Json.body(starttls.nextMessage()), UTF_8);
                assertTrue(body.contains("Subject: queued " + i + "\r\n") && body.endsWith("\r\n.body " + i + "\r\n"),
                        "message " + i + " in order and intact: " + body);
            }
            assertTrue(s.isOpen());
        } finally {
            await(s.close());
        }
    }

    /**
     * Through the OSGi component as an operator configures it: the password is a secret reference
     * ({@code .password = secret:NAME}), read from the owner-only file when a connection is opened.
     */
    @Test
    void configuredServerAuthenticatesWithASecretFile(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("alice-smtp");
        Files.writeString(secret, PASSWORD + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        SecretFiles secrets = new SecretFiles(dir.toString());
        ConfigRegistry registry = TestServers.registry();
        for (AuthMechanism m : new AuthMechanism[] { AuthMechanism.PLAIN, AuthMechanism.LOGIN }) {
            MailSenderComponent office = TestServers.sender(sockets, secrets, registry, TestServers.props("name",
                    "office-" + m, "host", "127.0.0.1", "port", String.valueOf(starttls.port), "tls", "STARTTLS_REQUIRED",
                    "trustedCertificates", certs.caPem().toString(), "user", USER, ".password", "secret:alice-smtp",
                    "authMechanism", m.name()));
            assertFalse(office.toString().contains(PASSWORD));
            ProbeResult p = await(office.probe());
            assertEquals(m, p.authenticatedWith());
            SendResult r = await(office.send(Envelope.of("alice@example.org", "bob@example.org"),
                    MessageSource.of(message("secret " + m, "via the component\r\n")), ProgressListener.NONE));
            assertEquals(250, r.messageReply().code());
            String rec = starttls.nextMessage();
            assertEquals(USER, Json.string(rec, "user"));
            assertTrue(new String(Json.body(rec), UTF_8).contains("Subject: secret " + m), rec);
        }
        // The secret is read at each connect: a file made world-readable is refused from then on,
        // naming the secret and the file, never the content, before anything is sent.
        MailSenderComponent office = TestServers.sender(sockets, secrets, registry, TestServers.props("name", "office",
                "host", "127.0.0.1", "port", String.valueOf(starttls.port), "trustedCertificates",
                certs.caPem().toString(), "user", USER, ".password", "secret:alice-smtp"));
        long closedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sockets.sockets().isEmpty() && System.nanoTime() - closedBy < 0) {
            Thread.sleep(10); // the last send's QUIT and close run after its result
        }
        assertTrue(sockets.sockets().isEmpty(), "the earlier sessions closed: " + sockets.sockets());
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        SmtpConfigurationException open = failsWith(SmtpConfigurationException.class, office.probe());
        assertEquals("mail server 'office': the .password secret 'alice-smtp' (file " + secret + ") is readable by every"
                + " user (mode rw-r--r--): refused; make it readable by the gateway's user only (chmod 600 " + secret
                + ") and consider the secret exposed; nothing was sent", open.getMessage());
        Files.delete(secret);
        SmtpConfigurationException missing = failsWith(SmtpConfigurationException.class,
                office.send(Envelope.of("alice@example.org", "bob@example.org"), MessageSource.of(message("x", "x")),
                        ProgressListener.NONE));
        assertTrue(missing.getMessage().contains("secret 'alice-smtp' (file " + secret + ") does not exist"),
                missing.getMessage());
        assertTrue(sockets.sockets().isEmpty(), "no connection was opened: " + sockets.sockets());
    }

    @Test
    void authFailureIsPermanentWithReplyAndNoPassword() throws Exception {
        SmtpSettings st = settings(starttls.port).credentials(SmtpCredentials.password(USER, "wrong-Pa55")).build();
        SmtpPermanentException e = failsWith(SmtpPermanentException.class, SmtpClient.connect(sockets, st));
        assertEquals(535, e.replyCode());
        assertEquals("5.7.8", e.enhancedStatus().orElseThrow().toString());
        assertTrue(e.getMessage().contains("authentication of user 'alice' with PLAIN"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-Pa55"));
        assertFalse(st.toString().contains("wrong-Pa55"), st.toString());
    }

    @Test
    void sizeRefusedLocallyBeforeSending() throws Exception {
        SmtpSession s = await(SmtpClient.connect(sockets, settings(starttls.port).build()));
        try {
            byte[] big = message("big", "x".repeat(1_000_100));
            SmtpCapabilityException e = failsWith(SmtpCapabilityException.class,
                    s.send(Envelope.of("alice@example.org", "bob@example.org"), MessageSource.of(big)));
            assertTrue(e.getMessage().contains("larger than the 1000000 bytes"), e.getMessage());
            assertTrue(s.isOpen());
            // The server saw nothing, and the session goes on; the SIZE parameter is sent.
            await(s.send(Envelope.of("alice@example.org", "bob@example.org"), MessageSource.of(message("small", "ok"))));
            String rec = starttls.nextMessage();
            assertTrue(new String(Json.body(rec), UTF_8).contains("Subject: small"), rec);
            assertTrue(rec.contains("\"SIZE\":\"" + message("small", "ok").length + "\""), rec);
        } finally {
            await(s.close());
        }
    }

    @Test
    void dotStuffingRoundTrip() throws Exception {
        String body = ".leading dot\r\n..two dots\r\n.\r\nbare lf\nline\r\n. space\r\nend";
        SmtpSession s = await(SmtpClient.connect(sockets, settings(starttls.port).build()));
        try {
            await(s.send(Envelope.of("alice@example.org", "bob@example.org"), MessageSource.of(message("dots", body))));
            byte[] got = Json.body(starttls.nextMessage());
            String expected = new String(message("dots", body), UTF_8).replace("bare lf\n", "bare lf\r\n") + "\r\n";
            assertEquals(expected, new String(got, UTF_8));
        } finally {
            await(s.close());
        }
    }

    @Test
    void eightBitBodyAndUtf8HeadersAndAddresses() throws Exception {
        byte[] msg = ("From: Jörg <jörg@exämple.org>\r\nTo: bob@example.org\r\nSubject: Grüße ✓\r\n\r\nÄrger 8-bit ✓\r\n")
                .getBytes(UTF_8);
        SmtpSession s = await(SmtpClient.connect(sockets, settings(starttls.port).build()));
        try {
            assertTrue(s.capabilities().has("8BITMIME") && s.capabilities().has("SMTPUTF8"), s.capabilities().toString());
            Envelope env = Envelope.builder("jörg@exämple.org").to("bob@example.org").eightBitMime(true).build();
            assertTrue(env.smtpUtf8(), "a non-ASCII address turns SMTPUTF8 on");
            await(s.send(env, MessageSource.of(msg)));
            String rec = starttls.nextMessage();
            assertArrayEquals(msg, Json.body(rec));
            assertEquals("jörg@exämple.org", Json.string(rec, "from"));
            assertTrue(rec.contains("\"BODY\":\"8BITMIME\""), rec);
            assertTrue(rec.contains("\"SMTPUTF8\":true"), rec);
        } finally {
            await(s.close());
        }
    }

    @Test
    void implicitTls() throws Exception {
        try (TestPeers.NodeSmtpServer implicit = new TestPeers.NodeSmtpServer(config("\"implicitTls\":true"))) {
            SmtpSession s = await(SmtpClient.connect(sockets,
                    settings(implicit.port).tlsMode(SmtpTlsMode.IMPLICIT).build()));
            try {
                assertTrue(s.tls().orElseThrow().protocol().startsWith("TLS"));
                assertFalse(s.tls().get().peerCertificates().isEmpty());
                await(s.send(Envelope.of("alice@example.org", "bob@example.org"), MessageSource.of(message("tls", "x"))));
                assertTrue(Json.bool(implicit.nextMessage(), "secure"));
            } finally {
                await(s.close());
            }
        }
    }

    @Test
    void starttlsRequiredButNotOffered() throws Exception {
        try (TestPeers.NodeSmtpServer plain = new TestPeers.NodeSmtpServer(
                config("\"hideStartTls\":true,\"allowInsecureAuth\":true"))) {
            SmtpCapabilityException e = failsWith(SmtpCapabilityException.class,
                    SmtpClient.connect(sockets, settings(plain.port).build()));
            assertTrue(e.getMessage().contains("does not offer STARTTLS and the TLS mode is STARTTLS_REQUIRED"),
                    e.getMessage());
            // Opportunistic goes on without TLS, and then refuses to send the password in clear.
            SmtpCapabilityException auth = failsWith(SmtpCapabilityException.class, SmtpClient.connect(sockets,
                    settings(plain.port).tlsMode(SmtpTlsMode.STARTTLS_OPPORTUNISTIC).build()));
            assertTrue(auth.getMessage().contains("without TLS"), auth.getMessage());
            SmtpSession s = await(SmtpClient.connect(sockets,
                    settings(plain.port).tlsMode(SmtpTlsMode.STARTTLS_OPPORTUNISTIC).credentials(null).build()));
            assertTrue(s.tls().isEmpty());
            await(s.close());
        }
    }

    @Test
    void certificateIsVerifiedByDefault() throws Exception {
        // Without the test CA the JDK trust store does not trust the server: the handshake fails.
        SmtpSettings st = settings(starttls.port).tls(TlsOptions.builder().build()).build();
        NetworkException e = failsWith(NetworkException.class, SmtpClient.connect(sockets, st));
        assertTrue(e.getMessage().toLowerCase().contains("tls") || e.getMessage().contains("certificate"),
                e.getMessage());
    }

    @Test
    void hostNameIsVerifiedByDefault() throws Exception {
        // Trusted CA, but the certificate (localhost, 127.0.0.1) does not name mail.example.org.
        SmtpSettings wrongName = settings(starttls.port).tls(TlsOptions.builder().trustedCertificatesPem(certs.caText())
                .serverName("mail.example.org").build()).build();
        failsWith(NetworkException.class, SmtpClient.connect(sockets, wrongName));
        SmtpSettings unchecked = settings(starttls.port).tls(TlsOptions.builder().trustedCertificatesPem(certs.caText())
                .serverName("mail.example.org").verifyHostname(false).build()).build();
        SmtpSession s = await(SmtpClient.connect(sockets, unchecked));
        assertTrue(s.tls().isPresent());
        await(s.close());
    }

    /**
     * A 64 MiB message generated on the fly is streamed with bounded client buffering: whenever the
     * source is read, the bytes read but not yet handed to the operating system (socket counter
     * bytesOut) stay under a bound, so the client never holds the message.
     */
    @Test
    void largeMessageIsStreamedWithBoundedMemory() throws Exception {
        long bodySize = 64L << 20;
        byte[] header = "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: big\r\n\r\n".getBytes(US_ASCII);
        long total = header.length + bodySize;
        long bound = 8L << 20;
        AtomicLong maxAhead = new AtomicLong();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (TestPeers.NodeSmtpServer big = new TestPeers.NodeSmtpServer(config("\"keepBytes\":0"))) {
            SmtpSession s = await(SmtpClient.connect(sockets, settings(big.port).build()));
            try {
                System.gc();
                long baseHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                AtomicLong maxHeap = new AtomicLong(baseHeap);
                InputStream gen = new InputStream() {
                    long pos;
                    long nextHeapSample = 1L << 20;

                    private byte at(long i) {
                        if (i < header.length) {
                            return header[(int) i];
                        }
                        long j = i - header.length;
                        return (j % 100 == 99) ? (byte) '\n' : (j % 100 == 0 ? (byte) '.' : (byte) ('a' + (j % 26)));
                    }

                    @Override
                    public int read() {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (pos >= total) {
                            return -1;
                        }
                        if (pos >= nextHeapSample) { // every 8 MiB: heap retained after a full GC
                            nextHeapSample += 8L << 20;
                            System.gc();
                            maxHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                                    Math::max);
                        }
                        long sent = sockets.sockets().stream()
                                .filter(i -> i.remote().map(a -> a.getPort() == big.port).orElse(false))
                                .mapToLong(SocketInfo::bytesOut).sum();
                        maxAhead.accumulateAndGet(pos - sent, Math::max);
                        int n = (int) Math.min(len, total - pos);
                        for (int i = 0; i < n; i++) {
                            b[off + i] = at(pos + i);
                        }
                        sha.update(b, off, n);
                        pos += n;
                        return n;
                    }
                };
                AtomicLong progressCalls = new AtomicLong();
                SendResult r = await(s.send(Envelope.of("alice@example.org", "bob@example.org"),
                        MessageSource.of(() -> gen, total), (read, t) -> progressCalls.incrementAndGet()));
                assertEquals(250, r.messageReply().code());
                assertTrue(progressCalls.get() > 100, "progress was reported: " + progressCalls.get());
                String rec = big.nextMessage();
                // Server side: LF became CRLF, dot-stuffing removed again.
                long lines = bodySize / 100;
                // Server side: every LF became CRLF, and the last line got its CRLF.
                assertEquals(total + lines + 2, Json.number(rec, "size"), rec);
                assertNull(Json.body(rec));
                assertTrue(maxAhead.get() < bound, "client buffered at most " + maxAhead.get() + " bytes ahead of the"
                        + " socket (bound " + bound + ")");
                long finalOut = sockets.sockets().stream()
                        .filter(i -> i.remote().map(a -> a.getPort() == big.port).orElse(false))
                        .mapToLong(SocketInfo::bytesOut).sum();
                assertTrue(finalOut >= total, "the socket counter measures what was sent: " + finalOut);
                long heapGrowth = maxHeap.get() - baseHeap;
                System.out.println("64 MiB message: client read at most " + maxAhead.get()
                        + " bytes ahead of the socket; heap retained after GC grew by at most " + (heapGrowth >> 10)
                        + " KiB");
                assertTrue(heapGrowth < (24L << 20), "heap retained during the transfer grew by " + heapGrowth
                        + " bytes; a 64 MiB message must not be held");
            } finally {
                await(s.close());
            }
        }
    }
}
