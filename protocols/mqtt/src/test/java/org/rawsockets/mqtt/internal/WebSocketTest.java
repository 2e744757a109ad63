package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.SubscriptionOptions;

/**
 * MQTT over WebSocket against Mosquitto's websockets listener ({@code listener PORT 127.0.0.1} +
 * {@code protocol websockets} in the generated configuration), cross-checked by
 * {@code mosquitto_sub}/{@code mosquitto_pub} on the broker's TCP listener.
 */
class WebSocketTest extends BrokerTestSupport {

    /** A broker with its TCP listener ({@code m.port}) and a websockets listener on {@code wsPort}. */
    static Mosquitto withWebSockets(MqttVersion version, int wsPort) throws Exception {
        return Mosquitto.forVersion(version).config("listener " + wsPort + " 127.0.0.1").config("protocol websockets");
    }

    /** A broker (TLS on its TCP listener off) with a websockets listener on {@code wsPort} serving its test certificate (wss). */
    static Mosquitto withTlsWebSockets(int wsPort) throws java.io.IOException {
        Mosquitto m = new Mosquitto().tls(false);
        return m.config("listener " + wsPort + " 127.0.0.1").config("protocol websockets")
                .config("cafile " + m.path("ca.pem")).config("certfile " + m.path("server.pem"))
                .config("keyfile " + m.path("server.key"));
    }

