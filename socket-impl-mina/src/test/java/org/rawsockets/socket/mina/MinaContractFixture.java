package org.rawsockets.socket.mina;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.contract.SocketServiceFixture;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * The contract suite's fixture for the MINA implementation: one standalone engine per test (no
 * OSGi), one {@link OwnedSocketService} per owner as the bundle-scoped DS component would hand out,
 * released with {@link OwnedSocketService#close()} as the component does when a bundle ungets it.
 */
final class MinaContractFixture implements SocketServiceFixture {

    private static final AtomicLong BUNDLE_IDS = new AtomicLong(100);

    private final MinaSocketEngine engine = MinaSocketEngine.standalone();
    private final List<OwnedSocketService> services = new CopyOnWriteArrayList<>();

    @Override
    public SocketService open(String ownerName) {
        OwnedSocketService s = engine.serviceFor(Owner.of(BUNDLE_IDS.incrementAndGet(), ownerName));
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
        return EngineConfig.defaults().highWaterMark();
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
