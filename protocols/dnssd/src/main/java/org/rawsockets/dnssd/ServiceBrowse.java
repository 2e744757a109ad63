package org.rawsockets.dnssd;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A running browse: the events of one service type in arrival order, from a bounded buffer
 * (events beyond it are dropped and counted; {@link #services()} stays exact).
 */
@ProviderType
public interface ServiceBrowse extends AutoCloseable {

    /** The full service type, e.g. {@code _ipp._tcp.local}. */
    String serviceType();

    /**
     * The next event, waiting at most {@code timeout}; empty when none came in time or the browse
     * is closed.
     *
     * @throws DnsSdException when the browse failed (the mDNS socket could not be opened or
     *         broke); the browse is then closed
     */
    Optional<ServiceEvent> next(Duration timeout) throws DnsSdException, InterruptedException;

    /** The instances known now, sorted by instance name. */
    List<ServiceInfo> services();

    /** Events dropped because the buffer was full. */
    long droppedEvents();

    /** Stops the browse; idempotent. */
    @Override
    void close();
}
