package org.rawsockets.socket;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link TcpSocket#opened()} completes with.
 *
 * @param remoteAddress the address actually connected: the resolved IP and the port
 * @param localAddress the local address and port
 * @param tlsInfo what TLS negotiated, {@code null} for plain TCP (including a {@code starttls}
 *            socket before the upgrade)
 */
public record TcpOpenInfo(InetSocketAddress remoteAddress, InetSocketAddress localAddress,
        TlsInfo tlsInfo) {

    public TcpOpenInfo {
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(localAddress, "localAddress");
    }

    /** TLS details, when the socket speaks TLS. */
    public Optional<TlsInfo> tls() {
        return Optional.ofNullable(tlsInfo);
    }
}
