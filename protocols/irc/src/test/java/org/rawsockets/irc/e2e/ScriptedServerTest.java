package org.rawsockets.irc.e2e;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcProtocolException;
import org.rawsockets.irc.IrcRegistrationException;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.SaslMechanism;

/** Faults from a scripted peer: typed errors in bounded time. */
class ScriptedServerTest extends ServerTestBase {

    IrcSettings.Builder to(ScriptedServer s, String nick) {
        return IrcSettings.builder("scripted").server("127.0.0.1", s.port()).tls(false).nick(nick)
                .reconnect(false, Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    /** Registers on NICK (001) after a CAP exchange without capabilities. */
    static byte[] welcome(String line) {
        if (line.startsWith("CAP LS")) {
            return ScriptedServer.lines(":s CAP * LS :");
        }
        if (line.startsWith("NICK ")) {
            return ScriptedServer.lines(":s 001 " + line.substring(5) + " :Welcome");
        }
        return null;
    }

    /**
     * 10,000 JOINs in one burst (extended-join), then a netsplit (5,000 QUITs with the two servers'
     * names) and the rejoin of half of them: the channel and its users come out right, in bounded
     * time, and another network's client (a real ngIRCd) goes on undisturbed.
     */
    @Test
    void aJoinBurstAndANetsplitKeepTheChannelAndItsUsersRight() throws Exception {
        server = IrcServers.ngircd(dir, false, "");
        IrcClient calm = client(plain("calm").build());
        ok(calm.connect());
        ok(calm.join("#calm", null));
        try (ScriptedServer s = new ScriptedServer((line, out) -> {
            if (line.startsWith("CAP LS")) {
                return ScriptedServer.lines(":s CAP * LS :extended-join");
            }
            if (line.startsWith("CAP REQ")) {
                return ScriptedServer.lines(":s CAP * ACK :extended-join");
            }
            if (line.equals("CAP END")) {
                return ScriptedServer.lines(":s 001 bot :Welcome");
            }
            if (line.equals("JOIN #big")) {
                StringBuilder b = new StringBuilder(":bot!b@gw JOIN #big * :Bot\r\n:s 353 bot = #big :@bot\r\n"
                        + ":s 366 bot #big :End of NAMES\r\n");
                for (int i = 0; i < 10_000; i++) {
                    b.append(":u").append(i).append("!id").append(i).append("@h").append(i).append(".example JOIN #big acct")
                            .append(i).append(" :User ").append(i).append("\r\n");
                }
                for (int i = 0; i < 5_000; i++) {
                    b.append(":u").append(i).append("!id").append(i).append("@h").append(i)
                            .append(".example QUIT :hub.example leaf.example\r\n");
                }
                for (int i = 0; i < 2_500; i++) {
                    b.append(":u").append(i).append("!id").append(i).append("@h").append(i).append(".example JOIN #big acct")
                            .append(i).append(" :User ").append(i).append("\r\n");
                }
                b.append(":u9999!id9999@h9999.example PRIVMSG #big :end of the burst\r\n");
                return b.toString().getBytes(UTF_8);
            }
            return null;
        })) {
            IrcClient bot = client(to(s, "bot").build());
            Recorder r = new Recorder();
            cleanup.add(bot.subscribe(r, 20_000));
            ok(bot.connect());
            long t0 = System.nanoTime();
            ok(bot.join("#big", null));
            IrcServers.until(Duration.ofSeconds(30), () -> r.privmsgs("#big").contains("end of the burst"), r::tail);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1 + 5_000 + 2_500, bot.channel("#big").orElseThrow().members().size());
            assertEquals(Optional.of("acct100"), bot.user("u100").orElseThrow().account(), "rejoined");
            assertEquals("h7000.example", bot.user("U7000").orElseThrow().host(), "never split");
            assertEquals("User 7000", bot.user("u7000").orElseThrow().realName());
            assertFalse(bot.user("u4999").isPresent(), "split off and not back");
            assertTrue(ms < 30_000, ms + " ms");
            // the other network: still connected, its channel as it was, a line sent
            assertTrue(calm.isConnected());
            assertEquals(java.util.Map.of("calm", "@"), calm.channel("#calm").orElseThrow().members());
            ok(calm.privmsg("#calm", "still here"));
        }
    }

    @Test
    void aRegistrationThatNeverEndsFailsWithinTheTimeout() throws Exception {
        try (ScriptedServer silent = new ScriptedServer((line, out) -> null)) {
            IrcClient c = client(to(silent, "waiting").registrationTimeout(Duration.ofMillis(1500)).build());
            long t0 = System.nanoTime();
            IrcRegistrationException e = assertInstanceOf(IrcRegistrationException.class, failure(c.connect()));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 1400 && ms < 5000, ms + " ms");
            assertTrue(e.getMessage().contains("did not complete registration within 1 s")
                    && e.getMessage().contains("CAP LS"), e.getMessage());
        }
    }

