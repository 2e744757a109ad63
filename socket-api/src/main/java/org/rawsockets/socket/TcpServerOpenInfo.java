package org.rawsockets.socket;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What {@link TcpServerSocket#opened()} completes with.
 *
 * @param localAddress the bound address and actual port
 */
public record TcpServerOpenInfo(InetSocketAddress localAddress) {
    public TcpServerOpenInfo {
        Objects.requireNonNull(localAddress, "localAddress");
    }
}
