package org.rawsockets.mqtt.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** A real socket service, brokers and clients closed after each test, Mosquitto's command-line clients. */
abstract class BrokerTestSupport {

    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;
    final List<AutoCloseable> cleanup = new ArrayList<>();
    final List<Mosquitto> brokers = new ArrayList<>();

    @BeforeAll
    static void engine() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.mqtt"));
    }

    @AfterAll
    static void stopEngine() {
        sockets.close();
        engine.close();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    Mosquitto broker(Mosquitto m) throws Exception {
        brokers.add(m);
        cleanup.add(() -> {
            m.close();
        });
        return m.start();
    }

    /** Prints the brokers' logs (call from a failing test's catch). */
    String logs() {
        StringBuilder b = new StringBuilder();
        brokers.forEach(m -> b.append("---- mosquitto log ").append(m.dir).append('\n').append(m.log()));
        return b.toString();
    }

    /** Pids whose refused literal secret a component removed (what RefusedLiterals does in Config Admin). */
    final List<String> removedLiterals = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A broker's factory configuration as Config Admin gives it: pids, name, host 127.0.0.1 and {@code port}. */
    static java.util.Map<String, Object> brokerConfig(String name, int port) {
        java.util.Map<String, Object> p = new java.util.HashMap<>();
        p.put("service.pid", BrokerConfig.PID + "." + name);
        p.put("service.factoryPid", BrokerConfig.PID);
        p.put("name", name);
        p.put("host", "127.0.0.1");
        p.put("port", port);
        return p;
    }

    /** The DS component made from {@code props}, deactivated after the test. */
    MqttBrokerComponent component(java.util.Map<String, Object> props,
            org.rawsockets.protocols.config.SecretFiles secrets, org.rawsockets.protocols.config.ConfigRegistry registry) {
        MqttBrokerComponent c = new MqttBrokerComponent(sockets, props, secrets, registry, removedLiterals::add);
        cleanup.add(c::deactivate);
        return c;
    }

    static MqttSettings.Builder settings(String name, Mosquitto m, MqttVersion v) {
        return MqttSettings.builder(name).host("127.0.0.1", m.port).version(v)
                .reconnect(true, Duration.ofMillis(50), Duration.ofMillis(500)).connectTimeout(Duration.ofSeconds(5));
    }

    MqttClientImpl client(MqttSettings s) {
        MqttClientImpl c = new MqttClientImpl(s, sockets);
        cleanup.add(c);
        return c;
    }

    static String v(MqttVersion version) {
        return version == MqttVersion.V5 ? "mqttv5" : "mqttv311";
    }

    /** mosquitto_sub printing "topic payload" lines, subscribed (checked in the broker's log) when this returns. */
    final class Sub implements AutoCloseable {
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final Thread reader;

        Sub(Mosquitto m, String id, String topic, int qos, int count, MqttVersion version, String... more)
                throws Exception {
            List<String> cmd = new ArrayList<>(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p",
                    String.valueOf(m.port), "-i", id, "-t", topic, "-q", String.valueOf(qos), "-V", v(version), "-F",
                    "%t %r %p", "-W", "60"));
            if (count > 0) {
                cmd.addAll(List.of("-C", String.valueOf(count)));
            }
            cmd.addAll(List.of(more));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (Exception e) {
                    lines.add("reader failed: " + e);
                }
            });
            reader.setDaemon(true);
            reader.start();
            cleanup.add(this);
            Waits.until(10_000, "mosquitto_sub " + id + " subscribed", () -> m.log().contains(id + " " + qos + " "
                    + topic) || m.log().contains("Received SUBSCRIBE from " + id) && m.log().contains(topic),
                    () -> lines + "\n" + logs());
        }

        List<String> awaitLines(int n) {
            Waits.until(30_000, n + " lines from mosquitto_sub", () -> lines.size() >= n, () -> lines + "\n" + logs());
            return new ArrayList<>(lines);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** mosquitto_pub of one message per line of {@code lines} (-l), waiting for it to finish. */
    void pub(Mosquitto m, String topic, int qos, MqttVersion version, List<String> lines, String... more)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(m.port),
                "-t", topic, "-q", String.valueOf(qos), "-V", v(version), "-l"));
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("mosquitto_pub failed: " + out + "\n" + logs());
        }
    }
}
