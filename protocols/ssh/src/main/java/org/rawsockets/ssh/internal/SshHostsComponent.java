package org.rawsockets.ssh.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.admin.DeviceStatusProvider;
import org.rawsockets.ssh.SshHost;

/**
 * Publishes the configured SSH hosts to operator tools (the web console's Devices page): name,
 * {@code ssh}, {@code user@host:port}, {@code CONNECTED (n sessions open)}, {@code FAILED} (the last
 * connect failed) or {@code IDLE}, with the last connect error, from each {@link SshHostComponent}'s
 * own state (a snapshot, no I/O). The password and passphrase are never shown.
 */
@Component(service = DeviceStatusProvider.class)
public final class SshHostsComponent implements DeviceStatusProvider {

    private final List<SshHostComponent> hosts = new ArrayList<>();

    @Activate
    public SshHostsComponent(@Reference(cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<SshHost> hosts) {
        for (SshHost h : hosts) {
            if (h instanceof SshHostComponent c) { // this bundle's own; DS hands over the instance
                this.hosts.add(c);
            }
        }
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (SshHostComponent h : hosts) {
            out.add(h.deviceStatus());
        }
        out.sort(Comparator.comparing(DeviceStatus::name));
        return out;
    }
}
