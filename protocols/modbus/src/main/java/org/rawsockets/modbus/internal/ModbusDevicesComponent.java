package org.rawsockets.modbus.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.rawsockets.modbus.ModbusClient;
import org.rawsockets.modbus.ModbusClientStatus;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.admin.DeviceStatusProvider;

/**
 * Publishes the configured Modbus devices to operator tools (the web console's Devices page): name,
 * {@code modbus-<transport>}, target, connection state and the last error, from each device's
 * {@link ModbusClient#status()} (a snapshot, no I/O).
 */
@Component(service = DeviceStatusProvider.class)
public final class ModbusDevicesComponent implements DeviceStatusProvider {

    private final List<ModbusClient> clients;

    @Activate
    public ModbusDevicesComponent(@Reference(cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<ModbusClient> clients) {
        this.clients = List.copyOf(clients);
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (ModbusClient c : clients) {
            out.add(status(c.status()));
        }
        out.sort(Comparator.comparing(DeviceStatus::name));
        return out;
    }

    static DeviceStatus status(ModbusClientStatus s) {
        String state = s.state().name() + " (" + s.completed() + " ok, " + s.failed() + " failed, " + s.timeouts()
                + " timed out)";
        return new DeviceStatus(s.name(), "modbus-" + s.transport().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                s.target(), state, s.lastError(), null);
    }
}
