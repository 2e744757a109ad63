package org.rawsockets.irc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcRegistrationException;
import org.rawsockets.irc.SaslMechanism;

/**
 * SASL against real services: InspIRCd 3 linked to Atheme 7.2 (both started by the test); the
 * account is registered through NickServ by the test itself.
 */
class AthemeSaslTest extends ServerTestBase {

    IrcServices services;

    void startServices(String extra) throws Exception {
        services = IrcServices.start(dir, extra);
        server = services.ircd;
        cleanup.add(services.atheme);
    }

    /** Registers {@code account} with {@code password} through NickServ; returns the still connected client. */
    IrcClient register(String account, String password) throws Exception {
        IrcClient c = client(plain(account).build());
        Recorder r = new Recorder();
        cleanup.add(c.subscribe(r, 10_000));
        ok(c.connect());
        ok(c.privmsg("NickServ", "REGISTER " + password + " " + account + "@example.test"));
        IrcServers.until(Duration.ofSeconds(60), () -> !r.matching(m -> m.command().equals("NOTICE")
                && "NickServ".equals(m.nick()) && m.trailing().contains("is now registered")).isEmpty(),
                () -> r.tail() + "\n" + services.describe());
        // Registering logs the registering client in (900 from services).
        IrcServers.until(Duration.ofSeconds(30), () -> c.account().isPresent(), () -> r.tail());
        assertEquals(account, c.account().orElseThrow());
        return c;
    }

    @Test
    void plainLogsInToAnAccountRegisteredThroughNickServ() throws Exception {
        startServices("");
        IrcClient owner = register("carol", "s3cret-pw");
        ok(owner.join("#ops", null));
        Recorder atOwner = new Recorder();
        cleanup.add(owner.subscribe(atOwner, 10_000));

        IrcClient bot = client(plain("carolbot").sasl(SaslMechanism.PLAIN, "carol", "s3cret-pw").build());
        assertEquals("carolbot", ok(bot.connect()));
        assertEquals(Optional.of("carol"), bot.account());
        assertTrue(bot.capabilities().contains("sasl"), bot.capabilities().toString());
        // The server itself holds the login: extended-join shows the bot's account to the others.
        ok(bot.join("#ops", null));
        IrcServers.until(Duration.ofSeconds(30), () -> !atOwner.matching(m -> m.command().equals("JOIN")
                && "carolbot".equals(m.nick())).isEmpty(), atOwner::tail);
        IrcMessage join = atOwner.matching(m -> m.command().equals("JOIN") && "carolbot".equals(m.nick())).get(0);
        assertEquals(List.of("#ops", "carol", "carolbot"), join.params());
        // ...and the owner's client keeps it as what it knows of the bot.
        IrcServers.until(Duration.ofSeconds(30), () -> owner.user("carolbot").isPresent(), () -> "" + owner.channels());
        assertEquals(Optional.of("carol"), owner.user("carolbot").orElseThrow().account());
        // account-tag: the bot's messages carry the account.
        ok(bot.privmsg("#ops", "tagged by services"));
        IrcServers.until(Duration.ofSeconds(30), () -> atOwner.privmsgs("#ops").contains("tagged by services"),
                atOwner::tail);
        IrcMessage msg = atOwner.matching(m -> m.command().equals("PRIVMSG") && "carolbot".equals(m.nick())).get(0);
        assertEquals(Optional.of("carol"), msg.tag("account"), msg.toString());
        // WHOX carries the accounts: the bot's and its owner's, the same services account.
        List<org.rawsockets.irc.IrcWhoEntry> who = ok(owner.who("#ops"));
        assertEquals(2, who.size(), who.toString());
        assertTrue(who.stream().allMatch(w -> w.account().equals(Optional.of("carol"))), who.toString());
    }

    @Test
    void aWrongPasswordFailsWhenRequiredAndGoesOnWithoutAnAccountWhenNot() throws Exception {
        startServices("");
        register("dave", "right-password");

        IrcClient required = client(plain("davebot").sasl(SaslMechanism.PLAIN, "dave", "wrong-password").build());
        IrcRegistrationException e = assertInstanceOf(IrcRegistrationException.class, failure(required.connect()));
        assertTrue(e.getMessage().contains("904") && e.getMessage().contains("dave")
                && e.getMessage().contains("saslRequired") && !e.getMessage().contains("wrong-password"), e.getMessage());
        assertFalse(required.isConnected());

        IrcClient fallback = client(plain("davebot2").sasl(SaslMechanism.PLAIN, "dave", "wrong-password")
                .saslRequired(false).build());
        assertEquals("davebot2", ok(fallback.connect()));
        assertEquals(Optional.empty(), fallback.account());
    }

    @Test
    void externalWithoutAClientCertificateFailsWhenRequiredAndFallsBackWhenNot() throws Exception {
        startServices("");
        // Atheme offers EXTERNAL, but a plaintext connection has no certificate fingerprint: 904.
        IrcClient required = client(plain("extbot").sasl(SaslMechanism.EXTERNAL, null, (String) null).build());
        IrcRegistrationException e = assertInstanceOf(IrcRegistrationException.class, failure(required.connect()));
        assertTrue(e.getMessage().contains("904") && e.getMessage().contains("EXTERNAL"), e.getMessage());

        IrcClient fallback = client(plain("extbot2").sasl(SaslMechanism.EXTERNAL, null, (String) null)
                .saslRequired(false).build());
        assertEquals("extbot2", ok(fallback.connect()));
        assertEquals(Optional.empty(), fallback.account());
    }

    @Test
    void aMechanismTheServicesDoNotOfferFailsWhenRequiredAndIsSkippedWhenNot() throws Exception {
        startServices("");
        IrcClient required = client(plain("scrambot").sasl(SaslMechanism.SCRAM_SHA_256, "erin", "pw").build());
        IrcRegistrationException e = assertInstanceOf(IrcRegistrationException.class, failure(required.connect()));
        assertTrue(e.getMessage().contains("does not offer SASL SCRAM-SHA-256 (it offers PLAIN,EXTERNAL)"),
                e.getMessage());
        IrcClient fallback = client(plain("scrambot2").sasl(SaslMechanism.SCRAM_SHA_256, "erin", "pw")
                .saslRequired(false).build());
        assertEquals("scrambot2", ok(fallback.connect()));
        assertEquals(Optional.empty(), fallback.account());
    }
}
