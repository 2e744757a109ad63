package org.rawsockets.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rawsockets.mqtt.MqttAuthException;
import org.rawsockets.mqtt.MqttAuthMethod;
import org.rawsockets.mqtt.MqttClient;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttReasonException;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.SubscriptionOptions;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.protocols.sasl.ScramClient.Mechanism;
import org.rawsockets.socket.TimedOutException;

/**
 * MQTT 5 enhanced authentication with SCRAM against HiveMQ Community Edition (in-JVM, loopback)
 * whose extension does the broker's side ({@link HiveMqAuth}), and against Mosquitto, which has no
 * enhanced authentication: the password never crosses the connection, both sides prove themselves,
 * and every way the broker can fail the exchange ends the connection with an error saying which.
 */
class EnhancedAuthTest extends BrokerTestSupport {

    static final String PASSWORD = "correct horse battery staple";
    static HiveMqAuth hivemq;

    @BeforeAll
    static void startHiveMq() throws Exception {
        hivemq = new HiveMqAuth("alice", PASSWORD);
    }

    @AfterAll
    static void stopHiveMq() throws Exception {
        hivemq.close();
    }

    @BeforeEach
    void honest() {
        hivemq.behaviour = HiveMqAuth.Behaviour.HONEST;
        hivemq.password = PASSWORD;
    }

