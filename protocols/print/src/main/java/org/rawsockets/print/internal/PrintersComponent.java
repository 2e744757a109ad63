package org.rawsockets.print.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.rawsockets.print.Printer;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.admin.DeviceStatusProvider;

/**
 * Publishes the configured printers to operator tools (the web console's Devices page): name, the
 * URI's scheme ({@code ipp}, {@code ipps}, {@code lpd}, {@code socket}, {@code dnssd}), the URI, and
 * what the printer answered to the last status query ({@code UNKNOWN} before one; nothing polls it)
 * or that query's failure, from each {@link PrinterComponent}'s own state (a snapshot, no I/O).
 */
@Component(service = DeviceStatusProvider.class)
public final class PrintersComponent implements DeviceStatusProvider {

    private final List<PrinterComponent> printers = new ArrayList<>();

    @Activate
    public PrintersComponent(@Reference(cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<Printer> printers) {
        for (Printer p : printers) {
            if (p instanceof PrinterComponent c) { // this bundle's own; DS hands over the instance
                this.printers.add(c);
            }
        }
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (PrinterComponent p : printers) {
            out.add(p.deviceStatus());
        }
        out.sort(Comparator.comparing(DeviceStatus::name));
        return out;
    }
}