    @Test
    void aLineWithoutEndIsAProtocolErrorAfterAtMostTheLimit() throws Exception {
        try (ScriptedServer s = new ScriptedServer((line, out) -> {
            byte[] w = welcome(line);
            if (w != null && line.startsWith("NICK")) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(w);
                b.writeBytes("x".repeat(100_000).getBytes(UTF_8));
                return b.toByteArray();
            }
            return w;
        })) {
            IrcClient c = client(to(s, "victim").build());
            Recorder r = new Recorder();
            cleanup.add(c.subscribe(r, 100));
            ok(c.connect());
            IrcServers.until(Duration.ofSeconds(10), () -> !r.disconnected.isEmpty(), r::tail);
            IrcProtocolException e = assertInstanceOf(IrcProtocolException.class, r.disconnected.get(0));
            assertTrue(e.getMessage().contains("without LF within 8703 bytes"), e.getMessage());
        }
    }

    @Test
    void aMessageOverTheLineLengthIsAProtocolError() throws Exception {
        try (ScriptedServer s = new ScriptedServer((line, out) -> {
            byte[] w = welcome(line);
            if (w != null && line.startsWith("NICK")) {
                return ScriptedServer.lines(new String(w, UTF_8).trim(), ":s NOTICE victim :" + "y".repeat(600));
            }
            return w;
        })) {
            IrcClient c = client(to(s, "victim").build());
            Recorder r = new Recorder();
            cleanup.add(c.subscribe(r, 100));
            ok(c.connect());
            IrcServers.until(Duration.ofSeconds(10), () -> !r.disconnected.isEmpty(), r::tail);
            IrcProtocolException e = assertInstanceOf(IrcProtocolException.class, r.disconnected.get(0));
            assertTrue(e.getMessage().contains("over the line length limit of 512"), e.getMessage());
        }
    }

    @Test
    void invalidUtf8IsReadAsCp1252() throws Exception {
        try (ScriptedServer s = new ScriptedServer((line, out) -> {
            byte[] w = welcome(line);
            if (w != null && line.startsWith("NICK")) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(w);
                b.writeBytes(":old!u@h PRIVMSG reader :caf\u00e9 \u0080\r\n".getBytes(ISO_8859_1));
                return b.toByteArray();
            }
            return w;
        })) {
            IrcClient c = client(to(s, "reader").build());
            Recorder r = new Recorder();
            cleanup.add(c.subscribe(r, 100));
            ok(c.connect());
            IrcServers.until(Duration.ofSeconds(10), () -> r.privmsgs("reader").contains("café €"), r::tail);
        }
    }

    @Test
    void aNickTooLongForTheServerIsCutToNineCharacters() throws Exception {
        // As ngIRCd with its default MaxNickLength: 432 for nicks over 9 characters.
        try (ScriptedServer s = new ScriptedServer((line, out) -> {
            if (line.startsWith("NICK ")) {
                String n = line.substring(5);
                return ScriptedServer.lines(n.length() > 9 ? ":s 432 * " + n + " :Nickname too long, max. 9 characters"
                        : ":s 001 " + n + " :Welcome");
            }
            return null;
        })) {
            IrcClient c = client(to(s, "gatewaybot").alternateNicks(java.util.List.of("gatewaybot2")).build());
            assertEquals("gatewaybo", ok(c.connect()));
        }
    }

    /** A SASL server: offers sasl=PLAIN, answers the credentials with {@code verdict}. */
    static ScriptedServer sasl(String verdict) throws Exception {
        return new ScriptedServer((line, out) -> {
            if (line.startsWith("CAP LS")) {
                return ScriptedServer.lines(":s CAP * LS :sasl=PLAIN,EXTERNAL server-time");
            }
            if (line.startsWith("CAP REQ")) {
                return ScriptedServer.lines(":s CAP * ACK :" + line.substring(line.indexOf(':') + 1));
            }
            if (line.equals("AUTHENTICATE PLAIN")) {
                return ScriptedServer.lines("AUTHENTICATE +");
            }
            if (line.startsWith("AUTHENTICATE ")) {
                return ScriptedServer.lines(verdict.equals("903")
                        ? ":s 900 * n!u@h acct :You are now logged in as acct" : "", ":s " + verdict + " * :SASL result");
            }
            if (line.equals("CAP END")) {
                return ScriptedServer.lines(":s 001 saslnick :Welcome");
            }
            return null;
        });
    }

    @Test
    void saslPlainSendsTheCredentialsAndEndsCapAfter903() throws Exception {
        try (ScriptedServer s = sasl("903")) {
            IrcClient c = client(to(s, "saslnick").sasl(SaslMechanism.PLAIN, "acct", "pässword").build());
            ok(c.connect());
            String auth = s.received.stream().filter(l -> l.startsWith("AUTHENTICATE ") && !l.equals(
                    "AUTHENTICATE PLAIN")).findFirst().orElseThrow();
            assertEquals("acct\0acct\0pässword", new String(Base64.getDecoder().decode(auth.substring(13)), UTF_8));
            assertTrue(s.received.indexOf("CAP END") > s.received.indexOf(auth), s.received.toString());
            assertTrue(c.capabilities().contains("sasl") && c.capabilities().contains("server-time"));
        }
    }

    @Test
    void saslFailureEndsTheRegistrationWhenRequired() throws Exception {
        try (ScriptedServer s = sasl("904")) {
            IrcClient c = client(to(s, "saslnick").sasl(SaslMechanism.PLAIN, "acct", "wrong").build());
            IrcRegistrationException e = assertInstanceOf(IrcRegistrationException.class, failure(c.connect()));
            assertTrue(e.getMessage().contains("904") && !e.getMessage().contains("wrong"), e.getMessage());
        }
    }

    @Test
    void saslFailureFallsBackWhenNotRequired() throws Exception {
        try (ScriptedServer s = sasl("904")) {
            IrcClient c = client(to(s, "saslnick").sasl(SaslMechanism.PLAIN, "acct", "wrong").saslRequired(false).build());
            assertEquals("saslnick", ok(c.connect()));
        }
    }

    /**
     * A server with labeled-response: TOPIC carries a label, and before its labeled answer the
     * server relays a 332 for the same channel that answers something else (as a TOPIC the
     * application sent raw would get). Matched by numerics, topic() took that one; matched by label,
     * the labeled batch's.
     */
    static ScriptedServer labeled(java.util.function.Function<String, String[]> answers) throws Exception {
        return new ScriptedServer((line, out) -> {
            if (line.startsWith("CAP LS")) {
                return ScriptedServer.lines(":s CAP * LS :batch labeled-response message-tags");
            }
            if (line.startsWith("CAP REQ")) {
                return ScriptedServer.lines(":s CAP * ACK :" + line.substring(line.indexOf(':') + 1));
            }
            if (line.equals("CAP END")) {
                return ScriptedServer.lines(":s 001 bot :Welcome");
            }
            if (line.startsWith("@label=")) {
                String label = line.substring(7, line.indexOf(' '));
                String[] a = answers.apply(line.substring(line.indexOf(' ') + 1));
                return a == null ? null : ScriptedServer.lines(java.util.Arrays.stream(a)
                        .map(x -> x.replace("LABEL", label)).toArray(String[]::new));
            }
            return null;
        });
    }

    @Test
    void withLabeledResponseACommandTakesOnlyTheRepliesLabeledForIt() throws Exception {
        try (ScriptedServer s = labeled(cmd -> cmd.equals("TOPIC #ops") ? new String[] {
                ":s 332 bot #ops :an answer to something else",
                "@label=LABEL :s BATCH +b1 labeled-response",
                "@batch=b1 :s 332 bot #ops :the topic",
                "@batch=b1 :s 333 bot #ops alice 1700000000",
                ":s BATCH -b1" } : null)) {
            IrcClient c = client(to(s, "bot").build());
            ok(c.connect());
            assertEquals("the topic", ok(c.topic("#ops")));
            assertTrue(s.received.stream().anyMatch(l -> l.matches("@label=\\S+ TOPIC #ops")), s.received.toString());
        }
    }

    @Test
    void aLabeledAnswerWithoutTheExpectedReplyFailsAtOnceAndTyped() throws Exception {
        try (ScriptedServer s = labeled(cmd -> cmd.equals("JOIN #ops") ? new String[] {"@label=LABEL :s ACK"}
                : cmd.equals("NAMES #ops") ? new String[] {"@label=LABEL :s NOTICE bot :no names for you"} : null)) {
            IrcClient c = client(to(s, "bot").commandTimeout(Duration.ofSeconds(60)).build());
            ok(c.connect());
            long t0 = System.nanoTime();
            IrcProtocolException e = assertInstanceOf(IrcProtocolException.class, failure(c.join("#ops", null)));
            assertTrue(e.getMessage().contains("JOIN #ops") && e.getMessage().contains("ACK"), e.getMessage());
            e = assertInstanceOf(IrcProtocolException.class, failure(c.names("#ops")));
            assertTrue(e.getMessage().contains("NAMES #ops") && e.getMessage().contains("NOTICE"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "not by the 60 s command timeout");
        }
    }
}
