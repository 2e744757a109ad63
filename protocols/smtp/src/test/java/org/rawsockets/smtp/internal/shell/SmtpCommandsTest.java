package org.rawsockets.smtp.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.smtp.SmtpCapabilityException;
import org.rawsockets.smtp.internal.MailSenderComponent;
import org.rawsockets.smtp.internal.TestServers;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/** The Gogo commands over the OSGi service class, against GreenMail, without a framework. */
class SmtpCommandsTest {

    private GreenMail greenMail;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SmtpCommands commands;
    private ConfigRegistry registry;
    private SecretFiles secrets;
    @TempDir
    Path secretsDir;

    @BeforeEach
    void start() throws Exception {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        greenMail.start();
        greenMail.setUser("alice@example.org", "alice", "alice-pw");
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.smtp"));
        Path secret = secretsDir.resolve("local-smtp");
        Files.writeString(secret, "alice-pw\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        secrets = new SecretFiles(secretsDir.toString());
        registry = TestServers.registry();
        commands = new SmtpCommands(registry);
        commands.addSender(sender("name", "local", "host", "127.0.0.1", "port", greenMail.getSmtp().getPort(), "tls",
                "OFF", "user", "alice", ".password", "secret:local-smtp", "allowAuthWithoutTls", "true"));
        commands.addSender(sender("name", "strict", "host", "127.0.0.1", "port", greenMail.getSmtp().getPort(), "tls",
                "STARTTLS_REQUIRED"));
    }

    private MailSenderComponent sender(Object... kv) {
        return TestServers.sender(sockets, secrets, registry, TestServers.props(kv));
    }

    @AfterEach
    void stop() {
        sockets.close();
        engine.close();
        greenMail.stop();
    }

    @Test
    void serversProbeAndSendText() throws Exception {
        String list = commands.servers();
        assertTrue(list.contains("local  127.0.0.1:") && list.contains("tls=OFF") && list.contains("auth=alice"), list);
        assertFalse(list.contains("alice-pw"));
        String probe = commands.probe("local");
        assertTrue(probe.contains("greeting:     220"), probe);
        assertTrue(probe.contains("AUTH PLAIN LOGIN"), probe);
        assertTrue(probe.contains("tls:          none"), probe);
        assertTrue(probe.contains("auth:         OK with PLAIN"), probe);
        String sent = commands.send("", "Hello ✓", "body text", "local", "alice@example.org",
                "bob@example.org, carol@example.org");
        assertTrue(sent.startsWith("sent via local: 250"), sent);
        assertTrue(sent.contains("accepted: 2 of 2"), sent);
        assertTrue(greenMail.waitForIncomingEmail(10_000, 2));
        assertEquals("Hello ✓", greenMail.getReceivedMessages()[0].getSubject());
    }

    @Test
    void sendFileShowsProgress(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.eml");
        StringBuilder sb = new StringBuilder("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: file\r\n\r\n");
        while (sb.length() < 3_000_000) {
            sb.append("0123456789 abcdefghijklmnopqrstuvwxyz 0123456789 abcdefghijklmnopqrstuvwxyz\r\n");
        }
        Files.writeString(file, sb);
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String sent;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            sent = commands.send(file.toString(), "", "", "local", "alice@example.org", "bob@example.org");
        } finally {
            System.setOut(old);
        }
        String progress = out.toString(StandardCharsets.UTF_8);
        // One line per 10 % step reached (blocks are 256 KiB, so some steps share a line), ending at 100 %.
        assertTrue(progress.lines().count() >= 5 && progress.strip().endsWith("(100%)"), progress);
        assertTrue(progress.lines().allMatch(l -> l.matches("sent \\d+ of \\d+ KiB \\(\\d+%\\)")), progress);
        assertTrue(sent.contains("accepted: 1 of 1"), sent);
        assertTrue(greenMail.waitForIncomingEmail(10_000, 1));
        assertEquals("file", greenMail.getReceivedMessages()[0].getSubject());
    }

    @Test
    void failuresAreOneClearLine() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> commands.probe("nope"));
        assertEquals("no mail server named 'nope' (configured: local, strict); add a factory configuration"
                + " org.rawsockets.smtp.server", unknown.getMessage());
        SmtpCapabilityException tls = assertThrows(SmtpCapabilityException.class, () -> commands.send("", "s", "b",
                "strict", "alice@example.org", "bob@example.org"));
        assertTrue(tls.getMessage().contains("does not offer STARTTLS"), tls.getMessage());
        assertFalse(tls.getMessage().contains("\n"));
        IllegalArgumentException file = assertThrows(IllegalArgumentException.class, () -> commands.send("/no/such.eml",
                "", "", "local", "alice@example.org", "bob@example.org"));
        assertTrue(file.getMessage().contains("cannot read message file"), file.getMessage());
    }

    @Test
    void aRejectedConfigurationIsExplainedByTheShell() {
        assertThrows(ConfigRejectedException.class, () -> sender("name", "bad", "host", "127.0.0.1", "pipelining", "flase"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.probe("bad"));
        assertTrue(e.getMessage().matches("no mail server named 'bad': its PID org\\.rawsockets\\.smtp\\.server~bad was"
                + " rejected at \\d\\d:\\d\\d:\\d\\d: field 'pipelining' = 'flase': not a boolean; rule: true or false"
                + " \\(configured: local, strict\\)"), e.getMessage());
        String servers = commands.servers();
        assertTrue(servers.contains("rejected configurations (see the log):\n  PID org.rawsockets.smtp.server~bad was"
                + " rejected at "), servers);
        // a duplicate name is refused, and the shell says which configuration holds the name
        assertThrows(ConfigRejectedException.class, () -> sender("name", "local", "host", "127.0.0.2", "service.pid",
                "org.rawsockets.smtp.server~local2"));
        assertTrue(commands.servers().contains("PID org.rawsockets.smtp.server~local2 was rejected at"), commands.servers());
        assertTrue(commands.servers().contains("field 'name' = 'local': already the name of PID"
                + " org.rawsockets.smtp.server~local;"), commands.servers());
    }
}
