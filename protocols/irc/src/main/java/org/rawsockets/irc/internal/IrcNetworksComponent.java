package org.rawsockets.irc.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.admin.DeviceStatusProvider;

/**
 * Publishes the configured IRC networks to operator tools (the web console's Devices page): network
 * name, {@code irc}, server (or endpoint) and TLS, {@code CONNECTED} with the nick, channels and lag,
 * or {@code DISCONNECTED}; from each client's own state (no I/O). The IRC API keeps no last error,
 * so none is shown.
 */
@Component(service = DeviceStatusProvider.class)
public final class IrcNetworksComponent implements DeviceStatusProvider {

    private final List<IrcClient> clients;

    @Activate
    public IrcNetworksComponent(@Reference(cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<IrcClient> clients) {
        this.clients = List.copyOf(clients);
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (IrcClient c : clients) {
            out.add(status(c));
        }
        out.sort(Comparator.comparing(DeviceStatus::name));
        return out;
    }

    static DeviceStatus status(IrcClient c) {
        IrcSettings s = c.settings();
        String endpoint = (s.endpoint() != null ? "endpoint:" + s.endpoint() : s.host() + ":" + s.port())
                + (s.tls() ? " (TLS)" : "");
        String state;
        if (c.isConnected()) {
            state = "CONNECTED as " + c.nick() + " (" + c.channels().size() + " channels"
                    + c.lag().map(l -> ", lag " + l.toMillis() + " ms").orElse("") + ")";
        } else {
            state = "DISCONNECTED";
        }
        return new DeviceStatus(c.network(), "irc", endpoint, state, null, null);
    }
}
