package org.rawsockets.smtp.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.smtp.ComposedMessage;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MessageBuilder;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpCapabilityException;
import org.rawsockets.smtp.SmtpClient;
import org.rawsockets.smtp.SmtpCredentials;
import org.rawsockets.smtp.SmtpPermanentException;
import org.rawsockets.smtp.SmtpSession;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;

/** End to end against GreenMail (in the JVM, its own SMTP server), delivery checked through its API. */
class GreenMailE2ETest {

    private GreenMail greenMail;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;

    @BeforeEach
    void start() {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        greenMail.start();
        greenMail.setUser("alice@example.org", "alice", "alice-pw");
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.smtp"));
    }

    @AfterEach
    void stop() {
        sockets.close();
        engine.close();
        greenMail.stop();
    }

    private SmtpSettings.Builder settings() {
        return SmtpSettings.builder().host("127.0.0.1").port(greenMail.getSmtp().getPort()).tlsMode(SmtpTlsMode.OFF)
                .commandTimeout(Duration.ofSeconds(30));
    }

    @Test
    void builderMessageIsDeliveredWithBccOnlyInTheEnvelope() throws Exception {
        byte[] attachment = new byte[3000];
        for (int i = 0; i < attachment.length; i++) {
            attachment[i] = (byte) (i * 7);
        }
        ComposedMessage m = MessageBuilder.create().from("Jörg Sender", "alice@example.org").to("Bob", "bob@example.org")
                .cc("carol@example.org").bcc("dave@example.org").subject("Grüße ✓ report")
                .text("Hallo Bob,\nÄrger ✓\n.\n").html("<p>Hallo <b>Bob</b> ✓</p>")
                .attach("data.bin", "application/octet-stream", attachment).build();
        assertEquals(List.of("bob@example.org", "carol@example.org", "dave@example.org"), m.envelope().recipients());
        SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets, settings().build()));
        try {
            SendResult r = SmtpServerE2ETest.await(s.send(m));
            assertFalse(r.isPartial());
        } finally {
            SmtpServerE2ETest.await(s.close());
        }
        assertTrue(greenMail.waitForIncomingEmail(10_000, 3), "three deliveries (to, cc, bcc)");
        MimeMessage[] got = greenMail.getReceivedMessages();
        assertEquals(3, got.length);
        for (MimeMessage msg : got) {
            assertEquals("Grüße ✓ report", msg.getSubject());
            assertNull(msg.getHeader("Bcc"), "no Bcc header");
            assertFalse(GreenMailUtil.getWholeMessage(msg).contains("dave@example.org"), "Bcc address nowhere in the message");
            assertEquals("Jörg Sender <alice@example.org>", msg.getFrom()[0].toString().contains("=?")
                    ? jakarta.mail.internet.MimeUtility.decodeText(msg.getFrom()[0].toString())
                    : msg.getFrom()[0].toString());
            Multipart mixed = (Multipart) msg.getContent();
            assertEquals(2, mixed.getCount());
            Multipart alt = (Multipart) mixed.getBodyPart(0).getContent();
            assertEquals("Hallo Bob,\r\nÄrger ✓\r\n.\r\n", alt.getBodyPart(0).getContent().toString().replace("\r\n", "\n")
                    .replace("\n", "\r\n"));
            assertTrue(alt.getBodyPart(1).getContent().toString().contains("<b>Bob</b> ✓"));
            Part att = mixed.getBodyPart(1);
            assertEquals("data.bin", att.getFileName());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            att.getDataHandler().writeTo(out);
            assertArrayEquals(attachment, out.toByteArray());
        }
        List<String> delivered = Arrays.stream(got).map(x -> {
            try {
                return x.getAllRecipients().length + "";
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertEquals(List.of("2", "2", "2"), delivered, "headers list To and Cc only");
    }

    @Test
    void dotStuffingRoundTrip() throws Exception {
        String body = ".one\r\n..two\r\n.\r\nlast line\r\n";
        byte[] raw = ("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: dots\r\n\r\n" + body).getBytes(UTF_8);
        SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets, settings().build()));
        try {
            SmtpServerE2ETest.await(s.send(Envelope.of("alice@example.org", "bob@example.org"), MessageSource.of(raw)));
        } finally {
            SmtpServerE2ETest.await(s.close());
        }
        assertTrue(greenMail.waitForIncomingEmail(10_000, 1));
        Message msg = greenMail.getReceivedMessages()[0];
        // GreenMail's body view drops the last line's CRLF.
        assertEquals(body.substring(0, body.length() - 2), GreenMailUtil.getBody(msg));
    }

    @Test
    void authenticationFailureAndSuccess() throws Exception {
        SmtpPermanentException e = SmtpServerE2ETest.failsWith(SmtpPermanentException.class, SmtpClient.connect(sockets,
                settings().allowAuthWithoutTls(true).credentials(SmtpCredentials.password("alice", "bad-pw")).build()));
        assertEquals(535, e.replyCode());
        assertFalse(e.getMessage().contains("bad-pw"));
        SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets,
                settings().allowAuthWithoutTls(true).credentials(SmtpCredentials.password("alice", "alice-pw")).build()));
        try {
            assertTrue(s.authenticatedWith().isPresent());
            SmtpServerE2ETest.await(s.send(Envelope.of("alice@example.org", "bob@example.org"),
                    MessageSource.of("Subject: authed\r\n\r\nhi\r\n".getBytes(UTF_8))));
        } finally {
            SmtpServerE2ETest.await(s.close());
        }
        assertTrue(greenMail.waitForIncomingEmail(10_000, 1));
        assertEquals("authed", greenMail.getReceivedMessages()[0].getSubject());
        System.out.println("GreenMail capabilities: " + s.capabilities());
    }

    @Test
    void eightBitBody() throws Exception {
        byte[] raw = ("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: 8bit\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nÄrger ✓ ünd ß\r\n")
                .getBytes(UTF_8);
        SmtpSession s = SmtpServerE2ETest.await(SmtpClient.connect(sockets, settings().build()));
        try {
            // GreenMail does not offer 8BITMIME: BODY=8BITMIME is refused locally, before anything is sent.
            assertFalse(s.capabilities().has("8BITMIME"), s.capabilities().toString());
            Envelope env8 = Envelope.builder("alice@example.org").to("bob@example.org").eightBitMime(true).build();
            SmtpCapabilityException e = SmtpServerE2ETest.failsWith(SmtpCapabilityException.class,
                    s.send(env8, MessageSource.of(raw)));
            assertTrue(e.getMessage().contains("does not offer 8BITMIME"), e.getMessage());
            // Without the declaration the bytes still go through unchanged (GreenMail is 8-bit clean).
            SmtpServerE2ETest.await(s.send(Envelope.of("alice@example.org", "bob@example.org"), MessageSource.of(raw)));
        } finally {
            SmtpServerE2ETest.await(s.close());
        }
        assertTrue(greenMail.waitForIncomingEmail(10_000, 1));
        assertEquals(1, greenMail.getReceivedMessages().length);
        assertEquals("Ärger ✓ ünd ß", greenMail.getReceivedMessages()[0].getContent().toString());
    }
}
