package org.rawsockets.coap.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.rawsockets.coap.CoapClient;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.admin.DeviceStatusProvider;

/**
 * Publishes the configured CoAP devices to operator tools (the web console's Devices page): name,
 * {@code coap}, {@code coap://host:port}, the last request's outcome ({@code UNKNOWN} before the
 * first, {@code REACHABLE (code in n ms)}, {@code TIMEOUT}, {@code FAILED}) with the last error, from
 * each {@link CoapDeviceComponent}'s own state (a snapshot, no I/O).
 */
@Component(service = DeviceStatusProvider.class)
public final class CoapDevicesComponent implements DeviceStatusProvider {

    private final List<CoapDeviceComponent> devices = new ArrayList<>();

    @Activate
    public CoapDevicesComponent(@Reference(cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<CoapClient> clients) {
        for (CoapClient c : clients) {
            if (c instanceof CoapDeviceComponent d) { // this bundle's own; DS hands over the instance
                this.devices.add(d);
            }
        }
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (CoapDeviceComponent d : devices) {
            out.add(d.deviceStatus());
        }
        out.sort(Comparator.comparing(DeviceStatus::name));
        return out;
    }
}
