package org.rawsockets.socket.mina.internal.osgi;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the one {@link MinaSocketEngine} of the framework; the {@code SocketService} (bundle scope),
 * {@code SocketAdmin} and endpoint components use it. Internal service: its package is not exported.
 *
 * <p>The policy is plugged in here, and only here: the {@link SocketPolicy} and {@link AuditLog}
 * services are provided by the policy components of this bundle
 * ({@code internal.policy.PolicyComponent}, {@code AuditLogComponent}); the engine starts once they
 * are there, so no socket is ever opened without a policy decision. Its settings are the last good
 * configuration published by {@link EngineConfigComponent} (an invalid one never reaches it); a new
 * one restarts the engine (static reference).
 *
 * <p>Deactivation closes every socket and stops every engine thread.
 */
@Component(service = SocketEngineComponent.class, immediate = true)
public final class SocketEngineComponent {

    private static final Logger LOG = LoggerFactory.getLogger(SocketEngineComponent.class);

    private final MinaSocketEngine engine;

    @Activate
    public SocketEngineComponent(@Reference EngineConfig config, @Reference SocketPolicy policy,
            @Reference AuditLog audit) {
        this.engine = new MinaSocketEngine(config, policy, audit, HostResolver.JDK);
        LOG.info("socket engine started: {}", EngineConfigComponent.describe(config));
    }

    /** The engine. */
    public MinaSocketEngine engine() {
        return engine;
    }

    @Deactivate
    void deactivate() {
        engine.close();
        LOG.info("socket engine stopped");
    }
}
