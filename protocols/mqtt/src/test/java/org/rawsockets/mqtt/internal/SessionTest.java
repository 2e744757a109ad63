package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.SubscriptionOptions;
import org.rawsockets.socket.ReadResult;

/**
 * Persistent sessions across a broker restart: a publisher and a subscriber (both this client, persistent
 * sessions) while the broker (persistence on) is stopped mid-stream and started again on the same port.
 * Checked by sequence numbers: every message arrives, QoS 2 exactly once.
 */
class SessionTest extends BrokerTestSupport {

    @ParameterizedTest
    @CsvSource({"1, V5", "2, V5", "1, V3_1_1", "2, V3_1_1"})
    void brokerRestartMidStreamLosesNothing(int qos, MqttVersion version) throws Exception {
        Mosquitto m = broker(Mosquitto.forVersion(version).persistence().config("max_queued_messages 100000"));
        Qos q = Qos.of(qos);
        MqttClientImpl sub = client(settings("sub-" + qos + version, m, version).keepAliveSeconds(5).build());
        await(sub.connect());
        MqttSubscription s = await(sub.subscribe("seq/#", SubscriptionOptions.of(q), 64));
        MqttClientImpl pub = client(settings("pub-" + qos + version, m, version).keepAliveSeconds(5).build());
        await(pub.connect());

        int n = 2000;
        Map<Integer, Integer> seen = new TreeMap<>();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        CompletableFuture<Void> consumer = CompletableFuture.runAsync(() -> {
            try {
                while (seen.size() < n) {
                    ReadResult<MqttMessage> r = await(s.read(Duration.ofSeconds(60)));
                    int i = Integer.parseInt(r.value().payloadAsString());
                    synchronized (seen) {
                        seen.merge(i, 1, Integer::sum);
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        for (int i = 0; i < n; i++) {
            acks.add(pub.publish(MqttMessage.of("seq/" + qos, String.valueOf(i), q)).toCompletableFuture());
            if (i == n / 2) {
                // mid-stream: wait until some went through, then stop the broker under both clients
                Waits.until(20_000, "some messages received", () -> {
                    synchronized (seen) {
                        return seen.size() > 100;
                    }
                }, () -> sub.status() + "\n" + logs());
                m.stop();
                Waits.until(10_000, "both clients saw the broker go", () -> !sub.status().connected()
                        && !pub.status().connected(), () -> sub.status() + " " + pub.status());
                m.start();
            }
        }
        try {
            await(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)));
        } catch (java.util.concurrent.TimeoutException e) {
            long open = acks.stream().filter(f -> !f.isDone()).count();
            StringBuilder dump = new StringBuilder();
            Thread.getAllStackTraces().forEach((t, st) -> {
                dump.append(t.getName()).append(' ').append(t.getState()).append('\n');
                for (StackTraceElement el : st) {
                    dump.append("    ").append(el).append('\n');
                }
            });
            throw new AssertionError(open + " publications not completed; pub " + pub.status() + "\nsub "
                    + sub.status() + "\n" + dump, e);
        }
        try {
            await(consumer);
        } catch (Exception e) {
            throw new AssertionError("received " + seen.size() + " of " + n + "; " + sub.status() + "\n" + logs(), e);
        }
        for (int i = 0; i < n; i++) {
            assertTrue(seen.containsKey(i), "message " + i + " lost");
            if (qos == 2) {
                assertEquals(1, seen.get(i), "message " + i + " duplicated");
            }
        }
        assertTrue(pub.status().reconnects() >= 1 && sub.status().reconnects() >= 1, pub.status().toString());
        assertTrue(sub.status().sessionPresent(), "the subscriber's session was resumed: " + sub.status());
        long dups = seen.values().stream().filter(c -> c > 1).count();
        System.out.println("restart QoS " + qos + " " + version + ": " + n + " delivered, " + dups
                + " duplicates, reconnects pub " + pub.status().reconnects() + " sub " + sub.status().reconnects());
    }
}
