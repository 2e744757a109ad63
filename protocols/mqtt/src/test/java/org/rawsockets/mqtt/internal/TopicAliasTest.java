package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;

/**
 * Outgoing topic aliases against a real Mosquitto: within the broker's Topic Alias Maximum (its
 * {@code max_topic_alias}, advertised in CONNACK), least recently used topic replaced, a fresh map on
 * every connection; {@code mosquitto_sub} checks that every message arrives on its topic.
 */
class TopicAliasTest extends BrokerTestSupport {

    /** Hot topics published every round keep their aliases; a new cold topic per round takes the last number. */
    @ParameterizedTest
    @ValueSource(ints = {3, 10})
    void messagesArriveOnTheirTopicsWithAliasesWithinTheBrokersMaximum(int brokerMaximum) throws Exception {
        Mosquitto m = broker(new Mosquitto().config("max_topic_alias " + brokerMaximum));
        int rounds = 12;
        Sub sub = new Sub(m, "alias-check", "alias/#", 1, rounds * 3, MqttVersion.V5);
        MqttClientImpl c = client(settings("alias-" + brokerMaximum, m, MqttVersion.V5).outgoingTopicAliasMaximum(64)
                .build());
        await(c.connect());
        List<String> expected = new ArrayList<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (String t : new String[] {"alias/hot/one", "alias/hot/two", "alias/cold/" + r}) {
                String payload = "r" + r + "-" + t.substring(t.lastIndexOf('/') + 1);
                expected.add(t + " 0 " + payload);
                // pipelined (not awaited one by one): an alias is set and used in consecutive packets
                done.add(c.publish(MqttMessage.of(t, payload, Qos.AT_LEAST_ONCE)).toCompletableFuture());
            }
        }
        await(CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)));
        assertEquals(expected, sub.awaitLines(expected.size()), logs());
        OutgoingAliases used;
        synchronized (c) {
            used = c.conn.aliasesOut;
        }
        assertEquals(Math.min(64, brokerMaximum), used.maximum(), "the broker's Topic Alias Maximum bounds the map");
        assertTrue(used.size() <= brokerMaximum);
        // the two hot topics are sent with the alias only after their first round
        assertTrue(used.hits >= 2L * (rounds - 1), "alias-only publications: " + used.hits);
        assertEquals(0, c.status().reconnects(), "the broker never refused an alias: " + c.status().lastError());
        assertNull(c.status().lastError());
    }

    @Test
    void aBrokerWithoutAliasesGetsTopicNames() throws Exception {
        Mosquitto m = broker(new Mosquitto().config("max_topic_alias 0"));
        Sub sub = new Sub(m, "noalias-check", "plain/#", 1, 10, MqttVersion.V5);
        MqttClientImpl c = client(settings("noalias", m, MqttVersion.V5).build());
        await(c.connect());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add("plain/t" + (i % 2) + " 0 p" + i);
            await(c.publish(MqttMessage.of("plain/t" + (i % 2), "p" + i, Qos.AT_LEAST_ONCE)));
        }
        assertEquals(expected, sub.awaitLines(10), logs());
        synchronized (c) {
            assertEquals(0, c.conn.aliasesOut.maximum());
            assertEquals(0, c.conn.aliasesOut.hits);
        }
        assertEquals(0, c.status().reconnects());
    }

    @Test
    void aliasesStartAfreshOnANewConnection() throws Exception {
        Mosquitto m = broker(new Mosquitto().config("max_topic_alias 5"));
        Sub sub = new Sub(m, "again-check", "again/#", 1, 8, MqttVersion.V5);
        MqttClientImpl c = client(settings("again", m, MqttVersion.V5).build());
        await(c.connect());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            expected.add("again/t" + (i % 2) + " 0 before" + i);
            await(c.publish(MqttMessage.of("again/t" + (i % 2), "before" + i, Qos.AT_LEAST_ONCE)));
        }
        Connection first;
        synchronized (c) {
            first = c.conn;
            assertEquals(2, first.aliasesOut.hits);
        }
        c.dropConnection();
        Waits.until(30_000, "reconnected", () -> c.status().reconnects() == 1 && c.status().connected(),
                () -> c.status() + "\n" + logs());
        for (int i = 0; i < 4; i++) {
            expected.add("again/t" + (i % 2) + " 0 after" + i);
            await(c.publish(MqttMessage.of("again/t" + (i % 2), "after" + i, Qos.AT_LEAST_ONCE)));
        }
        assertEquals(expected, sub.awaitLines(8), logs());
        synchronized (c) {
            assertFalse(c.conn == first);
            assertEquals(2, c.conn.aliasesOut.assigned, "the new connection set both aliases again");
            assertEquals(2, c.conn.aliasesOut.hits);
        }
        // an alias of the lost connection would have made Mosquitto close this one too
        assertEquals(1, c.status().reconnects(), c.status().lastError() + "\n" + logs());
    }
}