    static MqttSettings.Builder scram(String name, int port, Mechanism m, String password) {
        return MqttSettings.builder(name).host("127.0.0.1", port).version(MqttVersion.V5)
                .credentials("alice", password.getBytes(UTF_8)).saslMechanism(m).connectTimeout(Duration.ofSeconds(5))
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(500));
    }

    @ParameterizedTest
    @EnumSource(Mechanism.class)
    void scramProvesBothSidesAndThePasswordIsNeverSent(Mechanism m) throws Exception {
        MqttClientImpl c = client(scram("scram-" + m, hivemq.port, m, PASSWORD).build());
        await(c.connect());
        assertTrue(c.status().connected(), c.status().toString());
        HiveMqAuth.Connect connect = hivemq.connects.stream().filter(x -> x.clientId().equals("scram-" + m))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals(new HiveMqAuth.Connect("scram-" + m, m.saslName(), false, false), connect,
                "CONNECT carries the method, no user name and no password");
        assertTrue(hivemq.serverFinals.get(hivemq.serverFinals.size() - 1).startsWith("v="),
                "the broker checked the proof: " + hivemq.serverFinals);

        // the session works: a QoS 1 round trip through HiveMQ
        MqttSubscription s = await(c.subscribe("auth/" + m, SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 4));
        await(c.publish(MqttMessage.of("auth/" + m, "after SCRAM", Qos.AT_LEAST_ONCE)));
        assertEquals("after SCRAM", await(s.read(Duration.ofSeconds(20))).value().payloadAsString());
    }

    @Test
    void aWrongPasswordIsRefusedByTheBrokerAndTheMessageNamesIt() throws Exception {
        MqttClientImpl c = client(scram("wrong", hivemq.port, Mechanism.SCRAM_SHA_256, "incorrect").build());
        MqttReasonException e = assertThrows(MqttReasonException.class, () -> await(c.connect()));
        assertEquals(0x87, e.reasonCode(), e.getMessage());
        assertTrue(e.getMessage().contains("refused the connection") && !e.getMessage().contains("incorrect"),
                e.getMessage());
        assertEquals("e=invalid-proof", hivemq.serverFinals.get(hivemq.serverFinals.size() - 1));
        assertFalse(c.status().connected());
    }

    @Test
    void aBrokerThatDoesNotKnowThePasswordIsRefusedByTheClient() throws Exception {
        hivemq.behaviour = HiveMqAuth.Behaviour.LIE_ABOUT_SIGNATURE;
        MqttClientImpl c = client(scram("liar", hivemq.port, Mechanism.SCRAM_SHA_512, PASSWORD).build());
        MqttConnectionException e = assertThrows(MqttConnectionException.class, () -> await(c.connect()));
        assertTrue(e.getMessage().contains("SCRAM-SHA-512 authentication failed") && e.getMessage().contains(
                "signature does not match") && e.getMessage().contains("127.0.0.1:" + hivemq.port), e.getMessage());
        assertFalse(c.status().connected());
    }

    @Test
    void aBrokerThatAcceptsWithoutFinishingTheExchangeIsRefused() throws Exception {
        hivemq.behaviour = HiveMqAuth.Behaviour.SKIP_SERVER_FINAL;
        MqttClientImpl c = client(scram("skipper", hivemq.port, Mechanism.SCRAM_SHA_256, PASSWORD).build());
        MqttConnectionException e = assertThrows(MqttConnectionException.class, () -> await(c.connect()));
        assertTrue(e.getMessage().contains("without completing the exchange (no server-final message when accepting)"),
                e.getMessage());
        assertFalse(c.status().connected());
    }

    @Test
    void aBrokerWithoutTheMethodRefusesIt() throws Exception {
        hivemq.behaviour = HiveMqAuth.Behaviour.REFUSE_METHOD;
        MqttClientImpl c = client(scram("nomethod", hivemq.port, Mechanism.SCRAM_SHA_256, PASSWORD).build());
        MqttReasonException e = assertThrows(MqttReasonException.class, () -> await(c.connect()));
        assertEquals(0x8C, e.reasonCode(), e.getMessage());
    }

    /** Mosquitto 2 without an authentication plugin has no enhanced authentication at all. */
    @Test
    void mosquittoRefusesTheMethod() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        MqttClientImpl c = client(scram("mosq", m.port, Mechanism.SCRAM_SHA_256, PASSWORD).build());
        MqttReasonException e = assertThrows(MqttReasonException.class, () -> await(c.connect()));
        assertEquals(0x8C, e.reasonCode(), e.getMessage() + "\n" + logs());
        assertTrue(e.getMessage().contains("Bad authentication method"), e.getMessage());
    }

    @Test
    void configuredBySaslMechanismWithTheUsualUserAndSecret() throws Exception {
        Path secrets = Files.createTempDirectory("secrets");
        cleanup.add(() -> org.rawsockets.socket.testing.TempDirs.delete(secrets));
        Path file = secrets.resolve("hive");
        Files.writeString(file, PASSWORD + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        SecretFiles sf = new SecretFiles(secrets.toString());
        ConfigRegistry registry = new ConfigRegistry(BrokerConfig.PID, "MQTT broker");

        Map<String, Object> notAName = config("hive", "SCRAM SHA 1");
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(notAName, sf, registry)).getMessage()
                .contains("NONE, SCRAM-SHA-256, SCRAM-SHA-512 or the name of a bundle's MqttAuthMethod"));
        Map<String, Object> v311 = config("hive", "SCRAM-SHA-256");
        v311.put("version", "3.1.1");
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(v311, sf, registry)).getMessage()
                .contains("MQTT 5 only"));
        Map<String, Object> noPassword = config("hive", "SCRAM-SHA-256");
        noPassword.remove(".password");
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(noPassword, sf, registry))
                .getMessage().contains("needs a user and a password"));

        // a name no bundle provides: accepted (its bundle may come later), each connect fails saying so
        MqttClient unknown = component(config("hive-unknown", "SCRAM-SHA-1"), sf, registry);
        Waits.until(20_000, "the missing method reported", () -> unknown.status().lastError() != null,
                unknown::status);
        assertTrue(unknown.status().lastError().startsWith("MqttAuthException: MQTT broker 'hive-unknown' (mqtt"
                + " 127.0.0.1:" + hivemq.port + "): no enhanced authentication method 'SCRAM-SHA-1': built in are"
                + " SCRAM-SHA-256, SCRAM-SHA-512; no bundle provides another"), unknown.status().lastError());
        assertFalse(hivemq.connects.stream().anyMatch(x -> x.clientId().equals("hive-unknown")),
                "nothing was sent to the broker");

        Map<String, Object> scheduleWithoutMethod = config("hive", "NONE");
        scheduleWithoutMethod.put("reauthIntervalSeconds", 600);
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(scheduleWithoutMethod, sf, registry))
                .getMessage().contains("reauthIntervalSeconds"), "a schedule needs a method");
        Map<String, Object> negative = config("hive", "SCRAM-SHA-256");
        negative.put("reauthIntervalSeconds", -1);
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(negative, sf, registry)).getMessage()
                .contains("out of range"));

        Map<String, Object> scheduled = config("hive", "scram-sha-512");
        scheduled.put("reauthIntervalSeconds", 3600);
        MqttClient c = component(scheduled, sf, registry);
        Waits.until(20_000, "connected with SCRAM-SHA-512", () -> c.status().connected(), c::status);
        assertTrue(hivemq.connects.stream().anyMatch(x -> x.clientId().equals("hive")
                && "SCRAM-SHA-512".equals(x.method()) && !x.hasPassword()), hivemq.connects.toString());
    }

    // ---------------------------------------------------------------- re-authentication (AUTH 0x19)

    @Test
    void reauthenticationProvesBothSidesAgainWhilePublishingGoesOn() throws Exception {
        MqttClientImpl c = client(scram("again", hivemq.port, Mechanism.SCRAM_SHA_256, PASSWORD).build());
        await(c.connect());
        MqttSubscription s = await(c.subscribe("reauth/again", SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 128));
        int before = hivemq.serverFinals.size();
        List<CompletionStage<Void>> published = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            published.add(c.publish(MqttMessage.of("reauth/again", "m" + i, Qos.AT_LEAST_ONCE)));
            if (i == 20) {
                // two calls at once are one exchange: the second joins the first
                CompletionStage<Void> first = c.reauthenticate();
                CompletionStage<Void> joined = c.reauthenticate();
                await(first);
                await(joined);
            }
        }
        for (CompletionStage<Void> p : published) {
            await(p);
        }
        for (int i = 0; i < 40; i++) {
            assertEquals("m" + i, await(s.read(Duration.ofSeconds(20))).value().payloadAsString());
        }
        assertEquals(1, reauths("again"), "one re-authentication for the two calls: " + hivemq.reauths);
        assertEquals(before + 1, hivemq.serverFinals.size());
        assertTrue(hivemq.serverFinals.get(before).startsWith("v="), hivemq.serverFinals.toString());
        assertTrue(c.status().connected() && c.status().reconnects() == 0, "the same connection: " + c.status());

        // the shell's command, the same exchange
        assertEquals("re-authenticated again\n", new org.rawsockets.mqtt.internal.shell.MqttCommandsAccess(c)
                .reauth("again"));
        assertEquals(2, reauths("again"), hivemq.reauths.toString());
        assertTrue(c.status().connected() && c.status().reconnects() == 0, c.status().toString());
    }

    @Test
    void reauthenticationRunsOnItsScheduleAndEnforcesARotatedPassword() throws Exception {
        AtomicReference<String> secret = new AtomicReference<>(PASSWORD);
        MqttClientImpl c = client(scram("sched", hivemq.port, Mechanism.SCRAM_SHA_256, PASSWORD)
                .credentials("alice", () -> secret.get().getBytes(UTF_8)).reauthInterval(Duration.ofSeconds(1))
                .reconnect(true, Duration.ofMillis(50), Duration.ofMillis(200)).build());
        long start = System.nanoTime();
        await(c.connect());
        int before = hivemq.serverFinals.size();
        MqttSubscription s = await(c.subscribe("reauth/sched", SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 16));
        Waits.until(20_000, "three scheduled re-authentications", () -> reauths("sched") >= 3, hivemq.reauths::toString);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 2_900, "each an interval after the last: three took " + ms + " ms");
        assertTrue(c.status().connected() && c.status().reconnects() == 0, "the same connection: " + c.status());
        assertTrue(hivemq.serverFinals.subList(before, hivemq.serverFinals.size()).stream().allMatch(
                f -> f.startsWith("v=")), "each proved by the broker: " + hivemq.serverFinals);
        await(c.publish(MqttMessage.of("reauth/sched", "still here", Qos.AT_LEAST_ONCE)));
        assertEquals("still here", await(s.read(Duration.ofSeconds(20))).value().payloadAsString());

        // The operator changes the broker's password: the next scheduled re-authentication is refused
        // and the connection ends, without anyone calling; with the gateway's secret rotated the
        // client reconnects, and its schedule starts again.
        hivemq.password = "rotated";
        Waits.until(20_000, "the refused re-authentication reported", () -> c.status().lastError() != null
                && c.status().lastError().contains("Not authorized"), c::status);
        secret.set("rotated");
        Waits.until(20_000, "reconnected with the rotated password", () -> c.status().connected(), c::status);
        long after = reauths("sched");
        Waits.until(20_000, "scheduled again on the new connection", () -> reauths("sched") > after + 1,
                hivemq.reauths::toString);
        assertTrue(c.status().connected(), c.status().toString());
    }

    @Test
    void aRotatedPasswordTakesEffectByReauthentication() throws Exception {
        AtomicReference<String> secret = new AtomicReference<>(PASSWORD);
        MqttClientImpl c = client(scram("rotate", hivemq.port, Mechanism.SCRAM_SHA_512, PASSWORD)
                .credentials("alice", () -> secret.get().getBytes(UTF_8))
                .reconnect(true, Duration.ofMillis(50), Duration.ofMillis(200)).build());
        await(c.connect());

        // the operator changes the broker's password first: the old one no longer re-authenticates
        hivemq.password = "new password";
        MqttReasonException refused = assertThrows(MqttReasonException.class, () -> await(c.reauthenticate()));
        assertEquals(0x87, refused.reasonCode(), refused.getMessage());
        assertTrue(refused.getMessage().contains("disconnected: Not authorized") && !refused.getMessage().contains(
                PASSWORD), refused.getMessage());
        assertFalse(c.status().connected());

        // then the gateway's secret: the reconnecting client authenticates with it
        secret.set("new password");
        Waits.until(20_000, "reconnected with the new password", () -> c.status().connected(), c::status);
        await(c.reauthenticate());
        assertTrue(hivemq.serverFinals.get(hivemq.serverFinals.size() - 1).startsWith("v="));
    }

    @Test
    void aBrokerThatDoesNotKnowThePasswordOnReauthenticationLosesTheConnection() throws Exception {
        MqttClientImpl c = client(scram("reliar", hivemq.port, Mechanism.SCRAM_SHA_256, PASSWORD).build());
        await(c.connect());
        hivemq.behaviour = HiveMqAuth.Behaviour.LIE_ABOUT_SIGNATURE;
        MqttConnectionException e = assertThrows(MqttConnectionException.class, () -> await(c.reauthenticate()));
        assertTrue(e.getMessage().contains("SCRAM-SHA-256 authentication failed") && e.getMessage().contains(
                "signature does not match"), e.getMessage());
        assertFalse(c.status().connected());
        assertTrue(c.status().lastError().contains("signature does not match"), c.status().toString());
    }

    @Test
    void aBrokerThatDoesNotAnswerReauthenticationTimesOut() throws Exception {
        MqttClientImpl c = client(scram("silent", hivemq.port, Mechanism.SCRAM_SHA_256, PASSWORD)
                .connectTimeout(Duration.ofSeconds(1)).build());
        await(c.connect());
        hivemq.behaviour = HiveMqAuth.Behaviour.SILENT_REAUTH;
        long start = System.nanoTime();
        TimedOutException e = assertThrows(TimedOutException.class, () -> await(c.reauthenticate()));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 900 && ms < 10_000, ms + " ms");
        assertTrue(e.getMessage().contains("no answer to re-authentication with SCRAM-SHA-256 within the connect"
                + " timeout of 1000 ms") && e.getMessage().contains("127.0.0.1:" + hivemq.port), e.getMessage());
        assertFalse(c.status().connected());
    }

    @Test
    void reauthenticationNeedsAMechanismAndAConnection() throws Exception {
        MqttClientImpl plain = client(MqttSettings.builder("plain").host("127.0.0.1", hivemq.port)
                .version(MqttVersion.V5).build());
        MqttConnectionException none = assertThrows(MqttConnectionException.class,
                () -> await(plain.reauthenticate()));
        assertTrue(none.getMessage().contains("no enhanced authentication is configured"), none.getMessage());
        MqttClientImpl idle = client(scram("idle", hivemq.port, Mechanism.SCRAM_SHA_256, PASSWORD).build());
        MqttConnectionException notConnected = assertThrows(MqttConnectionException.class,
                () -> await(idle.reauthenticate()));
        assertTrue(notConnected.getMessage().contains("not connected (the next connect authenticates with"
                + " SCRAM-SHA-256)"), notConnected.getMessage());
    }

    // ---------------------------------------------------------------- a bundle's method (MqttAuthMethod)

    static MqttSettings.Builder hmac(String name, HmacMethod method, String password) {
        return MqttSettings.builder(name).host("127.0.0.1", hivemq.port).version(MqttVersion.V5)
                .credentials("alice", password.getBytes(UTF_8)).authMethod(HmacMethod.NAME, AuthMethods.of(method))
                .connectTimeout(Duration.ofSeconds(5)).reconnect(false, Duration.ofMillis(50), Duration.ofMillis(500));
    }

    @Test
    void aBundlesMethodRunsItsRoundsAtConnectAndAtReauthentication() throws Exception {
        HmacMethod method = new HmacMethod();
        MqttClientImpl c = client(hmac("hmac", method, PASSWORD).build());
        int rounds = hivemq.hmacRounds.size();
        await(c.connect());
        assertEquals(new HiveMqAuth.Connect("hmac", HmacMethod.NAME, false, false), hivemq.connects.get(
                hivemq.connects.size() - 1), "CONNECT carries the method, no user name and no password");
        assertEquals(List.of(1, 2), hivemq.hmacRounds.subList(rounds, hivemq.hmacRounds.size()),
                "two rounds of AUTH before CONNACK");
        await(c.reauthenticate());
        assertEquals(List.of(1, 2, 1, 2), hivemq.hmacRounds.subList(rounds, hivemq.hmacRounds.size()));
        assertEquals(2, method.started);
        MqttSubscription s = await(c.subscribe("auth/hmac", SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 4));
        await(c.publish(MqttMessage.of("auth/hmac", "after RS-HMAC", Qos.AT_LEAST_ONCE)));
        assertEquals("after RS-HMAC", await(s.read(Duration.ofSeconds(20))).value().payloadAsString());
        assertTrue(c.status().connected() && c.status().reconnects() == 0, c.status().toString());
    }

    @Test
    void aBundlesMethodDecidesWhetherTheBrokerProvedItself() throws Exception {
        hivemq.behaviour = HiveMqAuth.Behaviour.LIE_ABOUT_SIGNATURE;
        MqttClientImpl c = client(hmac("hmac-liar", new HmacMethod(), PASSWORD).build());
        MqttAuthException e = assertThrows(MqttAuthException.class, () -> await(c.connect()));
        assertEquals("MQTT broker 'hmac-liar' (mqtt 127.0.0.1:" + hivemq.port + "): RS-HMAC authentication failed"
                + " at CONNACK: the broker did not prove it knows the password (wrong or missing proof); the"
                + " connection was closed", e.getMessage());
        assertFalse(c.status().connected());

        hivemq.behaviour = HiveMqAuth.Behaviour.HONEST;
        MqttClientImpl wrong = client(hmac("hmac-wrong", new HmacMethod(), "incorrect").build());
        MqttReasonException refused = assertThrows(MqttReasonException.class, () -> await(wrong.connect()));
        assertEquals(0x87, refused.reasonCode(), refused.getMessage());
    }

    @Test
    void aMethodThatFailsIsAnAuthenticationFailureAndTheClientGoesOn() throws Exception {
        HmacMethod method = new HmacMethod();
        MqttAuthMethod broken = new MqttAuthMethod() {
            @Override
            public String name() {
                return HmacMethod.NAME;
            }

            @Override
            public Exchange start(Credentials credentials) throws MqttAuthException {
                Exchange real = method.start(credentials);
                return new Exchange() {
                    @Override
                    public byte[] initial() {
                        return real.initial();
                    }

                    @Override
                    public byte[] next(byte[] data) {
                        throw new IllegalStateException("the plug-in's bug");
                    }

                    @Override
                    public void accepted(byte[] data) {
                    }
                };
            }
        };
        MqttClientImpl c = client(hmac("hmac-broken", method, PASSWORD).authMethod(HmacMethod.NAME,
                AuthMethods.of(broken)).build());
        MqttAuthException e = assertThrows(MqttAuthException.class, () -> await(c.connect()));
        assertTrue(e.getMessage().contains("RS-HMAC authentication failed at AUTH (Continue authentication): the"
                + " method failed: IllegalStateException: the plug-in's bug"), e.getMessage());

        MqttClientImpl missing = client(hmac("hmac-missing", method, PASSWORD).authMethod("RS-OTHER",
                AuthMethods.of(method)).build());
        MqttAuthException none = assertThrows(MqttAuthException.class, () -> await(missing.connect()));
        assertTrue(none.getMessage().contains("no enhanced authentication method 'RS-OTHER': built in are"
                + " SCRAM-SHA-256, SCRAM-SHA-512; bundles provide RS-HMAC (a bundle provides one as an MqttAuthMethod"
                + " service with the service property saslMechanism=RS-OTHER)"), none.getMessage());
    }

    static long reauths(String clientId) {
        return hivemq.reauths.stream().filter(clientId::equals).count();
    }

    static Map<String, Object> config(String name, String mechanism) {
        Map<String, Object> p = brokerConfig(name, hivemq.port);
        p.put("user", "alice");
        p.put(".password", "secret:hive");
        p.put("saslMechanism", mechanism);
        return p;
    }
}
