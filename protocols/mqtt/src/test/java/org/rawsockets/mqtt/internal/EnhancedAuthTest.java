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
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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

/**
 * MQTT 5 enhanced authentication with SCRAM against HiveMQ Community Edition (in-JVM, loopback)
 * whose extension does the broker's side ({@link HiveMqScram}), and against Mosquitto, which has no
 * enhanced authentication: the password never crosses the connection, both sides prove themselves,
 * and every way the broker can fail the exchange ends the connection with an error saying which.
 */
class EnhancedAuthTest extends BrokerTestSupport {

    static final String PASSWORD = "correct horse battery staple";
    static HiveMqScram hivemq;

    @BeforeAll
    static void startHiveMq() throws Exception {
        hivemq = new HiveMqScram("alice", PASSWORD);
    }

    @AfterAll
    static void stopHiveMq() throws Exception {
        hivemq.close();
    }

    @BeforeEach
    void honest() {
        hivemq.behaviour = HiveMqScram.Behaviour.HONEST;
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
        HiveMqScram.Connect connect = hivemq.connects.stream().filter(x -> x.clientId().equals("scram-" + m))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals(new HiveMqScram.Connect("scram-" + m, m.saslName(), false, false), connect,
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
        hivemq.behaviour = HiveMqScram.Behaviour.LIE_ABOUT_SIGNATURE;
        MqttClientImpl c = client(scram("liar", hivemq.port, Mechanism.SCRAM_SHA_512, PASSWORD).build());
        MqttConnectionException e = assertThrows(MqttConnectionException.class, () -> await(c.connect()));
        assertTrue(e.getMessage().contains("SCRAM-SHA-512 authentication failed") && e.getMessage().contains(
                "signature does not match") && e.getMessage().contains("127.0.0.1:" + hivemq.port), e.getMessage());
        assertFalse(c.status().connected());
    }

    @Test
    void aBrokerThatAcceptsWithoutFinishingTheExchangeIsRefused() throws Exception {
        hivemq.behaviour = HiveMqScram.Behaviour.SKIP_SERVER_FINAL;
        MqttClientImpl c = client(scram("skipper", hivemq.port, Mechanism.SCRAM_SHA_256, PASSWORD).build());
        MqttConnectionException e = assertThrows(MqttConnectionException.class, () -> await(c.connect()));
        assertTrue(e.getMessage().contains("without completing the exchange (no server-final message in CONNACK)"),
                e.getMessage());
        assertFalse(c.status().connected());
    }

    @Test
    void aBrokerWithoutTheMethodRefusesIt() throws Exception {
        hivemq.behaviour = HiveMqScram.Behaviour.REFUSE_METHOD;
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
        Path file = secrets.resolve("hive");
        Files.writeString(file, PASSWORD + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        SecretFiles sf = new SecretFiles(secrets.toString());
        ConfigRegistry registry = new ConfigRegistry(BrokerConfig.PID, "MQTT broker");

        Map<String, Object> unknown = config("hive", "SCRAM-SHA-1");
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(unknown, sf, registry)).getMessage()
                .contains("NONE, SCRAM-SHA-256, SCRAM-SHA-512"));
        Map<String, Object> v311 = config("hive", "SCRAM-SHA-256");
        v311.put("version", "3.1.1");
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(v311, sf, registry)).getMessage()
                .contains("MQTT 5 only"));
        Map<String, Object> noPassword = config("hive", "SCRAM-SHA-256");
        noPassword.remove(".password");
        assertTrue(assertThrows(ConfigRejectedException.class, () -> component(noPassword, sf, registry))
                .getMessage().contains("needs a user and a password"));

        MqttClient c = component(config("hive", "scram-sha-512"), sf, registry);
        Waits.until(20_000, "connected with SCRAM-SHA-512", () -> c.status().connected(), c::status);
        assertTrue(hivemq.connects.stream().anyMatch(x -> x.clientId().equals("hive")
                && "SCRAM-SHA-512".equals(x.method()) && !x.hasPassword()), hivemq.connects.toString());
    }

    static Map<String, Object> config(String name, String mechanism) {
        Map<String, Object> p = brokerConfig(name, hivemq.port);
        p.put("user", "alice");
        p.put(".password", "secret:hive");
        p.put("saslMechanism", mechanism);
        return p;
    }
}
