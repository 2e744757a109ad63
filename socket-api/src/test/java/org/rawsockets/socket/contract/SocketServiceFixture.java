package org.rawsockets.socket.contract;

import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketService;

/**
 * What an implementation supplies to run the contract suite: a way to obtain {@link SocketService}
 * instances for distinct owners (as bundle-scoped OSGi services would hand them out), to release
 * them (as the framework does when a bundle ungets the service or stops), and the operator view.
 *
 * <p>One fixture is created per test method ({@link ContractSupport#createFixture()}) and closed
 * after it; closing must release every socket and thread it created.
 */
public interface SocketServiceFixture extends AutoCloseable {

    /** A fresh service instance owned by {@code ownerName} (a bundle symbolic name). */
    SocketService open(String ownerName);

    /**
     * Releases {@code service} as the OSGi framework would when its bundle releases it: every socket
     * it opened is closed and every pending open fails with
     * {@link org.rawsockets.socket.SocketClosedException}.
     */
    void release(SocketService service);

    /** The operator view over all owners of this fixture. */
    SocketAdmin admin();

    /**
     * Upper bound, in bytes, of what the implementation buffers per socket in each direction
     * (unread received bytes; queued unsent bytes) before backpressure applies. The backpressure
     * tests allow this plus one network read/write chunk of slack.
     */
    long bufferBound();

    /**
     * Configures a named endpoint (what an operator does with a Config Admin factory
     * configuration). Implementations that cannot be configured from a test keep the default, and
     * the endpoint tests are skipped with that reason.
     */
    default void configureEndpoint(EndpointInfo endpoint) {
        throw new UnsupportedOperationException("this fixture cannot configure named endpoints");
    }

    /**
     * A fresh service instance owned by {@code ownerName} whose policy refuses every connection,
     * as a policy without a grant for it would: for the tests of how a refusal reaches the caller.
     * A fixture that cannot configure a policy keeps the default, and those tests fail.
     */
    default SocketService openRefused(String ownerName) {
        throw new UnsupportedOperationException("this fixture cannot make a service whose policy refuses");
    }

    /** Closes everything the fixture created (all services, sockets and threads). */
    @Override
    void close();
}
