package org.rawsockets.irc.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcRegistrationException;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.SaslMechanism;
import org.rawsockets.protocols.sasl.ScramServer;

/**
 * SASL SCRAM-SHA-256 against a scripted IRC server whose SCRAM side is {@link ScramServer}. (The
 * Atheme 7.2.12 Debian ships has no SCRAM module: its saslserv modules are PLAIN, EXTERNAL,
 * AUTHCOOKIE and ECDSA-NIST256P-CHALLENGE; {@link AthemeSaslTest} checks the client's policy when
 * real services do not offer the mechanism.)
 */
class ScramSaslTest extends ServerTestBase {

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
    }

    static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), UTF_8);
    }

    /** An IRC server with SASL SCRAM-SHA-256 for {@code user}/{@code password}. */
    static ScriptedServer scramServer(String user, String password, boolean lie) throws Exception {
        ScramServer scram = new ScramServer(256, user, password, lie);
        int[] step = {0};
        return new ScriptedServer((line, out) -> {
            try {
                if (line.startsWith("CAP LS")) {
                    return ScriptedServer.lines(":s CAP * LS :sasl=PLAIN,SCRAM-SHA-256 server-time");
                }
                if (line.startsWith("CAP REQ")) {
                    return ScriptedServer.lines(":s CAP * ACK :" + line.substring(line.indexOf(':') + 1));
                }
                if (line.equals("AUTHENTICATE SCRAM-SHA-256")) {
                    return ScriptedServer.lines("AUTHENTICATE +");
                }
                if (line.equals("AUTHENTICATE *")) {
                    return ScriptedServer.lines(":s 906 * :SASL authentication aborted");
                }
                if (line.startsWith("AUTHENTICATE ")) {
                    String data = line.substring(13);
                    switch (step[0]++) {
                        case 0 -> {
                            String first = scram.first(unb64(data));
                            return ScriptedServer.lines(first == null ? ":s 904 * :SASL authentication failed"
                                    : "AUTHENTICATE " + b64(first));
                        }
                        case 1 -> {
                            String last = scram.last(unb64(data));
                            return ScriptedServer.lines(last.startsWith("e=") ? ":s 904 * :SASL authentication failed"
                                    : "AUTHENTICATE " + b64(last));
                        }
                        default -> {
                            return ScriptedServer.lines(data.equals("+") ? ":s 900 * n!u@h " + user
                                    + " :You are now logged in as " + user : "", ":s 903 * :SASL authentication successful");
                        }
                    }
                }
                if (line.equals("CAP END")) {
                    return ScriptedServer.lines(":s 001 scrambot :Welcome");
                }
                return null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    IrcSettings.Builder to(ScriptedServer s) {
        return IrcSettings.builder("scram").server("127.0.0.1", s.port()).tls(false).nick("scrambot")
                .reconnect(false, Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void logsInWithoutSendingThePasswordAndChecksTheServer() throws Exception {
        try (ScriptedServer s = scramServer("acct", "pencil ünïcode", false)) {
            IrcClient c = client(to(s).sasl(SaslMechanism.SCRAM_SHA_256, "acct", "pencil ünïcode").build());
            assertEquals("scrambot", get(c.connect()));
            assertEquals(Optional.of("acct"), c.account());
            assertTrue(s.received.contains("AUTHENTICATE SCRAM-SHA-256"), s.received.toString());
            // The client's last step is the empty response after it checked the server's signature.
            int end = s.received.indexOf("CAP END");
            assertEquals("AUTHENTICATE +", s.received.get(end - 1), s.received.toString());
            for (String line : s.received) {
                assertFalse(line.contains("pencil") || (line.startsWith("AUTHENTICATE ") && line.length() > 13
                        && !line.equals("AUTHENTICATE +") && !line.equals("AUTHENTICATE SCRAM-SHA-256")
                        && unb64(line.substring(13)).contains("pencil")), line);
            }
        }
    }

    @Test
    void aWrongPasswordIsRefusedByTheServer() throws Exception {
        try (ScriptedServer s = scramServer("acct", "pencil", false)) {
            IrcClient c = client(to(s).sasl(SaslMechanism.SCRAM_SHA_256, "acct", "crayon").build());
            IrcRegistrationException e = assertInstanceOf(IrcRegistrationException.class, failure(c.connect()));
            assertTrue(e.getMessage().contains("904") && e.getMessage().contains("SCRAM-SHA-256")
                    && !e.getMessage().contains("crayon"), e.getMessage());
        }
    }

    @Test
    void aServerThatCannotProveItKnowsThePasswordIsRefusedEvenWithTheFallback() throws Exception {
        try (ScriptedServer s = scramServer("acct", "pencil", true)) {
            IrcClient c = client(to(s).sasl(SaslMechanism.SCRAM_SHA_256, "acct", "pencil").saslRequired(false).build());
            IrcRegistrationException e = assertInstanceOf(IrcRegistrationException.class, failure(c.connect()));
            assertTrue(e.getMessage().contains("signature does not match"), e.getMessage());
            IrcServers.until(Duration.ofSeconds(30), () -> s.received.contains("AUTHENTICATE *"), s.received::toString);
            assertFalse(s.received.contains("CAP END"), s.received.toString());
            assertFalse(c.isConnected());
        }
    }
}
