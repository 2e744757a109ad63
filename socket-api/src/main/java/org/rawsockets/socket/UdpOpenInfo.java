package org.rawsockets.socket;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link UdpSocket#opened()} completes with.
 *
 * @param remoteAddress the resolved peer in connected mode, {@code null} in bound mode
 * @param localAddress the local address and (actual) port
 */
public record UdpOpenInfo(InetSocketAddress remoteAddress, InetSocketAddress localAddress) {

    public UdpOpenInfo {
        Objects.requireNonNull(localAddress, "localAddress");
    }

    public Optional<InetSocketAddress> remote() {
        return Optional.ofNullable(remoteAddress);
    }
}
