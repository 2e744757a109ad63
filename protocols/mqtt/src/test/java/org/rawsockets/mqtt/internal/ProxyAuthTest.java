package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.SubscriptionOptions;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;

/**
 * Proxy authentication with Digest (RFC 7616): a real Squid started here on a free loopback port with its
 * Digest file helper (and, where a test says so, a Basic helper that refuses everyone), tunnelling to
 * Mosquitto's port only. Squid logs each request with its client's address and port and the user it
 * authenticated, which shows which connection carried the answer and who got in.
 */
class ProxyAuthTest extends BrokerTestSupport {

    static final String USER = "gateway";
    static final String PASSWORD = "digest-s3cret";

    /** Squid in the foreground with a configuration of its own; Digest users from a plain password file. */
    static final class Squid extends LocalProxy {

        /** @param refusingBasic also offer Basic, with a helper that refuses every user and password */
        Squid(boolean refusingBasic, int tunnelPort) throws Exception {
            super("squid", "stdout.txt", "cache.log", "access.log");
            // Squid started as root runs as its own user (proxy): the directory and files are for all to read
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.writeString(dir.resolve("passwd"), USER + ":" + PASSWORD + "\n");
            Files.writeString(dir.resolve("refuse-basic.sh"), "#!/bin/sh\nwhile read line; do echo ERR; done\n");
            Files.setPosixFilePermissions(dir.resolve("refuse-basic.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
            String conf = "http_port 127.0.0.1:" + port + "\n"
                    + "pid_filename " + dir.resolve("squid.pid") + "\n"
                    + "logformat rs %>a:%>p %Ss/%03>Hs %rm %ru %un\n"
                    + "access_log stdio:" + dir.resolve("access.log") + " rs\n"
                    + "cache_log " + dir.resolve("cache.log") + "\n"
                    + "cache_store_log none\nnetdb_filename none\npinger_enable off\ncache deny all\ncache_mem 8 MB\n"
                    + "coredump_dir " + dir + "\nshutdown_lifetime 0 seconds\n"
                    + "auth_param digest program /usr/lib/squid/digest_file_auth " + dir.resolve("passwd") + "\n"
                    + "auth_param digest realm rawsockets-test\nauth_param digest children 2 startup=1\n"
                    + (refusingBasic ? "auth_param basic program " + dir.resolve("refuse-basic.sh") + "\n"
                            + "auth_param basic realm rawsockets-test\nauth_param basic children 1 startup=1\n" : "")
                    + "acl tunnelports port " + tunnelPort + "\nacl CONNECT method CONNECT\n"
                    + "acl authed proxy_auth REQUIRED\n"
                    + "http_access deny CONNECT !tunnelports\nhttp_access allow authed\nhttp_access deny all\n";
            Files.writeString(dir.resolve("squid.conf"), conf);
            start(List.of("squid", "-N", "-f", dir.resolve("squid.conf").toString()), 20_000);
        }

        /** The access log's lines: "ip:port squid-status/http-status method target user". */
        List<String> access() {
            try {
                return Files.readAllLines(dir.resolve("access.log"));
            } catch (IOException e) {
                return List.of();
            }
        }
    }

    Squid squid(boolean refusingBasic, int tunnelPort) throws Exception {
        Squid s = new Squid(refusingBasic, tunnelPort);
        cleanup.add(s);
        return s;
    }

    /** A secret file with the proxy's password, the way an operator gives it. */
    SecretFiles secrets() throws Exception {
        Path dir = Files.createTempDirectory("secrets");
        cleanup.add(() -> org.rawsockets.socket.testing.TempDirs.delete(dir));
        Path f = dir.resolve("proxy-pass");
        Files.writeString(f, PASSWORD + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return new SecretFiles(dir.toString());
    }

    /** The access log's lines for tunnels to {@code port}, waited for (Squid logs a tunnel when it ends). */
    static List<String> tunnels(Squid p, int port, String status, int atLeast) {
        Waits.until(15_000, atLeast + " " + status + " line(s) in squid's access log", () -> p.access().stream()
                .filter(l -> l.contains(" " + status + " CONNECT 127.0.0.1:" + port)).count() >= atLeast, p::log);
        return p.access().stream().filter(l -> l.contains(" CONNECT 127.0.0.1:" + port)).toList();
    }

    /**
     * From configuration (httpProxyAuth = digest, the password from a secret file): the 407's Digest
     * challenge is answered on the same connection (Squid keeps it open), and MQTT runs through the tunnel.
     */
    @Test
    void digestFromConfigurationIsAnsweredOnTheSameConnection() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        Squid p = squid(false, m.port);
        Map<String, Object> props = brokerConfig("digestproxy", m.port);
        props.put("httpProxy", "127.0.0.1:" + p.port);
        props.put("httpProxyUser", USER);
        props.put(".httpProxyPassword", "secret:proxy-pass");
        props.put("httpProxyAuth", "digest");
        MqttBrokerComponent c = component(props, secrets(), new ConfigRegistry(BrokerConfig.PID, "MQTT broker"));
        Waits.until(30_000, "connected through Squid with Digest", () -> c.status().connected(),
                () -> c.status() + "\n" + p.log());
        MqttSubscription s = await(c.subscribe("digest/proxy", SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 4));
        await(c.publish(MqttMessage.of("digest/proxy", "let in by digest", Qos.AT_LEAST_ONCE)));
        assertEquals("let in by digest", await(s.read(Duration.ofSeconds(20))).value().payloadAsString());
        c.deactivate();

        List<String> lines = tunnels(p, m.port, "TCP_TUNNEL/200", 1);
        assertEquals(2, lines.size(), "a 407 and the tunnel\n" + p.log());
        String[] challenged = lines.get(0).split(" ");
        String[] tunnel = lines.get(1).split(" ");
        assertEquals("TCP_DENIED/407", challenged[1], lines.toString());
        assertEquals("-", challenged[4], "the first CONNECT carries no credentials: " + lines);
        assertEquals(USER, tunnel[4], "Squid authenticated the user: " + lines);
        assertEquals(challenged[0], tunnel[0], "the answer went on the challenged connection (same client port): " + lines);
        assertFalse(p.log().contains(PASSWORD));
    }

    /** Squid offers Digest and Basic, and its Basic refuses everyone: getting in proves Digest was chosen. */
    @Test
    void digestIsChosenWhenBasicIsOfferedToo() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        Squid p = squid(true, m.port);
        MqttClientImpl c = client(settings("both-offered", m, MqttVersion.V3_1_1).httpProxy("127.0.0.1", p.port)
                .httpProxyCredentials(USER, () -> PASSWORD.getBytes(StandardCharsets.UTF_8)).build());
        await(c.connect());
        MqttSubscription s = await(c.subscribe("digest/both", SubscriptionOptions.of(Qos.EXACTLY_ONCE), 4));
        await(c.publish(MqttMessage.of("digest/both", "strongest offered", Qos.EXACTLY_ONCE)));
        assertEquals("strongest offered", await(s.read(Duration.ofSeconds(20))).value().payloadAsString());
        await(c.disconnect());
        assertTrue(tunnels(p, m.port, "TCP_TUNNEL/200", 1).stream().anyMatch(l -> l.endsWith(" " + USER)), p.log());
    }

