package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttLimitException;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttMessage.PublishProperties;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.UserProperty;

/**
 * The file-backed offline queue: publications queued while the broker is away survive the client's
 * close (a bundle restart) and are sent by the next client on the same directory, in order, checked
 * by {@code mosquitto_sub}; the bound in bytes with both policies; a cancelled one's file goes.
 */
class FileQueueTest extends BrokerTestSupport {

    static long files(Path dir, String glob) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(glob)).count();
        }
    }

    /** With queueFsync off and on (what the kernel sees of the syncs: FileQueueFsyncTest). */
    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void queuedPublicationsSurviveARestartAndAreSentInOrder(boolean fsync) throws Exception {
        Mosquitto m = new Mosquitto(); // not started yet: the first client stays offline
        Path dir = Files.createTempDirectory("mqtt-queue");
        cleanup.add(() -> org.rawsockets.socket.testing.TempDirs.delete(dir));
        MqttSettings s = settings("fq", m, MqttVersion.V5).queueDirectory(dir, 1 << 20).queueFsync(fsync).build();
        MqttClientImpl first = new MqttClientImpl(s, sockets);
        List<CompletableFuture<Void>> stages = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // one QoS: Mosquitto keeps the order within a QoS (mosquitto_sub prints QoS 2 at PUBREL)
            stages.add(first.publish(MqttMessage.of("fq/seq", "m" + i, Qos.AT_LEAST_ONCE)).toCompletableFuture());
        }
        assertEquals(6, files(dir, ".msg"));
        assertTrue(stages.get(3).cancel(false));
        assertEquals(5, files(dir, ".msg"), "a cancelled publication's file is deleted");
        first.close(); // the bundle stops: the publications fail, their files stay
        for (int i : new int[] {0, 1, 2, 4, 5}) {
            MqttConnectionException e = assertInstanceOf(MqttConnectionException.class,
                    assertThrows(Exception.class, () -> await(stages.get(i))));
            assertTrue(e.getMessage().contains("stays in the offline queue in " + dir), e.getMessage());
        }
        assertEquals(5, files(dir, ".msg"));

        broker(m);
        Sub sub = new Sub(m, "fq-check", "fq/#", 1, 6, MqttVersion.V5);
        MqttClientImpl second = client(s);
        assertEquals(5, second.status().queued(), "read back at start");
        await(second.connect());
        await(second.publish(MqttMessage.of("fq/seq", "after", Qos.AT_LEAST_ONCE)));
        assertEquals(List.of("fq/seq 0 m0", "fq/seq 0 m1", "fq/seq 0 m2", "fq/seq 0 m4", "fq/seq 0 m5",
                "fq/seq 0 after"), sub.awaitLines(6), logs());
        Waits.until(30_000, "every file deleted once acknowledged", () -> {
            try {
                return files(dir, ".msg") == 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, second::status);
        assertEquals(6, second.status().published());
    }

    @Test
    void theBoundInBytesAppliesTheQueuePolicy() throws Exception {
        Mosquitto m = new Mosquitto(); // never started: every client stays offline
        cleanup.add(m);
        byte[] payload = new byte[1000];
        for (MqttSettings.QueuePolicy policy : MqttSettings.QueuePolicy.values()) {
            Path dir = Files.createTempDirectory("mqtt-queue-bound");
            cleanup.add(() -> org.rawsockets.socket.testing.TempDirs.delete(dir));
            MqttClientImpl c = client(settings("fb-" + policy, m, MqttVersion.V5).queue(100, policy)
                    .queueDirectory(dir, 3500).build());
            List<CompletableFuture<Void>> stages = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                stages.add(c.publish(new MqttMessage("fb/" + i, payload, Qos.AT_LEAST_ONCE, false, null))
                        .toCompletableFuture());
            }
            CompletableFuture<Void> fourth = c.publish(new MqttMessage("fb/3", payload, Qos.AT_LEAST_ONCE, false,
                    null)).toCompletableFuture();
            if (policy == MqttSettings.QueuePolicy.REJECT_NEW) {
                MqttLimitException e = assertInstanceOf(MqttLimitException.class,
                        assertThrows(Exception.class, () -> await(fourth)));
                assertTrue(e.getMessage().contains("of its 3500 bytes (maxQueuedBytes)"), e.getMessage());
            } else {
                MqttLimitException e = assertInstanceOf(MqttLimitException.class,
                        assertThrows(Exception.class, () -> await(stages.get(0))));
                assertTrue(e.getMessage().contains("the oldest message was dropped (policy DROP_OLDEST)"),
                        e.getMessage());
                assertTrue(!fourth.isDone());
            }
            assertEquals(3, files(dir, ".msg"), policy.toString());
            assertEquals(3, c.status().queued());
        }
    }

    @Test
    void storedFormRoundTripsAndAnUnreadableFileIsSetAside() throws Exception {
        MqttMessage full = new MqttMessage("a/\u00fc/b", new byte[] {0, 1, 2, (byte) 255}, Qos.EXACTLY_ONCE, true,
                new PublishProperties(true, 60, "text/plain", "reply/to", new byte[] {9, 8},
                        List.of(new UserProperty("k", "v"), new UserProperty("k", "w")), null));
        MqttMessage back = FileQueueStore.decode(FileQueueStore.encode(full));
        assertEquals(full.topic(), back.topic());
        assertArrayEquals(full.payload(), back.payload());
        assertEquals(full.qos(), back.qos());
        assertEquals(full.retain(), back.retain());
        assertEquals(full.properties().userProperties(), back.properties().userProperties());
        assertEquals("reply/to", back.properties().responseTopic());
        assertArrayEquals(new byte[] {9, 8}, back.properties().correlationData());
        assertEquals(60, back.properties().messageExpirySeconds());
        MqttMessage plain = MqttMessage.of("t", "x", Qos.AT_MOST_ONCE);
        assertEquals(PublishProperties.NONE, FileQueueStore.decode(FileQueueStore.encode(plain)).properties());

        Path dir = Files.createTempDirectory("mqtt-queue-bad");
        cleanup.add(() -> org.rawsockets.socket.testing.TempDirs.delete(dir));
        FileQueueStore st = new FileQueueStore(dir, 1 << 20, false);
        st.load();
        st.add(FileQueueStore.encode(plain));
        byte[] good = FileQueueStore.encode(full);
        st.add(java.util.Arrays.copyOf(good, good.length - 3)); // truncated
        FileQueueStore again = new FileQueueStore(dir, 1 << 20, false);
        List<FileQueueStore.Stored> loaded = again.load();
        assertEquals(1, loaded.size());
        assertEquals("t", loaded.get(0).message().topic());
        assertEquals(1, files(dir, ".bad"));
        again.add(FileQueueStore.encode(full));
        assertEquals(2, new FileQueueStore(dir, 1 << 20, false).load().size(), "the new file is read back too");
        assertEquals(1, files(dir, ".bad"), "the set-aside file is kept");
    }

    /** queueFsync goes with queueDirectory, in the settings and in the configuration. */
    @Test
    void queueFsyncNeedsAQueueDirectory() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MqttSettings.builder("x").host("h", 1)
                .queueFsync(true).build()).getMessage().contains("queueFsync goes with a queueDirectory"));
        java.util.Map<String, Object> props = brokerConfig("fsyncnodir", 1883);
        props.put("queueFsync", true);
        Exception e = assertThrows(org.rawsockets.protocols.config.ConfigRejectedException.class,
                () -> component(props, new org.rawsockets.protocols.config.SecretFiles(null),
                        new org.rawsockets.protocols.config.ConfigRegistry(BrokerConfig.PID, "MQTT broker")));
        assertTrue(e.getMessage().contains("queueFsync") && e.getMessage().contains("set without queueDirectory"),
                e.getMessage());
    }
}
