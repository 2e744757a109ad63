package org.rawsockets.irc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcUnsupportedException;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcUser;
import org.rawsockets.irc.IrcWhoEntry;

/** WHO/WHOX and labeled-response against real servers started by the test. */
class WhoTest extends ServerTestBase {

    static Map<String, IrcWhoEntry> byNick(List<IrcWhoEntry> entries) {
        return entries.stream().collect(Collectors.toMap(IrcWhoEntry::nick, Function.identity()));
    }

    @Test
    void inspircdAnswersWhoxInALabeledBatch() throws Exception {
        server = IrcServers.inspircd(dir, "commandrate=\"100000\"", "");
        IrcClient alice = client(plain("alice").user("aliceu").realName("Alice Liddell").build());
        IrcClient bob = client(plain("bob").build());
        Recorder atAlice = new Recorder();
        cleanup.add(alice.subscribe(atAlice, 10_000));
        ok(alice.connect());
        ok(bob.connect());
        assertTrue(alice.isupport().token("WHOX").isPresent(), alice.isupport().toString());
        assertTrue(alice.capabilities().contains("labeled-response"), alice.capabilities().toString());
        ok(alice.join("#who", null));
        ok(bob.join("#who", null));
        ok(bob.sendRaw("AWAY :gone"));
        IrcServers.until(Duration.ofSeconds(30), () -> !atAlice.matching(m -> m.command().equals("AWAY")).isEmpty(),
                atAlice::tail);

        Map<String, IrcWhoEntry> who = byNick(ok(alice.who("#who")));
        assertEquals(2, who.size(), who.toString());
        IrcWhoEntry a = who.get("alice");
        assertEquals("#who", a.channel());
        assertEquals("aliceu", a.user().replace("~", ""));
        assertEquals("Alice Liddell", a.realName());
        assertEquals("irc.insp.test", a.server());
        assertTrue(a.flags().contains("@") && !a.away(), a.toString());
        assertEquals(Optional.empty(), a.account());
        assertTrue(who.get("bob").away(), who.get("bob").toString());
        // The replies came in a batch labeled for this command (the subscriber's stream delivers the
        // messages after the command's stage completes: wait for them).
        IrcServers.until(Duration.ofSeconds(30), () -> !atAlice.matching(m -> m.command().equals("BATCH")
                && m.tag("label").isPresent()).isEmpty(), atAlice::tail);
        IrcMessage batch = atAlice.matching(m -> m.command().equals("BATCH") && m.tag("label").isPresent()).get(0);
        assertEquals("labeled-response", batch.param(1), batch.toString());
        assertTrue(atAlice.matching(m -> m.command().equals("354")).stream().allMatch(m -> m.tag("batch").isPresent()));

        // Any command with its labeled replies.
        List<IrcMessage> whois = ok(alice.request(IrcMessage.of("WHOIS", "bob")));
        assertTrue(whois.stream().anyMatch(m -> m.command().equals("311") && m.param(1).equals("bob")), whois.toString());
        assertEquals("318", whois.get(whois.size() - 1).command(), whois.toString());
        // A single labeled reply (no batch): PING answered with a labeled PONG.
        List<IrcMessage> pong = ok(alice.request(IrcMessage.of("PING", "label-check")));
        assertEquals(1, pong.size(), pong.toString());
        assertEquals("PONG", pong.get(0).command());
        // A mask matching nobody: an empty list.
        assertEquals(List.of(), ok(alice.who("nobody-here")));
    }