    /** A wrong password: a typed error naming the user and the scheme, never the password; one answer only. */
    @Test
    void aWrongPasswordIsRefusedWithATypedError() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        Squid p = squid(false, m.port);
        MqttClientImpl c = client(settings("wrong-digest", m, MqttVersion.V5).httpProxy("127.0.0.1", p.port)
                .httpProxyCredentials(USER, () -> "guessed-wrong".getBytes(StandardCharsets.UTF_8))
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(50)).build());
        MqttConnectionException e = assertInstanceOf(MqttConnectionException.class,
                assertThrows(Exception.class, () -> await(c.connect())));
        System.out.println("wrong digest password: " + e.getMessage());
        assertTrue(e.getMessage().contains("HTTP proxy 127.0.0.1:" + p.port + " refused CONNECT 127.0.0.1:" + m.port
                + ": HTTP/1.1 407") && e.getMessage().contains("refused the credentials of user 'gateway', Digest (MD5)"),
                e.getMessage());
        assertFalse(e.getMessage().contains("guessed-wrong"), e.getMessage());
        assertEquals(2, tunnels(p, m.port, "TCP_DENIED/407", 2).size(), "the challenge and one refused answer\n" + p.log());
    }

    /**
     * httpProxyAuth = digest in front of a proxy that offers Basic alone (tinyproxy): refused before any
     * password is sent, saying what the proxy asks and what the setting allows.
     */
    @Test
    void digestOnlyRefusesAProxyOfferingBasicAlone() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        HttpProxyTest.TinyProxy p = new HttpProxyTest.TinyProxy(USER + " " + PASSWORD, m.port);
        cleanup.add(p);
        MqttClientImpl c = client(settings("digest-only", m, MqttVersion.V5).httpProxy("127.0.0.1", p.port)
                .httpProxyCredentials(USER, () -> PASSWORD.getBytes(StandardCharsets.UTF_8))
                .httpProxyAuth(MqttSettings.ProxyAuth.DIGEST)
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(50)).build());
        MqttConnectionException e = assertInstanceOf(MqttConnectionException.class,
                assertThrows(Exception.class, () -> await(c.connect())));
        System.out.println("digest only, Basic offered: " + e.getMessage());
        assertTrue(e.getMessage().contains(" 407") && e.getMessage().contains("the proxy asks for Basic; this client"
                + " answers Digest (SHA-512-256, SHA-256, MD5), as httpProxyAuth = digest says"), e.getMessage());
    }

    /** The property: one of any, digest, basic; digest and basic only with a user. */
    @Test
    void theHttpProxyAuthPropertyIsChecked() throws Exception {
        SecretFiles secrets = secrets();
        ConfigRegistry registry = new ConfigRegistry(BrokerConfig.PID, "MQTT broker");
        Map<String, Object> bad = brokerConfig("badauth", 1883);
        bad.put("httpProxy", "127.0.0.1:3128");
        bad.put("httpProxyUser", USER);
        bad.put(".httpProxyPassword", "secret:proxy-pass");
        bad.put("httpProxyAuth", "ntlm");
        Exception e = assertThrows(ConfigRejectedException.class, () -> component(bad, secrets, registry));
        assertTrue(e.getMessage().contains("httpProxyAuth") && e.getMessage().contains("any, digest or basic"),
                e.getMessage());
        Map<String, Object> noUser = brokerConfig("nouser", 1883);
        noUser.put("httpProxy", "127.0.0.1:3128");
        noUser.put("httpProxyAuth", "digest");
        e = assertThrows(ConfigRejectedException.class, () -> component(noUser, secrets, registry));
        assertTrue(e.getMessage().contains("httpProxyAuth") && e.getMessage().contains("httpProxyUser"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MqttSettings.builder("x").host("h", 1)
                .httpProxy("127.0.0.1", 3128).httpProxyAuth(MqttSettings.ProxyAuth.BASIC).build());
    }
}
