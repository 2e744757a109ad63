package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;

import javax.net.ssl.SSLSocketFactory;

import org.rawsockets.socket.TcpSocketOptions;

/**
 * {@link org.rawsockets.socket.SocketService#sslSocketFactory(TcpSocketOptions)}: makes
 * {@link ServiceSslSocket}s of one bundle's service, or layers one over a {@link ServiceSocket}.
 */
public final class ServiceSslSocketFactory extends SSLSocketFactory {

    private final NetBackend backend;
    private final TcpSocketOptions options;
    private final TlsSettings defaults;

    public ServiceSslSocketFactory(NetBackend backend, TcpSocketOptions options) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.options = Objects.requireNonNull(options, "options");
        this.defaults = new TlsSettings(options.tls());
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return defaults.enabledCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return defaults.supportedCipherSuites();
    }

    /** An unconnected socket; TLS starts after {@code connect}, at the handshake. */
    @Override
    public Socket createSocket() throws SocketException {
        return new ServiceSslSocket(new ServiceSocket(backend, options), options.tls(), null, true);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Objects.requireNonNull(host, "host");
        return connected(InetSocketAddress.createUnresolved(host, port), ServiceSocket.isLiteral(host) ? null : host);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Objects.requireNonNull(host, "host");
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Objects.requireNonNull(host, "host");
        return connected(InetSocketAddress.createUnresolved(host, port), ServiceSocket.isLiteral(host) ? null : host,
                ServiceSocketFactory.bindpoint(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Objects.requireNonNull(address, "address");
        return connected(new InetSocketAddress(address, port), null, ServiceSocketFactory.bindpoint(localAddress, localPort));
    }

    /**
     * Layers TLS over {@code s} (STARTTLS): {@code s} must be a connected socket of a socket
     * service's {@code socketFactory}; {@code host} is the name for SNI and verification.
     */
    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        Objects.requireNonNull(s, "socket");
        if (!(s instanceof ServiceSocket base)) {
            throw new SocketException("the socket service's SSLSocketFactory layers TLS only over sockets made by a"
                    + " socket service's socketFactory(); " + s.getClass().getName() + " " + s
                    + " was opened outside the socket service (and outside its policy)");
        }
        if (!s.isConnected()) {
            throw new SocketException("cannot layer TLS over an unconnected socket");
        }
        String peer = host == null || ServiceSocket.isLiteral(host) ? null : host;
        return new ServiceSslSocket(base, options.tls(), peer, autoClose);
    }

    private Socket connected(InetSocketAddress a, String peerHost) throws IOException {
        return connected(a, peerHost, null);
    }

    private Socket connected(InetSocketAddress a, String peerHost, InetSocketAddress local) throws IOException {
        ServiceSocket base = new ServiceSocket(backend, options);
        base.bind(local);
        base.connect(a);
        String h = a.getHostString();
        String peer = peerHost != null ? peerHost : h != null && !ServiceSocket.isLiteral(h) ? h : null;
        return new ServiceSslSocket(base, options.tls(), peer, true);
    }

    @Override
    public String toString() {
        return "SSLSocketFactory[socket service of " + backend.owner() + ", " + options + "]";
    }
}
