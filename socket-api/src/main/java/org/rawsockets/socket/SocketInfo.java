package org.rawsockets.socket;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one socket's identity, state and counters.
 *
 * @param id unique within the running service, never reused
 * @param owner the owning bundle as {@code symbolicName [bundleId]}
 * @param kind what sort of socket
 * @param destination what was asked for: {@code host:port}, {@code endpoint:name}, or the local
 *            address for bound and server sockets
 * @param localAddress local address once open, else {@code null}
 * @param remoteAddress connected peer once open, {@code null} for bound/server sockets or before
 * @param state life-cycle state
 * @param bytesIn payload bytes received (datagram payloads for UDP)
 * @param bytesOut payload bytes sent
 * @param createdAt when the open was requested
 */
public record SocketInfo(long id, String owner, SocketKind kind, String destination,
        InetSocketAddress localAddress, InetSocketAddress remoteAddress, SocketState state,
        long bytesIn, long bytesOut, Instant createdAt) {

    public SocketInfo {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** The local address, if open. */
    public Optional<InetSocketAddress> local() {
        return Optional.ofNullable(localAddress);
    }

    /** The remote address, if connected. */
    public Optional<InetSocketAddress> remote() {
        return Optional.ofNullable(remoteAddress);
    }
}
