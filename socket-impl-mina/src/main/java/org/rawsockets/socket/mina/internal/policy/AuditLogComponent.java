package org.rawsockets.socket.mina.internal.policy;

import java.util.Map;

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
    public AuditLogComponent(Map<String, Object> properties) {
        super(PolicySettings.auditSize(properties, null));
    }

    /** An invalid {@code auditSize} keeps the default; PolicyComponent reports it (same PID). */
    @Modified
    void modified(Map<String, Object> properties) {
        int size = PolicySettings.auditSize(properties, null);
        if (size != capacity()) {
            resize(size);
        }
    }

    /** Stops the logging thread (bounded: see {@link RingAuditLog#close()}). */
    @Deactivate
    void deactivate() {
        close();
    }
}
