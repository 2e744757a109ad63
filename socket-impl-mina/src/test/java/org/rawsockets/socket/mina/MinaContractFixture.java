package org.rawsockets.socket.mina;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.contract.SocketServiceFixture;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;
import org.rawsockets.socket.mina.internal.policy.Quotas;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * The contract suite's fixture for the MINA implementation: one standalone engine per test (no
 * OSGi), one {@link OwnedSocketService} per owner as the bundle-scoped DS component would hand out,
 * released with {@link OwnedSocketService#close()} as the component does when a bundle ungets it.
 */
final class MinaContractFixture implements SocketServiceFixture {

    private static final AtomicLong BUNDLE_IDS = new AtomicLong(100);

    /**
     * Small buffers and queues on one I/O thread: every backpressure edge (suspend/resume, write
     * stalls, accept and datagram queue limits) is hit far more often than with the defaults.
     */
    static final EngineConfig SMALL = new EngineConfig(1, java.time.Duration.ofSeconds(30), 16 * 1024, 4 * 1024,
            65507, 16, 8);

    private final EngineConfig config;
    private final MinaSocketEngine engine;
    private final List<OwnedSocketService> services = new CopyOnWriteArrayList<>();
    /** Owners {@link #openRefused} made: the real policy engine without any grant decides for them. */
    private final Set<Owner> refused = ConcurrentHashMap.newKeySet();
    private final PolicyEngine noGrants = new PolicyEngine(PolicySettings.from(Map.of()), o -> null);

    MinaContractFixture() {
        this(EngineConfig.defaults());
    }

    MinaContractFixture(EngineConfig config) {
        this.config = config;
        SocketPolicy policy = new SocketPolicy() {
            @Override
            public void check(Owner owner, Access access) throws org.rawsockets.socket.NotAllowedException {
                if (refused.contains(owner)) {
                    noGrants.check(owner, access);
                }
            }

            @Override
            public Quotas quotas(Owner owner) {
                return Quotas.UNLIMITED;
            }
        };
        this.engine = new MinaSocketEngine(config, policy, AuditLog.NONE, HostResolver.JDK);
    }

    @Override
    public SocketService open(String ownerName) {
        OwnedSocketService s = engine.serviceFor(Owner.of(BUNDLE_IDS.incrementAndGet(), ownerName));
        services.add(s);
        return s;
    }

    @Override
    public SocketService openRefused(String ownerName) {
        Owner o = Owner.of(BUNDLE_IDS.incrementAndGet(), ownerName);
        refused.add(o);
        OwnedSocketService s = engine.serviceFor(o);
        services.add(s);
        return s;
    }

    @Override
    public void release(SocketService service) {
        ((OwnedSocketService) service).close();
    }

    @Override
    public SocketAdmin admin() {
        return engine.admin();
    }

    @Override
    public long bufferBound() {
        return config.highWaterMark();
    }

    @Override
    public void configureEndpoint(EndpointInfo endpoint) {
        engine.putEndpoint(new MinaSocketEngine.Endpoint(endpoint, null));
    }

    @Override
    public void close() {
        for (OwnedSocketService s : services) {
            s.close();
        }
        engine.close();
    }
}
