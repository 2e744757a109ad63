package org.rawsockets.socket.mina.libraries;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * The glue a bundle needs for JDBC drivers, which instantiate the socket factory from a class name
 * ({@code socketFactory}/{@code sslfactory} connection properties) with one string argument
 * ({@code socketFactoryArg}/{@code sslfactoryarg}): the bundle registers its service's factories
 * under a key and passes the key.
 */
final class JdbcSocketFactories {

    static final Map<String, SocketFactory> PLAIN = new ConcurrentHashMap<>();
    static final Map<String, SSLSocketFactory> TLS = new ConcurrentHashMap<>();

    private JdbcSocketFactories() {
    }

    /** For the driver's {@code socketFactory} property. */
    public static final class Plain extends SocketFactory {
        private final SocketFactory d;

        public Plain(String key) {
            d = Objects.requireNonNull(PLAIN.get(key), () -> "no socket factory registered under " + key);
        }

        @Override
        public Socket createSocket() throws IOException {
            return d.createSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return d.createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return d.createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return d.createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return d.createSocket(address, port, localAddress, localPort);
        }
    }

    /** For the driver's {@code sslfactory} property: TLS layered over the plain socket (STARTTLS). */
    public static final class Tls extends SSLSocketFactory {
        private final SSLSocketFactory d;

        public Tls(String key) {
            d = Objects.requireNonNull(TLS.get(key), () -> "no SSL socket factory registered under " + key);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return d.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return d.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return d.createSocket(s, host, port, autoClose);
        }

        @Override
        public Socket createSocket() throws IOException {
            return d.createSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return d.createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return d.createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return d.createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return d.createSocket(address, port, localAddress, localPort);
        }
    }
}
