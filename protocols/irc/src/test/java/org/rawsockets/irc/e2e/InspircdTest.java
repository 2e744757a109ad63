package org.rawsockets.irc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcDisconnectedException;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.socket.NetworkException;

/** Clients of this bundle through a real InspIRCd 3 with its IRCv3 modules, started by the test. */
class InspircdTest extends ServerTestBase {

    @Test
    void negotiatesTheIrcv3CapabilitiesAndUsesThem() throws Exception {
        server = IrcServers.inspircd(dir, "commandrate=\"100000\"", "");
        IrcClient alice = client(plain("alice").build());
        IrcClient bob = client(plain("bob").build());
        Recorder atAlice = new Recorder();
        Recorder atBob = new Recorder();
        cleanup.add(alice.subscribe(atAlice, 10_000));
        cleanup.add(bob.subscribe(atBob, 10_000));
        ok(alice.connect());
        ok(bob.connect());
        assertTrue(alice.capabilities().containsAll(Set.of("message-tags", "server-time", "echo-message", "multi-prefix",
                "extended-join", "away-notify", "account-notify", "account-tag", "cap-notify", "batch", "chghost",
                "invite-notify", "userhost-in-names", "setname", "labeled-response")), alice.capabilities().toString());
        assertEquals("rfc1459", alice.isupport().token("CASEMAPPING").orElseThrow());
        assertEquals(512, alice.isupport().lineLength());
        assertEquals(30, alice.isupport().monitor());

        ok(alice.join("#Chan[1]", null));
        ok(bob.join("#chan{1}", null)); // the same channel under rfc1459 case mapping
        IrcServers.until(Duration.ofSeconds(30), () -> alice.channel("#CHAN{1}").map(c -> c.members().size() == 2)
                .orElse(false), () -> alice.channels().toString());
        // extended-join: the account ("*" = none) and the real name. The channel state is updated
        // before the subscriber's stream delivers the message: wait for the message itself.
        IrcServers.until(Duration.ofSeconds(30), () -> !atAlice.matching(m -> m.command().equals("JOIN")
                && "bob".equals(m.nick())).isEmpty(), atAlice::tail);
        IrcMessage join = atAlice.matching(m -> m.command().equals("JOIN") && "bob".equals(m.nick())).get(0);
        assertEquals(List.of("#Chan[1]", "*", "bob"), join.params());

        ok(alice.privmsg("#chan[1]", "tagged"));
        IrcServers.until(Duration.ofSeconds(30), () -> atBob.privmsgs("#chan[1]").contains("tagged"), atBob::tail);
        IrcMessage got = atBob.matching(m -> m.command().equals("PRIVMSG")).get(0);
        assertTrue(got.serverTime().isPresent(), got.toString());
        assertTrue(got.tag("msgid").isPresent(), got.toString());
        // echo-message: alice receives her own message back from the server.
        IrcServers.until(Duration.ofSeconds(30), () -> atAlice.privmsgs("#chan[1]").contains("tagged"), atAlice::tail);

        // multi-prefix: both prefixes of an op with voice.
        ok(alice.sendRaw("MODE #chan[1] +v alice"));
        IrcServers.until(Duration.ofSeconds(30), () -> "@+".equals(bob.channel("#chan[1]").orElseThrow().members()
                .get("alice")), () -> bob.channels().toString());
        assertEquals(Map.of("alice", "@+", "bob", ""), ok(bob.names("#CHAN[1]")));

        // The commands with replies carry a label here (labeled-response): topic, whois, part.
        ok(alice.setTopic("#chan[1]", "plc maintenance at 14:00"));
        assertEquals("plc maintenance at 14:00", ok(bob.topic("#CHAN[1]")));
        assertTrue(ok(bob.whois("alice")).stream().anyMatch(m -> m.command().equals("311")), "WHOIS 311");
        ok(bob.part("#chan{1}", "bye"));
        assertTrue(bob.channel("#chan[1]").isEmpty(), bob.channels().toString());
        ok(bob.join("#chan[1]", null));

        // away-notify and setname reach the other client as messages.
        ok(alice.sendRaw("AWAY :lunch"));
        IrcServers.until(Duration.ofSeconds(30), () -> !atBob.matching(m -> m.command().equals("AWAY")).isEmpty(),
                atBob::tail);
        // CTCP VERSION is answered automatically.
        ok(bob.privmsg("alice", "\u0001VERSION\u0001"));
        IrcServers.until(Duration.ofSeconds(30), () -> atBob.matching(m -> m.command().equals("NOTICE")
                && m.trailing().startsWith("\u0001VERSION Raw Sockets")).size() == 1, atBob::tail);
        assertTrue(alice.lag().orElseThrow().compareTo(Duration.ofSeconds(5)) < 0);
    }

