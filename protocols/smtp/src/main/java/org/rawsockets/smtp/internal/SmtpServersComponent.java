package org.rawsockets.smtp.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.rawsockets.smtp.MailSender;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.admin.DeviceStatusProvider;

/**
 * Publishes the configured mail servers to operator tools (the web console's Devices page): name,
 * {@code smtp}, server, the outcome of the last exchange and its error, from each
 * {@link MailSenderComponent}'s activity (a snapshot, no I/O).
 */
@Component(service = DeviceStatusProvider.class)
public final class SmtpServersComponent implements DeviceStatusProvider {

    private final List<MailSenderComponent> senders = new ArrayList<>();

    @Activate
    public SmtpServersComponent(@Reference(cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<MailSender> senders) {
        for (MailSender s : senders) {
            if (s instanceof MailSenderComponent c) { // this bundle's own; DS hands over the instance
                this.senders.add(c);
            }
        }
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (MailSenderComponent s : senders) {
            out.add(s.deviceStatus());
        }
        out.sort(Comparator.comparing(DeviceStatus::name));
        return out;
    }
}
