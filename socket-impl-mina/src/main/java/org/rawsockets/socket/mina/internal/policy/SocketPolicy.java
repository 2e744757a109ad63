package org.rawsockets.socket.mina.internal.policy;

import java.net.InetSocketAddress;

import org.rawsockets.socket.NotAllowedException;

/**
 * The decision point the socket engine calls before any packet leaves. Implemented by the policy
 * engine; {@link #ALLOW_ALL} only for tests and benchmarks that are not about policy.
 *
 * <p>Called on any thread, possibly an I/O thread: implementations must not block.
 */
public interface SocketPolicy {

    /**
     * Checks one access.
     *
     * @throws NotAllowedException naming the bundle, the destination and the missing grant
     */
    void check(Owner owner, Access access) throws NotAllowedException;

    /**
     * Whether the access is allowed, without building an exception: for hot paths such as every
     * inbound datagram of a bound UDP socket (drop and count when {@code false}).
     */
    default boolean allows(Owner owner, Access access) {
        try {
            check(owner, access);
            return true;
        } catch (NotAllowedException e) {
            return false;
        }
    }

    /**
     * Whether a bound UDP socket may receive a datagram from {@code source}: the check run on the
     * I/O thread for every inbound datagram, so implementations must not allocate per call (the
     * policy engine decides without building an explanation and counts the refusal).
     */
    default boolean allowsDatagramFrom(Owner owner, InetSocketAddress source, String endpointName) {
        String host = source.getAddress() == null ? source.getHostString() : Addresses.text(source.getAddress());
        return allows(owner, new Access(AccessKind.UDP_RECEIVE, host, endpointName, source));
    }

    /** The quotas that apply to {@code owner}. */
    Quotas quotas(Owner owner);

    /** Allows everything, with generous quotas. Never used by the OSGi components. */
    SocketPolicy ALLOW_ALL = new SocketPolicy() {
        @Override
        public void check(Owner owner, Access access) {
        }

        @Override
        public Quotas quotas(Owner owner) {
            return Quotas.UNLIMITED;
        }
    };
}