    @Test
    void monitorTakesTheNickBackWhenItsHolderLeaves() throws Exception {
        server = IrcServers.inspircd(dir, "commandrate=\"100000\"", "");
        IrcClient holder = client(plain("wanted").build());
        ok(holder.connect());
        IrcClient bot = client(plain("wanted").build());
        assertEquals("wanted_", ok(bot.connect()));
        ok(holder.disconnect("bye"));
        IrcServers.until(Duration.ofSeconds(15), () -> bot.nick().equals("wanted"), () -> "still " + bot.nick());
    }

    /** InspIRCd with 50 commands/s (fakelag) and an 8 KiB receive queue kills a client that floods. */
    private static final String RATE = "commandrate=\"50000\"";

    @Test
    void floodControlSends500LinesWithoutAnExcessFloodKill() throws Exception {
        server = IrcServers.inspircd(dir, RATE, "");
        // 20 lines/s after a burst of 5: what this server takes in a sustained stream (measured).
        IrcClient sender = client(plain("flooder").flood(5, Duration.ofMillis(50)).build());
        IrcClient receiver = client(plain("listener").build());
        Recorder r = new Recorder();
        Recorder atSender = new Recorder();
        cleanup.add(receiver.subscribe(r, 10_000));
        cleanup.add(sender.subscribe(atSender, 10_000));
        ok(sender.connect());
        ok(receiver.connect());
        long t0 = System.nanoTime();
        for (int i = 0; i < 500; i++) {
            sender.privmsg("listener", "line " + i);
        }
        IrcServers.until(Duration.ofSeconds(60), () -> r.privmsgs("listener").size() == 500 || !atSender.disconnected
                .isEmpty(), () -> r.privmsgs("listener").size() + " received; " + atSender.tail());
        assertTrue(atSender.disconnected.isEmpty(), atSender.disconnected.toString());
        assertTrue(sender.isConnected());
        for (int i = 0; i < 500; i++) {
            assertEquals("line " + i, r.privmsgs("listener").get(i));
        }
        System.out.printf("500 lines through InspIRCd under flood control in %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void withoutFloodControlTheSameServerKillsTheClient() throws Exception {
        // The control for the test above: the server's limit is real.
        server = IrcServers.inspircd(dir, RATE, "");
        IrcClient sender = client(plain("flooder").flood(1000, Duration.ofMillis(1)).build());
        Recorder atSender = new Recorder();
        cleanup.add(sender.subscribe(atSender, 10_000));
        ok(sender.connect());
        for (int i = 0; i < 500; i++) {
            sender.privmsg("nobody", "line " + i);
        }
        IrcServers.until(Duration.ofSeconds(30), () -> !atSender.disconnected.isEmpty(), atSender::tail);
        Throwable reason = atSender.disconnected.get(0);
        if (reason instanceof IrcDisconnectedException e) {
            assertTrue(e.serverMessage().contains("RecvQ exceeded") || e.serverMessage().contains("Excess"), e.getMessage());
        } else {
            // The server closed with our unread lines in its buffer: the reset discards its ERROR text.
            NetworkException n = assertInstanceOf(NetworkException.class, reason);
            assertEquals(NetworkException.Reason.RESET, n.reason(), n.toString());
        }
        assertFalse(sender.isConnected());
    }
}
