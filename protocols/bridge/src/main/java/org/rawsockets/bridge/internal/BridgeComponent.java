package org.rawsockets.bridge.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.modbus.ModbusClient;
import org.rawsockets.mqtt.MqttClient;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.StrictConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link ModbusMqttBridge} per {@code org.rawsockets.bridge.modbus-mqtt} factory configuration.
 * The Modbus devices and MQTT brokers are tracked dynamically and looked up by name at each read, so
 * a bridge keeps running while a device or broker configuration is changed or restarted.
 */
@Component(configurationPid = BridgeConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = BridgeComponent.class)
@Designate(ocd = BridgeConfig.class, factory = true)
public final class BridgeComponent {

    public static final ConfigRegistry REGISTRY = new ConfigRegistry(BridgeConfig.PID, "Modbus to MQTT bridge");
    private static final Logger LOG = LoggerFactory.getLogger(BridgeComponent.class);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<ModbusClient> devices = new CopyOnWriteArrayList<>();
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<MqttClient> brokers = new CopyOnWriteArrayList<>();
    private final ModbusMqttBridge bridge;
    private final ConfigRegistry.Claim claim;

    @Activate
    public BridgeComponent(Map<String, Object> properties) {
        ConfigRegistry.Accepted<BridgeSettings> accepted = REGISTRY.accept(properties, BridgeConfig.class, Set.of(),
                BridgeComponent::settings, BridgeSettings::name, LOG);
        this.claim = accepted.claim();
        this.bridge = new ModbusMqttBridge(accepted.value(), this::device, this::broker).start();
    }

    Optional<ModbusClient> device(String name) {
        return devices.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    Optional<MqttClient> broker(String name) {
        return brokers.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    static BridgeSettings settings(BridgeConfig c) {
        String name = c.name() == null ? "" : c.name().strip();
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw bad("name", name, "not a bridge name", "1..64 letters, digits, '.', '_', '-'");
        }
        if (c.device() == null || c.device().isBlank()) {
            throw bad("device", null, "missing", "the name of a Modbus device (org.rawsockets.modbus.device)");
        }
        if (c.broker() == null || c.broker().isBlank()) {
            throw bad("broker", null, "missing", "the name of an MQTT broker (org.rawsockets.mqtt.broker)");
        }
        if (c.topic() == null || c.topic().isBlank() || c.topic().contains("+") || c.topic().contains("#")) {
            throw bad("topic", c.topic(), "not a topic name", "a topic name without wildcards");
        }
        if (c.qos() < 0 || c.qos() > 2) {
            throw bad("qos", c.qos(), "out of range", "0, 1 or 2");
        }
        try {
            return new BridgeSettings(name, c.device().strip(), c.broker().strip(), c.table().strip(), c.unitId(),
                    c.address(), c.count(), Duration.ofMillis(c.intervalMillis()), c.topic().strip(), Qos.of(c.qos()),
                    c.retain());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(StrictConfig.field("table/address/count/intervalMillis", null,
                    e.getMessage(), "see the configuration table in the README"));
        }
    }

    private static IllegalArgumentException bad(String property, Object value, String problem, String rule) {
        return new IllegalArgumentException(StrictConfig.field(property, value, problem, rule));
    }

    @Deactivate
    void deactivate() {
        claim.close();
        bridge.close();
    }
}
