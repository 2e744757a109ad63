package org.rawsockets.mqtt.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.rawsockets.mqtt.MqttClient;
import org.rawsockets.mqtt.MqttClientStatus;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.admin.DeviceStatusProvider;

/**
 * Publishes the configured MQTT brokers to operator tools (the web console's Devices page): name,
 * {@code mqtt-5} or {@code mqtt-3.1.1}, target, connection state with the counters and the last
 * connection error, from each client's {@link MqttClient#status()} (a snapshot, no I/O).
 */
@Component(service = DeviceStatusProvider.class)
public final class MqttBrokersComponent implements DeviceStatusProvider {

    private final List<MqttClient> clients;

    @Activate
    public MqttBrokersComponent(@Reference(cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<MqttClient> clients) {
        this.clients = List.copyOf(clients);
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (MqttClient c : clients) {
            out.add(status(c.status()));
        }
        out.sort(Comparator.comparing(DeviceStatus::name));
        return out;
    }

    static DeviceStatus status(MqttClientStatus s) {
        String state = (s.connected() ? "CONNECTED" : "DISCONNECTED") + " (" + s.published() + " published, "
                + s.received() + " received, " + s.queued() + " queued, " + s.reconnects() + " reconnects)";
        return new DeviceStatus(s.name(), s.version() == MqttVersion.V5 ? "mqtt-5" : "mqtt-3.1.1", s.target(), state,
                s.lastError(), s.connected() ? s.connectedSince() : null);
    }
}
