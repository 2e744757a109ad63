package org.rawsockets.socket;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Operator view over every socket of every bundle: what the shell commands and a status page use.
 * A singleton service, meant for management code, not for protocol bundles.
 */
@ProviderType
public interface SocketAdmin {

    /** All sockets open or opening, of all bundles, ordered by id. */
    List<SocketInfo> sockets();

    /** One socket by id. */
    Optional<SocketInfo> socket(long id);

    /**
     * Closes a socket by id, as if its owner had called {@code close()}.
     *
     * @return the socket's {@code closed()} stage, or empty when no socket has that id
     */
    Optional<CompletionStage<Void>> close(long id);

    /** The named endpoints the operator configured. */
    List<EndpointInfo> endpoints();

    /**
     * What TLS negotiated on a socket: the handshake's result once it completed (at the open with
     * {@code TlsMode.ON}, after {@code startTls()} with {@code STARTTLS}).
     *
     * @return empty when no socket has that id, the socket speaks no TLS, or its handshake has not
     *         completed
     * @since 1.3.0
     */
    default Optional<TlsInfo> tls(long id) {
        return Optional.empty();
    }

    /**
     * What every owner that holds its socket service uses of its quotas (open sockets, opens in
     * progress, buffered bytes) against the policy's limits for it, in no particular order.
     *
     * @return one entry per owner (bundle, or bundle for a web origin) whose service is in use
     * @since 1.4
     */
    default List<QuotaUse> quotaUse() {
        return List.of();
    }
}