    static MqttSettings.Builder ws(String name, int wsPort, MqttVersion v) {
        return MqttSettings.builder(name).host("127.0.0.1", wsPort).webSocket("/mqtt").version(v)
                .reconnect(true, Duration.ofMillis(50), Duration.ofMillis(500)).connectTimeout(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    void everyQosBothWaysOverWebSocket(MqttVersion version) throws Exception {
        int wsPort = Mosquitto.freePort();
        Mosquitto m = broker(withWebSockets(version, wsPort));
        MqttClientImpl c = client(ws("ws-" + version, wsPort, version).build());
        await(c.connect());
        assertTrue(c.status().target().startsWith("ws 127.0.0.1:" + wsPort + "/mqtt"), c.status().target());
        int n = 19; // under mosquitto_sub's Receive Maximum of 20 for QoS 2 (see MosquittoQosTest)
        for (Qos q : Qos.values()) {
            Sub sub = new Sub(m, "wscheck-" + q.value(), "wsout/" + q.value(), q.value(), n, version);
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                done.add(c.publish(MqttMessage.of("wsout/" + q.value(), "m" + i, q)).toCompletableFuture());
            }
            await(CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)));
            List<String> lines = sub.awaitLines(n);
            for (int i = 0; i < n; i++) {
                assertEquals("wsout/" + q.value() + " 0 m" + i, lines.get(i), "QoS " + q.value() + "\n" + logs());
            }
        }
        for (Qos q : Qos.values()) {
            MqttSubscription s = await(c.subscribe("wsin/" + q.value(), SubscriptionOptions.of(q), 16));
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                sent.add("p" + i);
            }
            pub(m, "wsin/" + q.value(), q.value(), version, sent);
            for (String p : sent) {
                MqttMessage got = await(s.read(Duration.ofSeconds(20))).value();
                assertEquals(p, got.payloadAsString(), logs());
                assertEquals(q, got.qos());
            }
        }
        assertTrue(m.log().contains("New client connected from 127.0.0.1:"), logs());
        await(c.disconnect());
        Waits.until(30_000, "Mosquitto saw the normal disconnect", () -> m.log().contains("Client ws-" + version
                + " disconnected."), this::logs);
    }

    /** Large messages both ways: payloads larger than any socket read, so frames arrive in many pieces. */
    @Test
    void largeMessagesBothWays() throws Exception {
        int wsPort = Mosquitto.freePort();
        Mosquitto m = broker(withWebSockets(MqttVersion.V5, wsPort));
        MqttClientImpl c = client(ws("ws-large", wsPort, MqttVersion.V5).build());
        await(c.connect());
        byte[] big = new byte[400_000];
        new Random(7).nextBytes(big);
        MqttSubscription s = await(c.subscribe("big/#", SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 4));
        await(c.publish(new MqttMessage("big/self", big, Qos.AT_LEAST_ONCE, false, null)));
        MqttMessage echoed = await(s.read(Duration.ofSeconds(30))).value();
        assertEquals("big/self", echoed.topic());
        assertArrayEquals(big, echoed.payload());
        // from mosquitto_pub over TCP to this client over WebSocket
        Path file = m.path("payload.bin");
        byte[] other = new byte[300_000];
        new Random(8).nextBytes(other);
        Files.write(file, other);
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(m.port), "-t",
                "big/pub", "-q", "1", "-f", file.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, logs());
        MqttMessage got = await(s.read(Duration.ofSeconds(30))).value();
        assertEquals("big/pub", got.topic());
        assertArrayEquals(other, got.payload());
    }

    /** A WebSocket client pointed at the plain MQTT port: a typed failure naming the upgrade. */
    @Test
    void aPlainMqttPortIsNoWebSocketListener() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        MqttClientImpl c = client(ws("ws-wrong", m.port, MqttVersion.V5)
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(50)).build());
        Exception e = assertThrows(Exception.class, () -> await(c.connect()));
        MqttConnectionException ce = assertInstanceOf(MqttConnectionException.class, e);
        assertTrue(ce.getMessage().contains("WebSocket upgrade"), ce.getMessage());
    }

    /** The broker restarted: the client opens a new WebSocket, and the persistent session goes on. */
    @Test
    void reconnectsOverWebSocketAfterTheBrokerRestarts() throws Exception {
        int wsPort = Mosquitto.freePort();
        Mosquitto m = broker(withWebSockets(MqttVersion.V5, wsPort).persistence());
        MqttClientImpl c = client(ws("ws-again", wsPort, MqttVersion.V5).build());
        await(c.connect());
        MqttSubscription s = await(c.subscribe("again/ws", SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 8));
        m.stop();
        Waits.until(30_000, "the client saw the broker go", () -> !c.status().connected(), c::status);
        m.start();
        // the broker kept the session (persistence): the subscription is there before anything is published
        Waits.until(30_000, "reconnected to the kept session", () -> c.status().connected()
                && c.status().sessionPresent(), () -> c.status() + "\n" + logs());
        pub(m, "again/ws", 1, MqttVersion.V5, List.of("after-restart"));
        assertEquals("after-restart", await(s.read(Duration.ofSeconds(30))).value().payloadAsString(), logs());
        assertTrue(c.status().reconnects() >= 1);
    }

    /** wss: WebSocket over TLS (Mosquitto's websockets listener with a certificate), through the uri property. */
    @Test
    void webSocketOverTls() throws Exception {
        int wsPort = Mosquitto.freePort();
        Mosquitto m = broker(withTlsWebSockets(wsPort));
        java.util.Map<String, Object> p = config("wss", "wss://localhost:" + wsPort + "/mqtt");
        p.put("caCertificatesPath", m.path("ca.pem").toString());
        MqttBrokerComponent c = new MqttBrokerComponent(sockets, p, new org.rawsockets.protocols.config.SecretFiles(
                null), new org.rawsockets.protocols.config.ConfigRegistry(BrokerConfig.PID, "MQTT broker"), x -> { });
        cleanup.add(c::deactivate);
        Waits.until(30_000, "connected over wss", () -> c.status().connected(), () -> c.status() + "\n" + logs());
        assertEquals("wss localhost:" + wsPort + "/mqtt", c.status().target());
        MqttSubscription s = await(c.subscribe("tls/ws", SubscriptionOptions.of(Qos.EXACTLY_ONCE), 4));
        await(c.publish(MqttMessage.of("tls/ws", "secret hello", Qos.EXACTLY_ONCE)));
        assertEquals("secret hello", await(s.read(Duration.ofSeconds(30))).value().payloadAsString());
    }

    /** The broker configuration's uri property: ws:// connects over WebSocket; wrong URIs are refused by name. */
    @Test
    void configurationWithAWebSocketUri() throws Exception {
        int wsPort = Mosquitto.freePort();
        Mosquitto m = broker(withWebSockets(MqttVersion.V5, wsPort));
        org.rawsockets.protocols.config.ConfigRegistry registry = new org.rawsockets.protocols.config.ConfigRegistry(
                BrokerConfig.PID, "MQTT broker");
        org.rawsockets.protocols.config.SecretFiles secrets = new org.rawsockets.protocols.config.SecretFiles(null);
        for (String[] bad : new String[][] {{"mqtt://127.0.0.1:1883", "not a WebSocket URI"},
            {"ws://", "uri"}, {"ws://127.0.0.1:" + wsPort + "/mqtt|host", "set together with host"}}) {
            java.util.Map<String, Object> p = config("wscfg", bad[0].split("\\|")[0]);
            if (bad[0].endsWith("|host")) {
                p.put("host", "127.0.0.1");
            }
            Exception e = assertThrows(org.rawsockets.protocols.config.ConfigRejectedException.class,
                    () -> new MqttBrokerComponent(sockets, p, secrets, registry, x -> { }));
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
        }
        MqttBrokerComponent c = new MqttBrokerComponent(sockets, config("wscfg", "ws://127.0.0.1:" + wsPort + "/mqtt"),
                secrets, registry, x -> { });
        cleanup.add(c::deactivate);
        Waits.until(30_000, "connected over WebSocket", () -> c.status().connected(), c::status);
        assertEquals("ws 127.0.0.1:" + wsPort + "/mqtt", c.status().target());
        Sub sub = new Sub(m, "wscfg-check", "cfg/ws", 1, 1, MqttVersion.V5);
        await(c.publish(MqttMessage.of("cfg/ws", "via ws", Qos.AT_LEAST_ONCE)));
        assertEquals("cfg/ws 0 via ws", sub.awaitLines(1).get(0));
    }

    static java.util.Map<String, Object> config(String name, String uri) {
        java.util.Map<String, Object> p = new java.util.HashMap<>();
        p.put("service.pid", BrokerConfig.PID + "." + name);
        p.put("service.factoryPid", BrokerConfig.PID);
        p.put("name", name);
        p.put("uri", uri);
        return p;
    }
}
