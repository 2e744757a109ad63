package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.netfault.FaultNetwork;

/**
 * Publish deadlines and cancelled publications against a real Mosquitto. "Never sent" is checked by
 * order: a marker published after the dropped message on the same connection reaches
 * {@code mosquitto_sub} right after the messages that were sent, and the broker's log has no PUBLISH
 * of the dropped one.
 */
class DeadlineAndCancelTest extends BrokerTestSupport {

    /** Queued while no broker listens: the client is offline with reconnect on. */
    private MqttClientImpl offlineClient(String name, Mosquitto notStarted) {
        return client(settings(name, notStarted, MqttVersion.V5).build());
    }

    @Test
    void aCancelledQueuedPublicationIsRemovedAndNeverSent() throws Exception {
        Mosquitto m = new Mosquitto();
        MqttClientImpl c = offlineClient("cancel", m);
        CompletableFuture<Void> first = c.publish(MqttMessage.of("q/first", "1", Qos.AT_LEAST_ONCE))
                .toCompletableFuture();
        CompletableFuture<Void> dropped = c.publish(MqttMessage.of("q/dropped", "2", Qos.AT_LEAST_ONCE))
                .toCompletableFuture();
        // all QoS 1: Mosquitto keeps the order of one QoS towards a subscriber (mosquitto_sub prints a QoS 2
        // message at PUBREL, after a QoS 1 message sent later)
        CompletableFuture<Void> third = c.publish(MqttMessage.of("q/third", "3", Qos.AT_LEAST_ONCE))
                .toCompletableFuture();
        assertEquals(3, c.status().queued());
        assertTrue(dropped.cancel(false));
        assertEquals(2, c.status().queued(), "the cancelled publication left the queue at once");
        // the caller's own orTimeout on a queued one has the same effect
        CompletableFuture<Void> timedOutByCaller = c.publish(MqttMessage.of("q/caller", "4", Qos.AT_MOST_ONCE))
                .toCompletableFuture().orTimeout(1, TimeUnit.MILLISECONDS);
        Waits.until(30_000, "the caller's orTimeout fired", timedOutByCaller::isDone, c::status);
        Waits.until(30_000, "the timed-out publication left the queue", () -> c.status().queued() == 2, c::status);

        broker(m);
        Sub sub = new Sub(m, "cancel-check", "q/#", 1, 3, MqttVersion.V5);
        await(c.connect());
        await(first);
        await(third);
        await(c.publish(MqttMessage.of("q/marker", "end", Qos.AT_LEAST_ONCE)));
        assertEquals(List.of("q/first 0 1", "q/third 0 3", "q/marker 0 end"), sub.awaitLines(3), logs());
        assertFalse(m.log().contains("'q/dropped'"), logs());
        assertFalse(m.log().contains("'q/caller'"), logs());
        assertInstanceOf(CancellationException.class, assertThrows(Exception.class, () -> await(dropped)));
        assertEquals(3, c.status().published());
    }

    @Test
    void aDeadlineRemovesAQueuedPublicationWithATypedError() throws Exception {
        Mosquitto m = new Mosquitto();
        MqttClientImpl c = offlineClient("deadline", m);
        CompletableFuture<Void> late = c.publish(MqttMessage.of("d/late", "x", Qos.AT_LEAST_ONCE),
                Duration.ofMillis(200)).toCompletableFuture();
        CompletableFuture<Void> kept = c.publish(MqttMessage.of("d/kept", "y", Qos.AT_LEAST_ONCE),
                Duration.ofMinutes(10)).toCompletableFuture();
        TimedOutException e = assertInstanceOf(TimedOutException.class, assertThrows(Exception.class,
                () -> await(late)));
        assertTrue(e.getMessage().contains("publish to 'd/late' not sent within 200 ms (waiting for a connection)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("MQTT broker 'deadline'"), e.getMessage());
        assertEquals(1, c.status().queued());

        broker(m);
        Sub sub = new Sub(m, "deadline-check", "d/#", 1, 2, MqttVersion.V5);
        await(c.connect());
        await(kept);
        await(c.publish(MqttMessage.of("d/marker", "end", Qos.AT_LEAST_ONCE)));
        assertEquals(List.of("d/kept 0 y", "d/marker 0 end"), sub.awaitLines(2), logs());
        assertFalse(m.log().contains("'d/late'"), logs());
    }

    @Test
    void aDeadlineOnASentMessageFailsTheStageAndTheSessionStillDeliversIt() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        Sub sub = new Sub(m, "inflight-check", "f/#", 1, 1, MqttVersion.V5);
        // keep-alive off: the frozen broker must not end the connection during the test
        MqttClientImpl c = client(settings("inflight", m, MqttVersion.V5).keepAliveSeconds(0).build());
        await(c.connect());
        FaultNetwork.freeze(m.process());
        CompletableFuture<Void> f;
        try {
            f = c.publish(MqttMessage.of("f/sent", "z", Qos.AT_LEAST_ONCE), Duration.ofMillis(300))
                    .toCompletableFuture();
            TimedOutException e = assertInstanceOf(TimedOutException.class, assertThrows(Exception.class,
                    () -> await(f)));
            assertTrue(e.getMessage().contains("sent but not acknowledged within 300 ms; it stays in the session"),
                    e.getMessage());
            assertEquals(1, c.status().inFlight(), "still in flight");
        } finally {
            FaultNetwork.thaw(m.process());
        }
        assertEquals(List.of("f/sent 0 z"), sub.awaitLines(1), logs());
        Waits.until(30_000, "the PUBACK arrived and ended the flight", () -> c.status().inFlight() == 0, c::status);
    }
}
