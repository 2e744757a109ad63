package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttLimitException;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttReasonException;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.SubscriptionOptions;
import org.rawsockets.mqtt.SubscriptionOptions.RetainHandling;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/** Retained and will messages, reason codes, authentication, TLS, flow control, the offline queue. */
class FeaturesTest extends BrokerTestSupport {

    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    void retainedMessagesAndRetainHandling(MqttVersion version) throws Exception {
        Mosquitto m = broker(Mosquitto.forVersion(version));
        MqttClientImpl c = client(settings("ret-" + version, m, version).build());
        await(c.connect());
        await(c.publish(MqttMessage.of("state/lamp", "on", Qos.AT_LEAST_ONCE).withRetain(true)));
        MqttSubscription s = await(c.subscribe("state/#", SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 8));
        MqttMessage got = await(s.read(Duration.ofSeconds(10))).value();
        assertEquals("on", got.payloadAsString());
        assertTrue(got.retain(), "a retained message sent at subscribe time has the retain flag");
        if (version == MqttVersion.V5) {
            // retain handling 2: no retained message at subscribe time
            MqttSubscription none = await(c.subscribe("state/+", new SubscriptionOptions(Qos.AT_LEAST_ONCE, false,
                    false, RetainHandling.DO_NOT_SEND), 8));
            assertInstanceOf(TimedOutException.class, assertThrows(Exception.class,
                    () -> await(none.read(Duration.ofMillis(500)))));
        }
        // cross-check: mosquitto_sub sees the retained message (-C 1, flag r = 1)
        Sub sub = new Sub(m, "retain-check", "state/lamp", 1, 1, version);
        assertEquals("state/lamp 1 on", sub.awaitLines(1).get(0));
    }

    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    void willIsPublishedWhenTheConnectionDrops(MqttVersion version) throws Exception {
        Mosquitto m = broker(Mosquitto.forVersion(version));
        Sub sub = new Sub(m, "will-check", "dev/+/status", 1, 1, version);
        MqttClientImpl c = client(settings("will-" + version, m, version)
                .will(MqttMessage.of("dev/7/status", "offline", Qos.AT_LEAST_ONCE), 0)
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(50)).build());
        await(c.connect());
        c.dropConnection();
        assertEquals("dev/7/status 0 offline", sub.awaitLines(1).get(0));
    }

    @Test
    void normalDisconnectDiscardsTheWill() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        MqttClientImpl c = client(settings("nowill", m, MqttVersion.V5)
                .will(MqttMessage.of("dev/8/status", "offline", Qos.AT_LEAST_ONCE), 0).build());
        await(c.connect());
        MqttClientImpl watcher = client(settings("watcher", m, MqttVersion.V5).build());
        await(watcher.connect());
        MqttSubscription s = await(watcher.subscribe("dev/8/status", SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 4));
        await(c.disconnect());
        Waits.until(5000, "the broker saw the DISCONNECT", () -> m.log().contains("Received DISCONNECT from nowill"),
                this::logs);
        assertInstanceOf(TimedOutException.class, assertThrows(Exception.class,
                () -> await(s.read(Duration.ofMillis(500)))));
    }

    @Test
    void brokerDisconnectWithReasonCodeIsTyped() throws Exception {
        // Mosquitto answers a PUBLISH with a topic alias above its Topic Alias Maximum (10 by default) with
        // DISCONNECT 0x94 Topic Alias invalid.
        Mosquitto m = broker(new Mosquitto());
        MqttClientImpl c = client(settings("provoker", m, MqttVersion.V5)
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(50)).build());
        await(c.connect());
        CompletableFuture<Void> pending = c.publish(MqttMessage.of("never/acked", "x", Qos.AT_LEAST_ONCE))
                .toCompletableFuture();
        c.sendRaw(new org.rawsockets.mqtt.internal.codec.Packet.Publish(false, 0, false, "a/b", 0, new byte[1],
                new org.rawsockets.mqtt.internal.codec.Properties().put(
                        org.rawsockets.mqtt.internal.codec.Properties.TOPIC_ALIAS, 50)));
        Waits.until(5000, "the client saw the DISCONNECT", () -> !c.status().connected(), c::status);
        String err = c.status().lastError();
        assertTrue(err.startsWith("MqttReasonException") && err.contains("disconnected: Topic Alias invalid (0x94)"),
                err + "\n" + logs());
        // without reconnect, what was pending fails with the connection's typed error as its cause
        try {
            await(pending);
        } catch (MqttConnectionException e) {
            MqttReasonException cause = assertInstanceOf(MqttReasonException.class, e.getCause());
            assertEquals(0x94, cause.reasonCode());
            assertEquals("DISCONNECT", cause.packet());
        }
        assertThrows(MqttConnectionException.class,
                () -> await(c.publish(MqttMessage.of("t", "x", Qos.AT_LEAST_ONCE))).toString());
    }

    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    void passwordAuthentication(MqttVersion version) throws Exception {
        Mosquitto m = broker(Mosquitto.forVersion(version).password("gateway", "s3cret"));
        MqttClientImpl bad = client(settings("bad-" + version, m, version)
                .credentials("gateway", "wrong".getBytes(StandardCharsets.UTF_8))
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(50)).build());
        MqttReasonException e = assertThrows(MqttReasonException.class, () -> await(bad.connect()));
        assertEquals("CONNACK", e.packet());
        // Mosquitto answers a wrong password with "not authorized" (MQTT 5 0x87, 3.1.1 return code 5)
        assertEquals(version == MqttVersion.V5 ? 0x87 : 5, e.reasonCode());
        assertTrue(e.getMessage().contains("refused the connection") && e.getMessage().contains("bad-"), e.getMessage());
        MqttClientImpl good = client(settings("good-" + version, m, version)
                .credentials("gateway", "s3cret".getBytes(StandardCharsets.UTF_8)).build());
        await(good.connect());
        await(good.publish(MqttMessage.of("auth/ok", "1", Qos.EXACTLY_ONCE)));
        assertEquals(1, good.status().published());
    }

    @Test
    void tlsWithClientCertificate() throws Exception {
        Mosquitto m = broker(new Mosquitto().tls(true));
        TlsOptions tls = TlsOptions.builder().mode(TlsMode.ON).serverName("localhost")
                .trustedCertificatesPem(m.pem("ca.pem")).clientCertificate(m.pem("client.pem"), m.pem("client.key"))
                .build();
        MqttClientImpl c = client(MqttSettings.builder("tls").host("localhost", m.port).tls(tls).build());
        await(c.connect());
        MqttSubscription s = await(c.subscribe("secure/#", SubscriptionOptions.of(Qos.EXACTLY_ONCE), 4));
        await(c.publish(MqttMessage.of("secure/a", "over TLS", Qos.EXACTLY_ONCE)));
        assertEquals("over TLS", await(s.read(Duration.ofSeconds(10))).value().payloadAsString());
        assertTrue(c.status().target().startsWith("mqtts "), c.status().target());

        // without the client certificate the broker refuses the handshake: a typed TLS failure
        MqttClientImpl anonymous = client(MqttSettings.builder("tls-nocert").host("localhost", m.port)
                .tls(TlsOptions.builder().mode(TlsMode.ON).serverName("localhost")
                        .trustedCertificatesPem(m.pem("ca.pem")).build())
                .reconnect(false, Duration.ofMillis(50), Duration.ofMillis(50)).build());
        Exception failed = assertThrows(Exception.class, () -> await(anonymous.connect()));
        assertTrue(failed instanceof NetworkException || failed instanceof MqttConnectionException, failed.toString());
    }

    @Test
    void receiveMaximumOfTheBrokerIsRespected() throws Exception {
        Mosquitto m = broker(new Mosquitto().config("max_inflight_messages 5"));
        MqttClientImpl c = client(settings("window", m, MqttVersion.V5).build());
        await(c.connect());
        assertEquals(5, c.status().sendQuota(), "the broker's Receive Maximum");
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            done.add(c.publish(MqttMessage.of("w/" + (i % 2), "m" + i, i % 2 == 0 ? Qos.AT_LEAST_ONCE
                    : Qos.EXACTLY_ONCE)).toCompletableFuture());
        }
        await(CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)));
        assertEquals(5, c.status().peakInFlight(), "in flight at most (and up to) the broker's Receive Maximum");
        assertFalse(m.log().contains("Receive Maximum exceeded") || m.log().contains("exceeded"), logs());
        assertEquals(0, c.status().reconnects());
    }

    @Test
    void slowConsumerBackpressuresThroughReceiveMaximum() throws Exception {
        Mosquitto m = broker(new Mosquitto().config("max_queued_messages 1000"));
        MqttClientImpl c = client(settings("slow", m, MqttVersion.V5).receiveMaximum(4).build());
        await(c.connect());
        MqttSubscription s = await(c.subscribe("flood/#", SubscriptionOptions.of(Qos.AT_LEAST_ONCE), 2));
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            sent.add("m" + i);
        }
        pub(m, "flood/x", 1, MqttVersion.V5, sent); // the broker queues what this client does not take
        Waits.until(5000, "the buffer filled", () -> s.buffered() == 2, c::status);
        // nothing beyond the buffer was taken: 2 buffered, 1 parked, the rest stays at the broker
        assertTrue(c.status().received() <= 3, c.status().toString());
        for (String expected : sent) {
            assertEquals(expected, await(s.read(Duration.ofSeconds(10))).value().payloadAsString());
            assertTrue(s.buffered() <= 2);
        }
        assertEquals(300, c.status().received());
    }

    @Test
    void offlineQueueIsBoundedWithAClearPolicy() throws Exception {
        Mosquitto m = new Mosquitto(); // not started yet: the client is offline
        MqttClientImpl reject = client(settings("offline-reject", m, MqttVersion.V5)
                .queue(3, MqttSettings.QueuePolicy.REJECT_NEW).build());
        MqttClientImpl drop = client(settings("offline-drop", m, MqttVersion.V5)
                .queue(3, MqttSettings.QueuePolicy.DROP_OLDEST).build());
        reject.connect();
        drop.connect();
        List<CompletableFuture<Void>> r = new ArrayList<>();
        List<CompletableFuture<Void>> d = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            r.add(reject.publish(MqttMessage.of("q/r", "r" + i, Qos.AT_LEAST_ONCE)).toCompletableFuture());
            d.add(drop.publish(MqttMessage.of("q/d", "d" + i, Qos.AT_LEAST_ONCE)).toCompletableFuture());
        }
        MqttLimitException full = assertThrows(MqttLimitException.class, () -> await(r.get(3)));
        assertTrue(full.getMessage().contains("queue of 3 messages waiting for a connection is full"), full.getMessage());
        MqttLimitException dropped = assertThrows(MqttLimitException.class, () -> await(d.get(0)));
        assertTrue(dropped.getMessage().contains("DROP_OLDEST"), dropped.getMessage());
        assertEquals(3, reject.status().queued());
        broker(m); // the broker comes up on the configured port: the queues drain
        await(CompletableFuture.allOf(r.get(0), r.get(1), r.get(2), d.get(1), d.get(2), d.get(3)));
        assertEquals(3, reject.status().published());
        assertEquals(3, drop.status().published());
    }
}
