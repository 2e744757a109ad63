package org.rawsockets.socket;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A {@link SocketService} acting for one web origin (see {@link OriginSocketServices}). Closing it
 * closes every socket opened through it and fails its pending opens; it is then refused for new
 * opens. Idempotent.
 *
 * @since 1.2
 */
@ProviderType
public interface OriginSocketService extends SocketService, AutoCloseable {

    /** The origin this service acts for. */
    String origin();

    /** The authenticated client, or {@code null}. */
    String client();

    @Override
    void close();
}
