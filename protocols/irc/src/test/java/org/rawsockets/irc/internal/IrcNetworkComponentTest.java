package org.rawsockets.irc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcClients;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.SaslMechanism;
import org.rawsockets.irc.e2e.IrcServers;
import org.rawsockets.irc.e2e.Recorder;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.protocols.config.StrictConfig;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** The factory configuration → settings, secrets, and the whiteboard listeners against a real ngIRCd. */
class IrcNetworkComponentTest {

    @TempDir
    Path dir;

    static IrcSettings settings(Map<String, Object> props, SecretFiles secrets) {
        return IrcNetworkComponent.settings(StrictConfig.read(NetworkConfig.class, props, Set.of(".password", ".passphrase")).config(),
                secrets, "test");
    }

    @Test
    void configurationToSettings() throws Exception {
        Map<String, Object> p = new HashMap<>();
        p.put("name", "libera");
        p.put("host", "irc.example.org");
        p.put("nick", "gwbot");
        p.put("alternateNicks", "gwbot_, gwbot2");
        p.put("channels", "#ops, #keyed sesame");
        p.put("saslMechanism", "plain");
        p.put("saslAccount", "gwbot");
        p.put(".password", "secret:libera-sasl");
        Path secretsDir = Files.createDirectories(dir.resolve("secrets"));
        IrcSettings s = settings(p, new SecretFiles(secretsDir.toString()));
        assertEquals(6697, s.port());
        assertTrue(s.tls());
        assertEquals(List.of("gwbot_", "gwbot2"), s.alternateNicks());
        assertEquals(Map.of("#ops", "", "#keyed", "sesame"), s.channels());
        assertEquals(SaslMechanism.PLAIN, s.saslMechanism());
        // The secret is read when it is needed, not at activation: missing now is an error then.
        IllegalStateException missing = assertThrows(IllegalStateException.class, s::saslPassword);
        assertTrue(missing.getMessage().contains("libera-sasl"), missing.getMessage());
        Path secret = secretsDir.resolve("libera-sasl");
        Files.writeString(secret, "s3cret\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        assertEquals("s3cret", s.saslPassword());
        assertTrue(!s.toString().contains("s3cret"));
    }

    @Test
    void badConfigurationsAreRefusedNamingTheProperty() {
        SecretFiles none = new SecretFiles(dir.toString());
        Map<String, Object> literal = new HashMap<>(Map.of("name", "n", "host", "h", "nick", "x", "saslMechanism",
                "PLAIN", "saslAccount", "a", ".password", "hunter2"));
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> settings(literal, none));
        assertTrue(e.getMessage().contains("literal secret") && !e.getMessage().contains("hunter2"), e.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> settings(Map.of("name", "n",
                "host", "h", "endpoint", "e", "nick", "x"), none));
        assertTrue(both.getMessage().contains("field 'endpoint'"), both.getMessage());
        IllegalArgumentException mech = assertThrows(IllegalArgumentException.class, () -> settings(Map.of("name", "n",
                "host", "h", "nick", "x", "saslMechanism", "SCRAM"), none));
        assertTrue(mech.getMessage().contains("field 'saslMechanism'"), mech.getMessage());
        IllegalArgumentException ext = assertThrows(IllegalArgumentException.class, () -> settings(Map.of("name", "n",
                "host", "h", "nick", "x", "saslMechanism", "EXTERNAL"), none));
        assertTrue(ext.getMessage().contains("field 'clientCertificatePath'"), ext.getMessage());
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class, () -> settings(Map.of("name", "n",
                "host", "h", "nick", "x", "clientKeyPath", "/k.pem"), none));
        assertTrue(half.getMessage().contains("field 'clientCertificatePath'"), half.getMessage());
        Map<String, Object> literalPassphrase = new HashMap<>(Map.of("name", "n", "host", "h", "nick", "x",
                "clientCertificatePath", "/c.pem", "clientKeyPath", "/k.pem", ".passphrase", "hunter3"));
        ConfigRejectedException lp = assertThrows(ConfigRejectedException.class, () -> settings(literalPassphrase, none));
        assertTrue(lp.getMessage().contains("literal secret") && !lp.getMessage().contains("hunter3"), lp.getMessage());
        IllegalArgumentException chan = assertThrows(IllegalArgumentException.class, () -> settings(Map.of("name", "n",
                "host", "h", "nick", "x", "channels", "#a b c"), none));
        assertTrue(chan.getMessage().contains("field 'channels'"), chan.getMessage());
        IllegalArgumentException backoff = assertThrows(IllegalArgumentException.class, () -> settings(Map.of("name",
                "n", "host", "h", "nick", "x", "reconnectMinMillis", 5000L, "reconnectMaxMillis", 1000L), none));
        assertTrue(backoff.getMessage().contains("1000 ms") && backoff.getMessage().contains("5000 ms"),
                backoff.getMessage());
    }

    /**
     * The component refuses a literal SASL password and has it removed from the configuration store;
     * given back with the marker in its place, it is refused with the same message, nothing more removed.
     */
    @Test
    void aRefusedLiteralPasswordIsRemovedFromTheConfigurationStore() {
        List<String> removed = new java.util.concurrent.CopyOnWriteArrayList<>();
        ConfigRegistry registry = new ConfigRegistry(IrcNetworkComponent.PID, "IRC network");
        Map<String, Object> literal = new HashMap<>(Map.of("name", "lab", "host", "h", "nick", "x", "saslMechanism",
                "PLAIN", "saslAccount", "a", ".password", "hunter2", "service.pid", "org.rawsockets.irc.network~lab"));
        ConfigRejectedException first = assertThrows(ConfigRejectedException.class,
                () -> new IrcNetworkComponent(null, literal, new SecretFiles(dir.toString()), registry, removed::add));
        assertEquals(List.of("org.rawsockets.irc.network~lab"), removed);
        Map<String, Object> stored = new HashMap<>(literal);
        stored.remove(".password");
        stored.put(".password.refused", "removed");
        ConfigRejectedException again = assertThrows(ConfigRejectedException.class,
                () -> new IrcNetworkComponent(null, stored, new SecretFiles(dir.toString()), registry, removed::add));
        assertEquals(first.getMessage(), again.getMessage());
        assertEquals(1, removed.size(), "nothing more to remove");
    }

    @Test
    void whiteboardListenersGetTheirNetworksMessages() throws Exception {
        MinaSocketEngine engine = MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.irc"));
        try (IrcServers.Server server = IrcServers.ngircd(Files.createDirectories(dir.resolve("ngircd")), false, "")) {
            Map<String, Object> props = new HashMap<>(Map.of("name", "lab", "host", "127.0.0.1", "port", server.port,
                    "tls", false, "nick", "bot", "channels", "#ops", "service.pid",
                    "org.rawsockets.irc.network~lab"));
            IrcNetworkComponent component = new IrcNetworkComponent(sockets, props, new SecretFiles(dir.toString()),
                    new ConfigRegistry(IrcNetworkComponent.PID, "IRC network"), pid -> {
                        throw new AssertionError("nothing to remove from " + pid);
                    });
            Recorder mine = new Recorder();
            Recorder other = new Recorder();
            component.addListener(mine, Map.of("network", "lab", "bufferSize", 100));
            component.addListener(other, Map.of("network", "elsewhere"));
            IrcServers.until(Duration.ofSeconds(20), () -> component.channel("#ops").isPresent(), () -> server.describe());
            IrcClient human = IrcClients.create(sockets, IrcSettings.builder("h").server("127.0.0.1", server.port)
                    .tls(false).nick("human").reconnect(false, Duration.ofSeconds(1), Duration.ofSeconds(1)).build());
            try {
                human.connect().toCompletableFuture().get(20, TimeUnit.SECONDS);
                human.join("#ops", null).toCompletableFuture().get(20, TimeUnit.SECONDS);
                human.privmsg("#ops", "!status").toCompletableFuture().get(20, TimeUnit.SECONDS);
                IrcServers.until(Duration.ofSeconds(10), () -> mine.privmsgs("#ops").contains("!status"), mine::tail);
                assertTrue(other.messages.isEmpty(), other.tail());
                component.removeListener(mine);
                int before = mine.messages.size();
                human.privmsg("#ops", "after").toCompletableFuture().get(20, TimeUnit.SECONDS);
                IrcServers.until(Duration.ofSeconds(10), () -> component.channel("#ops").isPresent(), () -> "");
                assertEquals(before, mine.messages.size());
            } finally {
                human.close();
                component.deactivate();
            }
            assertInstanceOf(IrcNetworkComponent.class, component);
        } finally {
            sockets.close();
            engine.close();
        }
    }
}