    @Test
    void theUsersOnAChannelAreKnownFromJoinsWhoAndNotifications() throws Exception {
        server = IrcServers.inspircd(dir, "commandrate=\"100000\"", "");
        IrcClient alice = client(plain("alice").build());
        IrcClient bob = client(plain("bob").user("bobu").realName("Bob Builder").build());
        ok(alice.connect());
        ok(bob.connect());
        assertTrue(alice.capabilities().containsAll(List.of("extended-join", "away-notify", "setname")),
                alice.capabilities().toString());
        ok(alice.join("#state", null));
        ok(bob.join("#state", null));
        // extended-join: the real name (and "no account") with the JOIN itself, user@host from its source.
        IrcServers.until(Duration.ofSeconds(30), () -> alice.user("bob").isPresent(), () -> alice.channels().toString());
        IrcUser b = alice.user("BOB").orElseThrow();
        assertEquals("Bob Builder", b.realName(), b.toString());
        assertEquals("bobu", b.user().replace("~", ""), b.toString());
        assertEquals("127.0.0.1", b.host(), b.toString());
        assertEquals(Optional.empty(), b.account());
        assertFalse(b.away());
        // away-notify, both ways.
        ok(bob.sendRaw("AWAY :gone fishing"));
        IrcServers.until(Duration.ofSeconds(30), () -> alice.user("bob").orElseThrow().away(), () -> "" + alice.user("bob"));
        ok(bob.sendRaw("AWAY"));
        IrcServers.until(Duration.ofSeconds(30), () -> !alice.user("bob").orElseThrow().away(), () -> "" + alice.user("bob"));
        // setname.
        ok(bob.sendRaw("SETNAME :Robert the Builder"));
        IrcServers.until(Duration.ofSeconds(30), () -> alice.user("bob").orElseThrow().realName()
                .equals("Robert the Builder"), () -> "" + alice.user("bob"));
        // WHO (WHOX) agrees with what was learnt, and sets away from the G flag.
        ok(bob.sendRaw("AWAY :back soon"));
        IrcServers.until(Duration.ofSeconds(30), () -> alice.user("bob").orElseThrow().away(), () -> "" + alice.user("bob"));
        IrcWhoEntry w = byNick(ok(alice.who("#state"))).get("bob");
        assertEquals(new IrcUser("bob", w.user(), w.host(), Optional.empty(), "Robert the Builder", true),
                alice.user("bob").orElseThrow());
        // The client itself is known as the server sees it.
        assertEquals("alice", alice.user("alice").orElseThrow().nick());
        assertEquals("127.0.0.1", alice.user("alice").orElseThrow().host());
        // A rename carries the record; leaving the last shared channel forgets it.
        ok(bob.sendRaw("NICK robert"));
        IrcServers.until(Duration.ofSeconds(30), () -> alice.user("robert").isPresent() && alice.user("bob").isEmpty(),
                () -> "" + alice.channels());
        assertEquals("Robert the Builder", alice.user("robert").orElseThrow().realName());
        ok(bob.part("#state", "bye"));
        IrcServers.until(Duration.ofSeconds(30), () -> alice.user("robert").isEmpty(), () -> "" + alice.channels());
    }

    @Test
    void ngircdAnswersPlainWhoMatchedByNumerics() throws Exception {
        server = IrcServers.ngircd(dir, false, "");
        IrcClient alice = client(plain("alice").realName("Alice L").build());
        IrcClient bob = client(plain("bob").build());
        ok(alice.connect());
        ok(bob.connect());
        assertFalse(alice.capabilities().contains("labeled-response"));
        ok(alice.join("#who", null));
        ok(bob.join("#who", null));
        Map<String, IrcWhoEntry> who = byNick(ok(alice.who("#who")));
        assertEquals(2, who.size(), who.toString());
        assertEquals("Alice L", who.get("alice").realName());
        assertTrue(who.get("alice").flags().contains("@"), who.get("alice").toString());
        assertEquals("irc.ngircd.test", who.get("bob").server());
        // Plain WHO fills in what the client knows of the members (ngIRCd has no extended-join).
        IrcUser a = alice.user("alice").orElseThrow();
        assertEquals("Alice L", a.realName(), a.toString());
        assertEquals(who.get("bob").host(), alice.user("bob").orElseThrow().host());
        // Without labeled-response, request() says why it cannot tell the replies apart.
        IrcUnsupportedException e = assertInstanceOf(IrcUnsupportedException.class,
                failure(alice.request(IrcMessage.of("WHOIS", "bob"))));
        assertTrue(e.getMessage().contains("labeled-response"), e.getMessage());
    }
}
