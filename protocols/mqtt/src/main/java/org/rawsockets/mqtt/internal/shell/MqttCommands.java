package org.rawsockets.mqtt.internal.shell;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.rawsockets.mqtt.MqttClient;
import org.rawsockets.mqtt.MqttClientStatus;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.SubscriptionOptions;
import org.rawsockets.mqtt.internal.BrokerConfig;
import org.rawsockets.mqtt.internal.MqttBrokerComponent;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.Table;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TimedOutException;

/** Gogo commands of scope {@code mqtt}: brokers, status, pub, sub, reauth. */
@Component(service = MqttCommands.class, property = { "osgi.command.scope=mqtt", "osgi.command.function=brokers",
    "osgi.command.function=status", "osgi.command.function=pub", "osgi.command.function=sub",
    "osgi.command.function=reauth" })
public final class MqttCommands {

    /** The longest the shell waits for a publication or a subscription to be acknowledged. */
    static final long WAIT_MS = 30_000;
    static final long MAX_MESSAGES = 1_000_000;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<MqttClient> brokers = new CopyOnWriteArrayList<>();
    private final ConfigRegistry registry;

    public MqttCommands() {
        this.registry = MqttBrokerComponent.REGISTRY;
    }

    /** For tests: a fixed set of brokers. */
    MqttCommands(List<MqttClient> brokers) {
        this.brokers.addAll(brokers);
        this.registry = new ConfigRegistry(BrokerConfig.PID, "MQTT broker");
    }

    @Descriptor("list the configured MQTT brokers: name, target, version, state, in flight, queued, counters, last error")
    public String brokers() {
        List<MqttClient> list = new ArrayList<>(brokers);
        list.sort(Comparator.comparing(MqttClient::name));
        StringBuilder rejected = new StringBuilder();
        List<ConfigRegistry.Rejection> rejections = registry.rejections();
        if (!rejections.isEmpty()) {
            rejected.append("rejected configurations (see the log):\n");
            rejections.forEach(r -> rejected.append("  ").append(r.describe()).append('\n'));
        }
        if (list.isEmpty()) {
            return "no MQTT brokers configured (add a factory configuration " + BrokerConfig.PID + ")\n" + rejected;
        }
        Table t = new Table("name", "target", "version", "state", ">inflight", ">queued", ">published", ">received",
                ">reconnects", "last error");
        for (MqttClient c : list) {
            MqttClientStatus s = c.status();
            t.row(s.name(), s.target(), s.version() == org.rawsockets.mqtt.MqttVersion.V5 ? "5" : "3.1.1",
                    s.connected() ? "connected" : "disconnected", s.inFlight(), s.queued(), s.published(), s.received(),
                    s.reconnects(), s.lastError() == null ? "-" : s.lastError());
        }
        return t.toString() + rejected;
    }

    @Descriptor("show one broker's connection and counters")
    public String status(@Descriptor("broker name (see mqtt:brokers)") String broker) {
        MqttClientStatus s = broker(broker).status();
        return String.join("\n", "name:            " + s.name(), "target:          " + s.target(),
                "version:         " + (s.version() == org.rawsockets.mqtt.MqttVersion.V5 ? "5" : "3.1.1"),
                "client id:       " + s.clientId(), "connected:       " + s.connected()
                        + (s.connectedSince() == null ? "" : " since " + s.connectedSince()),
                "session present: " + s.sessionPresent(), "in flight:       " + s.inFlight() + " (peak "
                        + s.peakInFlight() + ", broker allows " + s.sendQuota() + ")",
                "queued:          " + s.queued(), "published:       " + s.published(),
                "received:        " + s.received(), "subscriptions:   " + s.subscriptions(),
                "reconnects:      " + s.reconnects(), "last error:      " + (s.lastError() == null ? "-"
                        : s.lastError())) + "\n";
    }

    @Descriptor("publish one message and wait until it is done for its QoS (written, PUBACK, PUBCOMP)")
    public String pub(
            @Descriptor("QoS 0, 1 or 2") @Parameter(names = { "-q", "--qos" }, absentValue = "1") int qos,
            @Descriptor("retain") @Parameter(names = { "-r", "--retain" }, presentValue = "true",
                    absentValue = "false") boolean retain,
            @Descriptor("broker name (see mqtt:brokers)") String broker,
            @Descriptor("topic name") String topic,
            @Descriptor("payload (UTF-8 text)") String payload) throws Exception {
        MqttClient c = broker(broker);
        await(c.publish(MqttMessage.of(topic, payload, Qos.of(qos)).withRetain(retain)), "publish to '" + topic + "'");
        return "published " + payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes to '" + topic
                + "' (QoS " + qos + (retain ? ", retained" : "") + ") on " + c.name() + "\n";
    }

    @Descriptor("subscribe and print 'topic payload' lines until interrupted (Ctrl-C) or -n messages")
    public String sub(
            @Descriptor("QoS 0, 1 or 2") @Parameter(names = { "-q", "--qos" }, absentValue = "1") int qos,
            @Descriptor("number of messages, 0 = until interrupted") @Parameter(names = { "-n", "--count" },
                    absentValue = "0") long count,
            @Descriptor("broker name (see mqtt:brokers)") String broker,
            @Descriptor("topic filter (+ and # wildcards)") String filter) throws Exception {
        if (count < 0 || count > MAX_MESSAGES) {
            throw new IllegalArgumentException("count (-n) must be 0..1000000, was " + count);
        }
        MqttClient c = broker(broker);
        MqttSubscription s = await(c.subscribe(filter, SubscriptionOptions.of(Qos.of(qos)), 256),
                "subscribe to '" + filter + "'");
        PrintStream out = System.out;
        long got = 0;
        long limit = count == 0 ? Long.MAX_VALUE : count;
        try {
            while (got < limit && !Thread.currentThread().isInterrupted()) {
                ReadResult<MqttMessage> r;
                try {
                    r = s.read(Duration.ofMillis(250)).toCompletableFuture().get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TimedOutException) {
                        continue;
                    }
                    throw e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (r.done()) {
                    break;
                }
                MqttMessage m = r.value();
                out.println(m.topic() + " " + m.payloadAsString());
                out.flush();
                got++;
            }
        } finally {
            s.unsubscribe();
        }
        return got + " message(s) received on '" + filter + "'\n";
    }

    @Descriptor("re-authenticate a connected broker with its enhanced authentication (MQTT 5 AUTH), reading the"
            + " password again")
    public String reauth(@Descriptor("broker name (see mqtt:brokers)") String broker) throws Exception {
        MqttClient c = broker(broker);
        await(c.reauthenticate(), "re-authentication of " + c.name());
        return "re-authenticated " + c.name() + "\n";
    }

    private MqttClient broker(String name) {
        for (MqttClient c : brokers) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        StringBuilder b = new StringBuilder("no MQTT broker named '" + name + "'");
        registry.rejection(name).ifPresent(r -> b.append(": its configuration was refused: ").append(r.reason()));
        List<String> names = brokers.stream().map(MqttClient::name).sorted().toList();
        b.append(names.isEmpty() ? "; none is configured (factory configuration " + BrokerConfig.PID + ")"
                : "; configured: " + String.join(", ", names));
        throw new IllegalArgumentException(b.toString());
    }

    private static <T> T await(CompletionStage<T> stage, String what) throws Exception {
        try {
            return stage.toCompletableFuture().get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        } catch (TimeoutException e) {
            stage.toCompletableFuture().cancel(false);
            throw new TimedOutException(what + " did not complete within " + WAIT_MS + " ms");
        }
    }
}
