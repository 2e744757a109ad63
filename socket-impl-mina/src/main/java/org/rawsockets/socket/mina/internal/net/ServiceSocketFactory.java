package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;

import javax.net.SocketFactory;

import org.rawsockets.socket.TcpSocketOptions;

/**
 * {@link org.rawsockets.socket.SocketService#socketFactory(TcpSocketOptions)}: makes
 * {@link ServiceSocket}s of one bundle's service.
 */
public final class ServiceSocketFactory extends SocketFactory {

    private final NetBackend backend;
    private final TcpSocketOptions options;

    public ServiceSocketFactory(NetBackend backend, TcpSocketOptions options) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** An unconnected socket. */
    @Override
    public Socket createSocket() throws SocketException {
        return new ServiceSocket(backend, options);
    }

    /** A socket connected to {@code host} (resolved and checked by the service). */
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(InetSocketAddress.createUnresolved(Objects.requireNonNull(host, "host"), port));
    }

    /** A socket connected to exactly {@code host}. */
    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(Objects.requireNonNull(host, "host"), port));
    }

    /** A socket bound to {@code localHost:localPort} (TcpSocketOptions.localAddress/localPort), connected to {@code host}. */
    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(InetSocketAddress.createUnresolved(Objects.requireNonNull(host, "host"), port),
                bindpoint(localHost, localPort));
    }

    /** A socket bound to {@code localAddress:localPort}, connected to exactly {@code address}. */
    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(Objects.requireNonNull(address, "address"), port),
                bindpoint(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress a) throws IOException {
        return connected(a, null);
    }

    private Socket connected(InetSocketAddress a, InetSocketAddress local) throws IOException {
        ServiceSocket s = new ServiceSocket(backend, options);
        s.bind(local);
        s.connect(a);
        return s;
    }

    /** The local end for {@code bind} ({@code null} address: the wildcard; port 0: ephemeral). */
    static InetSocketAddress bindpoint(InetAddress local, int port) {
        return local == null ? new InetSocketAddress(port) : new InetSocketAddress(local, port);
    }

    @Override
    public String toString() {
        return "SocketFactory[socket service of " + backend.owner() + ", " + options + "]";
    }
}
