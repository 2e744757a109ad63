package org.rawsockets.mqtt.internal.shell;

import java.util.List;

import org.rawsockets.mqtt.MqttClient;

/** Test access to the package-private constructor of {@link MqttCommands}. */
public final class MqttCommandsAccess {
    private final MqttCommands commands;

    public MqttCommandsAccess(MqttClient... brokers) {
        commands = new MqttCommands(List.of(brokers));
    }

    public String brokers() {
        return commands.brokers();
    }

    public String status(String name) {
        return commands.status(name);
    }

    public String pub(int qos, boolean retain, String broker, String topic, String payload) throws Exception {
        return commands.pub(qos, retain, broker, topic, payload);
    }

    public String reauth(String broker) throws Exception {
        return commands.reauth(broker);
    }

    public String sub(int qos, long count, String broker, String filter) throws Exception {
        return commands.sub(qos, count, broker, filter);
    }
}
