package org.rawsockets.socket.mina.internal.osgi;

import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
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
 * are there, so no socket is ever opened without a policy decision.
 *
 * <p>Deactivation closes every socket and stops every engine thread.
 */
@Designate(ocd = EngineConfiguration.class)
@Component(service = SocketEngineComponent.class, configurationPid = SocketEngineComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public final class SocketEngineComponent {

    /** Configuration PID. */
    public static final String PID = "org.rawsockets.socket.mina";

    private static final Logger LOG = LoggerFactory.getLogger(SocketEngineComponent.class);

    private final MinaSocketEngine engine;

    @Activate
    public SocketEngineComponent(EngineConfiguration config, @Reference SocketPolicy policy,
            @Reference AuditLog audit) {
        EngineConfig c = new EngineConfig(config.ioThreads(), Duration.ofMillis(config.connectTimeoutMillis()),
                config.highWaterMark(), config.lowWaterMark(), config.maxDatagramSize(), config.udpReceiveQueue(),
                config.acceptQueue(), config.resolverThreads());
        this.engine = new MinaSocketEngine(c, policy, audit, HostResolver.JDK);
        LOG.info("socket engine started: {}", c);
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
