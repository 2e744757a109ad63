package org.rawsockets.smtp.e2e;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.smtp.AuthMechanism;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpClient;
import org.rawsockets.smtp.SmtpConfigurationException;
import org.rawsockets.smtp.SmtpCredentials;
import org.rawsockets.smtp.SmtpPermanentException;
import org.rawsockets.smtp.SmtpProtocolException;
import org.rawsockets.smtp.SmtpSession;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;
import org.rawsockets.smtp.SmtpTransientException;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** Client paths against a scripted peer: CHUNKING, HELO fallback, XOAUTH2, DSN, broken servers, timeouts. */
class ScriptedServerTest {

    private static MinaSocketEngine engine;
    private static OwnedSocketService sockets;

    @BeforeAll
    static void start() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.smtp"));
    }

    @AfterAll
    static void stop() {
        sockets.close();
        engine.close();
    }

    private static SmtpSettings.Builder settings(ScriptedServer s) {
        return SmtpSettings.builder().host("127.0.0.1").port(s.port()).tlsMode(SmtpTlsMode.OFF)
                .commandTimeout(Duration.ofSeconds(20));
    }

    private static String standard(String line, String ehlo) {
        String u = line.toUpperCase();
        if (u.startsWith("EHLO")) {
            return ehlo;
        }
        if (u.startsWith("MAIL") || u.startsWith("RCPT") || u.equals("RSET") || u.equals("NOOP")) {
            return "250 2.0.0 Ok\r\n";
        }
        if (u.equals("DATA")) {
            return "354 go ahead\r\n";
        }
        if (u.equals("<DATA>")) {
            return "250 2.0.0 queued\r\n";
        }
        if (u.equals("QUIT")) {
            return "221 bye\r\n";
        }
        return "502 5.5.2 unknown\r\n";
    }

    @Test
    void bdatChunksStreamTheMessage() throws Exception {
        String ehlo = "250-scripted\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SIZE 0\r\n";
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n", l -> {
            if (l.toUpperCase().startsWith("BDAT")) {
                return l.endsWith("LAST") ? "250 2.0.0 queued\r\n" : "250 2.0.0 chunk ok\r\n";
            }
            return standard(l, ehlo);
        })) {
            StringBuilder sb = new StringBuilder("Subject: chunks\n\n");
            for (int i = 0; i < 400; i++) {
                sb.append(i % 7 == 0 ? "." : "").append("line ").append(i).append(" of the chunked message\n");
            }
            byte[] msg = sb.toString().getBytes(UTF_8);
            SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets,
                    settings(srv).chunking(true).chunkSize(4096).build()));
            try {
                SendResult r = SmtpServerE2ETest.await(s.send(Envelope.of("a@example.org", "b@example.org"),
                        MessageSource.of(msg)));
                assertEquals("queued", r.messageReply().text());
                // Received: the CRLF-normalised message, not dot-stuffed.
                assertEquals(sb.toString().replace("\n", "\r\n"), new String(srv.data(), ISO_8859_1));
                List<String> bdat = srv.commands.stream().filter(c -> c.startsWith("BDAT")).toList();
                assertTrue(bdat.size() >= 3, bdat.toString());
                assertTrue(bdat.get(bdat.size() - 1).endsWith(" LAST"), bdat.toString());
                assertEquals(1, bdat.stream().filter(c -> c.endsWith("LAST")).count());
            } finally {
                SmtpServerE2ETest.await(s.close());
            }
        }
    }

    @Test
    void queuedMessagesShareRoundTrips() throws Exception {
        String ehlo = "250-scripted\r\n250 PIPELINING\r\n";
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n", l -> standard(l, ehlo))) {
            SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets, settings(srv).build()));
            java.util.concurrent.CountDownLatch queued = new java.util.concurrent.CountDownLatch(1);
            // The first message's source waits until all five sends are queued.
            MessageSource first = MessageSource.of(() -> new java.io.ByteArrayInputStream("Subject: 0\r\n\r\nx\r\n"
                    .getBytes(UTF_8)) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    try {
                        queued.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return super.read(b, off, len);
                }
            }, -1);
            List<java.util.concurrent.CompletableFuture<SendResult>> results = new java.util.ArrayList<>();
            results.add(s.send(Envelope.of("a@example.org", "b@example.org"), first).toCompletableFuture());
            for (int i = 1; i < 5; i++) {
                results.add(s.send(Envelope.of("a@example.org", "b@example.org"),
                        MessageSource.of(("Subject: " + i + "\r\n\r\nx\r\n").getBytes(UTF_8))).toCompletableFuture());
            }
            queued.countDown();
            for (var r : results) {
                assertEquals(250, SmtpServerE2ETest.await(r).messageReply().code());
            }
            SmtpServerE2ETest.await(s.close());
            assertEquals(4, srv.pipelinedAfterData.get(), "messages 2..5 went out with the previous end of data");
            assertEquals(5, srv.commands.stream().filter(c -> c.equals("DATA")).count());
        }
    }

    @Test
    void refusedBdatIsReportedAndTheSessionReset() throws Exception {
        String ehlo = "250-scripted\r\n250-PIPELINING\r\n250 CHUNKING\r\n";
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n",
                l -> l.startsWith("BDAT") ? "552 5.3.4 Message too big\r\n" : standard(l, ehlo))) {
            SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets, settings(srv).chunking(true).build()));
            SmtpPermanentException e = SmtpServerE2ETest.failsWith(SmtpPermanentException.class,
                    s.send(Envelope.of("a@example.org", "b@example.org"), MessageSource.of("x\r\n".getBytes(UTF_8))));
            assertEquals(552, e.replyCode());
            assertEquals(1, e.recipients().size());
            assertTrue(s.isOpen());
            SmtpServerE2ETest.await(s.noop());
            assertTrue(srv.commands.contains("RSET"), srv.commands.toString());
            SmtpServerE2ETest.await(s.close());
        }
    }

    @Test
    void heloFallbackAndUnpipelinedData() throws Exception {
        try (ScriptedServer srv = new ScriptedServer("220 old server\r\n", l -> {
            if (l.startsWith("EHLO")) {
                return "502 5.5.1 EHLO not implemented\r\n";
            }
            if (l.startsWith("HELO")) {
                return "250 old.example.org\r\n";
            }
            return standard(l, null);
        })) {
            SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets, settings(srv).build()));
            assertFalse(s.capabilities().ehlo());
            assertEquals("old.example.org", s.capabilities().serverName());
            SmtpServerE2ETest.await(s.send(Envelope.of("a@example.org", "b@example.org"),
                    MessageSource.of("Subject: x\r\n\r\n.dot\r\n".getBytes(UTF_8))));
            assertEquals("Subject: x\r\n\r\n..dot\r\n", new String(srv.data(), UTF_8), "the server sees the stuffed dot");
            SmtpServerE2ETest.await(s.close());
            assertEquals(List.of("EHLO localhost", "HELO localhost", "MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>",
                    "DATA", "QUIT"), srv.commands);
        }
    }

    @Test
    void xoauth2AndDsnParameters() throws Exception {
        String ehlo = "250-scripted\r\n250-AUTH XOAUTH2\r\n250-DSN\r\n250 PIPELINING\r\n";
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n", l -> {
            if (l.startsWith("AUTH XOAUTH2 ")) {
                String blob = new String(Base64.getDecoder().decode(l.substring(13)), UTF_8);
                return blob.equals("user=alice@example.org\u0001auth=Bearer tok-123\u0001\u0001") ? "235 2.7.0 Accepted\r\n"
                        : "535 5.7.8 bad token\r\n";
            }
            return standard(l, ehlo);
        })) {
            SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets, settings(srv).allowAuthWithoutTls(true)
                    .credentials(SmtpCredentials.oauth2("alice@example.org", () -> "tok-123")).build()));
            assertEquals(AuthMechanism.XOAUTH2, s.authenticatedWith().orElseThrow());
            Envelope env = Envelope.builder("a@example.org").to("b@example.org").dsnReturn(Envelope.DsnReturn.HDRS)
                    .envelopeId("id+1=x").dsnNotify(EnumSet.of(Envelope.DsnNotify.FAILURE, Envelope.DsnNotify.DELAY))
                    .build();
            SmtpServerE2ETest.await(s.send(env, MessageSource.of("Subject: dsn\r\n\r\nx\r\n".getBytes(UTF_8))));
            SmtpServerE2ETest.await(s.close());
            assertTrue(srv.commands.contains("MAIL FROM:<a@example.org> RET=HDRS ENVID=id+2B1+3Dx"), srv.commands.toString());
            assertTrue(srv.commands.contains("RCPT TO:<b@example.org> NOTIFY=FAILURE,DELAY ORCPT=rfc822;b@example.org"),
                    srv.commands.toString());
        }
    }

    /** An empty password or token is never sent (never AUTH PLAIN \0alice\0): the connect fails first. */
    @Test
    void anEmptySuppliedSecretIsNeverSent() throws Exception {
        String ehlo = "250-scripted\r\n250 AUTH PLAIN LOGIN XOAUTH2\r\n";
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n", l -> standard(l, ehlo))) {
            for (SmtpCredentials c : new SmtpCredentials[] { SmtpCredentials.password("alice", () -> ""),
                    SmtpCredentials.password("alice", () -> null), SmtpCredentials.oauth2("alice", () -> "") }) {
                SmtpConfigurationException e = SmtpServerE2ETest.failsWith(SmtpConfigurationException.class,
                        SmtpClient.connect(sockets, settings(srv).allowAuthWithoutTls(true).credentials(c).build()));
                assertTrue(e.getMessage().contains("of user 'alice' for SMTP server 127.0.0.1:" + srv.port()
                        + " is empty: not connecting"), e.getMessage());
            }
            assertTrue(srv.commands.isEmpty(), "nothing reached the server: " + srv.commands);
        }
    }

    @Test
    void xoauth2FailureWithChallenge() throws Exception {
        String ehlo = "250-scripted\r\n250 AUTH XOAUTH2\r\n";
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n", l -> {
            if (l.startsWith("AUTH XOAUTH2 ")) {
                return "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n";
            }
            if (l.isEmpty()) {
                return "535 5.7.8 Username and Password not accepted\r\n";
            }
            return standard(l, ehlo);
        })) {
            SmtpPermanentException e = SmtpServerE2ETest.failsWith(SmtpPermanentException.class,
                    SmtpClient.connect(sockets, settings(srv).allowAuthWithoutTls(true)
                            .credentials(SmtpCredentials.oauth2("alice@example.org", () -> "expired")).build()));
            assertEquals(535, e.replyCode());
            assertFalse(e.getMessage().contains("expired"));
        }
    }

    @Test
    void brokenReplyGrammarIsAProtocolError() throws Exception {
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n", l -> "250 ok\n")) {
            SmtpProtocolException e = SmtpServerE2ETest.failsWith(SmtpProtocolException.class,
                    SmtpClient.connect(sockets, settings(srv).build()));
            assertTrue(e.getMessage().contains("bare LF"), e.getMessage());
            assertTrue(e.getMessage().contains("127.0.0.1:" + srv.port()), e.getMessage());
        }
    }

    @Test
    void dataAfterStarttlsReplyIsRefused() throws Exception {
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n", l -> l.equals("STARTTLS")
                ? "220 2.0.0 Ready to start TLS\r\n250 injected\r\n" : standard(l, "250-scripted\r\n250 STARTTLS\r\n"))) {
            SmtpProtocolException e = SmtpServerE2ETest.failsWith(SmtpProtocolException.class,
                    SmtpClient.connect(sockets, settings(srv).tlsMode(SmtpTlsMode.STARTTLS_REQUIRED).build()));
            assertTrue(e.getMessage().contains("sent data after its STARTTLS reply"), e.getMessage());
        }
    }

    @Test
    void serverClosingWith421IsTransientAndEndsTheSession() throws Exception {
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n", l -> l.startsWith("MAIL")
                ? "421 4.3.2 Service shutting down\r\n" : standard(l, "250 scripted\r\n"))) {
            SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets, settings(srv).build()));
            SmtpTransientException e = SmtpServerE2ETest.failsWith(SmtpTransientException.class,
                    s.send(Envelope.of("a@example.org", "b@example.org"), MessageSource.of("x".getBytes(UTF_8))));
            assertEquals(421, e.replyCode());
            assertTrue(e.getMessage().contains("closing the connection"), e.getMessage());
            assertFalse(s.isOpen());
        }
    }

    @Test
    void abortFailsEverythingQueued() throws Exception {
        // The server never answers MAIL: the first send waits, the others queue behind it.
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n",
                l -> l.startsWith("MAIL") ? null : standard(l, "250 scripted\r\n"))) {
            SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets, settings(srv).build()));
            List<java.util.concurrent.CompletableFuture<?>> ops = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ops.add(s.send(Envelope.of("a@example.org", "b@example.org"), MessageSource.of("x".getBytes(UTF_8)))
                        .toCompletableFuture());
            }
            ops.add(s.noop().toCompletableFuture());
            s.abort();
            for (var op : ops) {
                Exception e = org.junit.jupiter.api.Assertions.assertThrows(
                        java.util.concurrent.ExecutionException.class, () -> op.get(30, java.util.concurrent.TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof java.io.IOException, e.getCause().toString());
            }
            assertFalse(s.isOpen());
            SmtpServerE2ETest.failsWith(org.rawsockets.socket.SocketClosedException.class, s.noop());
        }
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (ScriptedServer srv = new ScriptedServer("220 scripted ESMTP\r\n", l -> null)) {
            TimedOutException e = SmtpServerE2ETest.failsWith(TimedOutException.class,
                    SmtpClient.connect(sockets, settings(srv).commandTimeout(Duration.ofSeconds(1)).build()));
            assertTrue(e.getMessage().contains("did not reply to EHLO within 1 s"), e.getMessage());
        }
    }
}
