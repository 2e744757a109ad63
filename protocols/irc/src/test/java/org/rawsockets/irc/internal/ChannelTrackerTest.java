package org.rawsockets.irc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcUser;
import org.rawsockets.irc.IrcWhoEntry;

/** The users the tracker knows on the client's channels, from every message that tells about them. */
class ChannelTrackerTest {

    private final ChannelTracker t = new ChannelTracker();

    private void in(String... lines) throws Exception {
        for (String l : lines) {
            t.onMessage(IrcMessage.parse(l));
        }
    }

    @BeforeEach
    void registered() throws Exception {
        in(":srv 001 me :Welcome", ":me!mu@mh JOIN #a", ":me!mu@mh JOIN #b");
    }

    @Test
    void joinTellsUserAndHostAndExtendedJoinTheAccountAndRealName() throws Exception {
        in(":bob!bu@b.host JOIN #a", ":carol!cu@c.host JOIN #a carol :Carol C", ":dan!du@d.host JOIN #a * :Dan D");
        assertEquals(new IrcUser("bob", "bu", "b.host", Optional.empty(), "", false), t.user("bob"));
        assertEquals(new IrcUser("carol", "cu", "c.host", Optional.of("carol"), "Carol C", false), t.user("CAROL"));
        assertEquals(Optional.empty(), t.user("dan").account());
        assertEquals("Dan D", t.user("dan").realName());
        // The client itself, from its own JOIN.
        assertEquals("mh", t.user("me").host());
        assertNull(t.user("nobody"));
    }

    @Test
    void userhostInNamesFillsTheMembersAtTheEndOfNames() throws Exception {
        in(":srv 353 me = #a :@me!mu@mh +bob!bu@b.host", ":srv 353 me = #a :carol!cu@c.host");
        assertNull(t.user("bob"), "not before 366");
        in(":srv 366 me #a :End of NAMES");
        assertEquals("bu", t.user("bob").user());
        assertEquals("c.host", t.user("carol").host());
        assertEquals(Map.of("me", "@", "bob", "+", "carol", ""), t.snapshot("#a").members());
        // NAMES of a channel the client is not on tracks nobody.
        in(":srv 353 me = #elsewhere :eve!eu@e.host", ":srv 366 me #elsewhere :End of NAMES");
        assertNull(t.user("eve"));
    }

    @Test
    void whoResultsFillUserHostRealNameAwayAndWithWhoxTheAccount() throws Exception {
        in(":bob!bu@b.host JOIN #a", ":carol!cu@c.host JOIN #a");
        t.who(List.of(new IrcWhoEntry("#a", "~bob", "b.cloak", "srv", "bob", "G@", 0, Optional.of("bobacct"), "Bob B"),
                new IrcWhoEntry("#x", "eu", "e.host", "srv", "eve", "H", 0, Optional.empty(), "Eve")), true);
        assertEquals(new IrcUser("bob", "~bob", "b.cloak", Optional.of("bobacct"), "Bob B", true), t.user("bob"));
        assertNull(t.user("eve"), "not on a tracked channel");
        // Plain WHO (no WHOX) says nothing about accounts: a known account stays.
        in(":carol!cu@c.host ACCOUNT carol");
        t.who(List.of(new IrcWhoEntry("#a", "cu", "c.host", "srv", "carol", "H", 0, Optional.empty(), "Carol")), false);
        assertEquals(Optional.of("carol"), t.user("carol").account());
        assertEquals("Carol", t.user("carol").realName());
        // WHOX saying "not logged in" clears it.
        t.who(List.of(new IrcWhoEntry("#a", "cu", "c.host", "srv", "carol", "H", 0, Optional.empty(), "Carol")), true);
        assertEquals(Optional.empty(), t.user("carol").account());
    }

    @Test
    void accountAwayChghostSetnameAndAccountTagsKeepTheUserCurrent() throws Exception {
        in(":bob!bu@b.host JOIN #a");
        in(":bob!bu@b.host ACCOUNT bobacct");
        assertEquals(Optional.of("bobacct"), t.user("bob").account());
        in(":bob!bu@b.host ACCOUNT *");
        assertEquals(Optional.empty(), t.user("bob").account());
        in(":bob!bu@b.host AWAY :lunch");
        assertTrue(t.user("bob").away());
        in(":bob!bu@b.host AWAY");
        assertFalse(t.user("bob").away());
        in(":bob!bu@b.host CHGHOST newu new.host");
        assertEquals("newu", t.user("bob").user());
        assertEquals("new.host", t.user("bob").host());
        in(":bob!newu@new.host SETNAME :Robert");
        assertEquals("Robert", t.user("bob").realName());
        in("@account=bob2 :bob!newu@new.host PRIVMSG #a :hello");
        assertEquals(Optional.of("bob2"), t.user("bob").account());
        // A message's source is the user's current user@host.
        in(":bob!other@other.host PRIVMSG #a :moved");
        assertEquals("other.host", t.user("bob").host());
        // WHOIS replies too; and the client's own away state from 306/305.
        in(":srv 311 me bob wu w.host * :Bob W", ":srv 330 me bob bobacct :is logged in as");
        assertEquals(new IrcUser("bob", "wu", "w.host", Optional.of("bobacct"), "Bob W", false), t.user("bob"));
        in(":srv 306 me :You have been marked as being away");
        assertTrue(t.user("me").away());
        in(":srv 305 me :You are no longer marked as being away");
        assertFalse(t.user("me").away());
    }

