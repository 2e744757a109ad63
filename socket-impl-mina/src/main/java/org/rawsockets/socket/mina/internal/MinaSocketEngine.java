package org.rawsockets.socket.mina.internal;

import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * The socket engine without OSGi: shared MINA I/O processors, connector/acceptor/datagram support,
 * the socket registry and counters. The DS components wrap one engine; tests and benchmarks create
 * one directly ({@link #standalone()}).
 *
 * <p>Skeleton: the implementation is being written (issue 3).
 */
public final class MinaSocketEngine implements AutoCloseable {

    private final EngineConfig config;
    private final SocketPolicy policy;
    private final AuditLog audit;
    private final HostResolver resolver;

    public MinaSocketEngine(EngineConfig config, SocketPolicy policy, AuditLog audit, HostResolver resolver) {
        this.config = config;
        this.policy = policy;
        this.audit = audit;
        this.resolver = resolver;
    }

    /** An engine with default settings, no policy restrictions and the JDK resolver. */
    public static MinaSocketEngine standalone() {
        return new MinaSocketEngine(EngineConfig.defaults(), SocketPolicy.ALLOW_ALL, AuditLog.NONE, HostResolver.JDK);
    }

    /**
     * A socket service owned by {@code owner}. {@link OwnedSocketService#close()} closes everything it
     * opened and fails its pending opens (what the OSGi component does when the bundle ungets it).
     */
    public OwnedSocketService serviceFor(Owner owner) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The operator view over all owners. */
    public SocketAdmin admin() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Closes every socket of every owner and stops the I/O threads; idempotent. */
    @Override
    public void close() {
    }

    /** A {@link SocketService} bound to one owner; closing it releases everything the owner opened. */
    public interface OwnedSocketService extends SocketService, AutoCloseable {
        Owner owner();

        @Override
        void close();
    }
}
