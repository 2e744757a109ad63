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

    /** Refused unless the local address is left to the system: the service does not bind clients. */
    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        checkLocal(localHost, localPort);
        return createSocket(host, port);
    }

    /** Refused unless the local address is left to the system: the service does not bind clients. */
    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        checkLocal(localAddress, localPort);
        return createSocket(address, port);
    }

    private Socket connected(InetSocketAddress a) throws IOException {
        ServiceSocket s = new ServiceSocket(backend, options);
        s.connect(a);
        return s;
    }

    static void checkLocal(InetAddress local, int port) throws SocketException {
        if ((local != null && !local.isAnyLocalAddress()) || port != 0) {
            throw new SocketException("binding a client socket to " + local + ":" + port + " is not supported by the"
                    + " socket service (the operating system picks the local address and port)");
        }
    }

    @Override
    public String toString() {
        return "SocketFactory[socket service of " + backend.owner() + ", " + options + "]";
    }
}