    /**
     * A seeded random walk of JOIN, PART, KICK, QUIT, NICK, NAMES (with userhost-in-names), ACCOUNT
     * and AWAY over a few nicks and channels, the client joining and leaving too: after every
     * message a nick is known exactly while it is a member of a channel the client is on.
     */
    @Test
    void aUserIsKnownExactlyWhileItSharesAChannel() throws Exception {
        java.util.Random rnd = new java.util.Random(20261206);
        String[] pool = {"me", "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"};
        String[] chans = {"#a", "#b", "#c"};
        for (int step = 0; step < 20_000; step++) {
            String x = pool[1 + rnd.nextInt(pool.length - 1)];
            String c = chans[rnd.nextInt(chans.length)];
            String line = switch (rnd.nextInt(9)) {
                case 0, 1 -> ":" + x + "!u@h JOIN " + c;
                case 2 -> ":" + x + "!u@h PART " + c;
                case 3 -> ":op!u@h KICK " + c + " " + x + " :out";
                case 4 -> ":" + x + "!u@h QUIT :bye";
                case 5 -> {
                    String to = pool[1 + rnd.nextInt(pool.length - 1)];
                    yield members().contains(to) ? ":" + x + "!u@h AWAY :renaming onto a nick in use is not sent"
                            : ":" + x + "!u@h NICK " + to;
                }
                case 6 -> {
                    StringBuilder b = new StringBuilder(":s 353 me = " + c + " :@me");
                    for (int i = 1; i < pool.length; i++) {
                        if (rnd.nextBoolean()) {
                            b.append(' ').append(pool[i]).append("!id@host");
                        }
                    }
                    in(b.toString());
                    yield ":s 366 me " + c + " :End of NAMES";
                }
                case 7 -> rnd.nextBoolean() ? ":me!mu@mh PART " + c : ":me!mu@mh JOIN " + c;
                default -> ":" + x + "!u@h ACCOUNT " + (rnd.nextBoolean() ? "*" : "acct");
            };
            in(line);
            java.util.Set<String> members = members();
            for (String n : pool) {
                assertEquals(members.contains(n), t.user(n) != null, "after " + line + " (step " + step + "): " + n
                        + " is " + (members.contains(n) ? "" : "not ") + "a member of " + t.snapshots());
            }
        }
    }

    private java.util.Set<String> members() {
        java.util.Set<String> m = new java.util.HashSet<>();
        t.snapshots().forEach(ch -> m.addAll(ch.members().keySet()));
        return m;
    }

    @Test
    void membersAndUsersAreBounded() throws Exception {
        for (int i = 0; i < ChannelTracker.MAX_MEMBERS + 10; i++) {
            t.onMessage(IrcMessage.parse(":n" + i + "!u@h JOIN #a"));
        }
        assertEquals(ChannelTracker.MAX_MEMBERS, t.snapshot("#a").members().size());
        assertNull(t.user("n" + (ChannelTracker.MAX_MEMBERS + 5)), "beyond the bound: not a member, not tracked");
        assertEquals("h", t.user("n1").host());
        // the client's own PART forgets them all
        in(":me!mu@mh PART #a");
        assertNull(t.user("n1"));
    }

    @Test
    void aRenameCarriesTheUserAndItsChannels() throws Exception {
        in(":bob!bu@b.host JOIN #a carol :Bob", ":bob!bu@b.host JOIN #b carol :Bob", ":bob!bu@b.host NICK robert");
        assertNull(t.user("bob"));
        assertEquals(new IrcUser("robert", "bu", "b.host", Optional.of("carol"), "Bob", false), t.user("robert"));
        assertEquals(Map.of("me", "", "robert", ""), t.snapshot("#b").members());
        // One record for both channels: an update through one is seen through the other.
        in(":robert!bu@b.host AWAY :gone");
        in(":robert!bu@b.host PART #a");
        assertTrue(t.user("robert").away());
    }

    @Test
    void aUserIsForgottenWithItsLastSharedChannel() throws Exception {
        in(":bob!bu@b.host JOIN #a", ":bob!bu@b.host JOIN #b", ":carol!cu@c.host JOIN #a", ":dan!du@d.host JOIN #b");
        in(":bob!bu@b.host PART #a");
        assertEquals("bu", t.user("bob").user(), "still on #b");
        in(":me!mu@mh KICK #b bob :out");
        assertNull(t.user("bob"));
        // The client leaving a channel forgets who was only there.
        in(":dan!du@d.host JOIN #a", ":me!mu@mh PART #b");
        assertEquals("du", t.user("dan").user(), "dan is on #a too");
        in(":me!mu@mh PART #a");
        assertNull(t.user("carol"));
        assertNull(t.user("dan"));
        in(":me!mu@mh JOIN #c", ":eve!eu@e.host JOIN #c", ":eve!eu@e.host QUIT :bye");
        assertNull(t.user("eve"));
        // A NAMES reply that no longer lists a member forgets it; the ones still there keep what is known.
        in(":fay!fu@f.host JOIN #c fay :Fay", ":gus!gu@g.host JOIN #c");
        in(":srv 353 me = #c :@me fay", ":srv 366 me #c :End of NAMES");
        assertNull(t.user("gus"));
        assertEquals(new IrcUser("fay", "fu", "f.host", Optional.of("fay"), "Fay", false), t.user("fay"));
        t.reset();
        assertNull(t.user("fay"));
    }
}
