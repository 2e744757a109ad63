package org.rawsockets.socket.mina.internal.policy;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;

/**
 * Registers the audit ring ({@link RingAuditLog}) as {@link AuditLog}. Reads {@code auditSize} from
 * the policy PID (one file configures the whole policy); works without configuration.
 */
@Component(configurationPid = PolicySettings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = AuditLog.class)
public final class AuditLogComponent extends RingAuditLog {

    @Activate
    public AuditLogComponent(PolicyConfig config) {
        super(size(config));
    }

    @Modified
    void modified(PolicyConfig config) {
        int size = size(config);
        if (size != capacity()) {
            resize(size);
        }
    }

    /** Stops the logging thread (bounded: see {@link RingAuditLog#close()}). */
    @Deactivate
    void deactivate() {
        close();
    }

    private static int size(PolicyConfig config) {
        return Math.max(1, Math.min(MAX_CAPACITY, config.auditSize()));
    }
}
