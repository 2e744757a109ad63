package org.rawsockets.socket.mina.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.OriginSocketService;
import org.rawsockets.socket.OriginSocketServices;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * {@link OriginSocketServices} of one bundle: one owner (the bundle for the origin) per origin, shared
 * by all the page connections of that origin so that the policy's quotas count per origin; each
 * {@link #forOrigin} service closes only the sockets opened through it.
 */
public final class OriginServices implements OriginSocketServices, AutoCloseable {

    /** A serialised web origin: scheme, host (name, IPv4 or bracketed IPv6), optional port; lower case. */
    private static final Pattern ORIGIN = Pattern.compile(
            "[a-z][a-z0-9+.-]*://(\\[[0-9a-f:.]+\\]|[a-z0-9_-]+(\\.[a-z0-9_-]+)*)(:[0-9]{1,5})?");

    private final MinaSocketEngine engine;
    private final Owner bundle;
    private final Map<String, Shared> byOrigin = new HashMap<>();
    private boolean closed;

    private static final class Shared {
        final MinaSocketEngine.OwnedSocketService service;
        int users;

        Shared(MinaSocketEngine.OwnedSocketService service) {
            this.service = service;
        }
    }

    public OriginServices(MinaSocketEngine engine, Owner bundle) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.bundle = Objects.requireNonNull(bundle, "bundle");
    }

    /** Checks a serialised origin. */
    public static String checkOrigin(String origin) {
        if (origin == null || !ORIGIN.matcher(origin).matches()) {
            throw new IllegalArgumentException("origin must be a serialised web origin <scheme>://<host>[:<port>] in"
                    + " lower case without path (as the Origin header), e.g. https://hmi.example.com, was '" + origin + "'");
        }
        return origin;
    }

    @Override
    public OriginSocketService forOrigin(String origin, String client) {
        checkOrigin(origin);
        Shared s;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the origin socket services of bundle " + bundle + " were released");
            }
            s = byOrigin.computeIfAbsent(origin, o -> new Shared(engine.serviceFor(bundle.forOrigin(o))));
            s.users++;
        }
        return new Connection(s, origin, client);
    }

    private void release(String origin, Shared s) {
        boolean last;
        synchronized (this) {
            last = --s.users == 0 && byOrigin.remove(origin, s);
        }
        if (last) {
            s.service.close();
        }
    }

    /** Closes every origin's sockets. */
    @Override
    public void close() {
        List<Shared> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(byOrigin.values());
            byOrigin.clear();
        }
        for (Shared s : all) {
            s.service.close();
        }
    }

    /** One page connection's service: tracks its sockets to close them with it. */
    private final class Connection implements OriginSocketService {
        private final Shared shared;
        private final String origin;
        private final String client;
        private final Set<Supplier<CompletionStage<Void>>> open = ConcurrentHashMap.newKeySet();
        private volatile boolean released;

        Connection(Shared shared, String origin, String client) {
            this.shared = shared;
            this.origin = origin;
            this.client = client;
        }

        private void check() {
            if (released) {
                throw new IllegalStateException("the socket service for origin " + origin + " was closed");
            }
        }

        private <T> T track(T socket, Supplier<CompletionStage<Void>> close, CompletionStage<Void> closed) {
            open.add(close);
            closed.whenComplete((v, e) -> open.remove(close));
            if (released) {
                close.get();
            }
            return socket;
        }

        @Override
        public TcpSocket openTcp(String remoteAddress, int remotePort, TcpSocketOptions options) {
            check();
            TcpSocket s = shared.service.openTcp(remoteAddress, remotePort, options);
            return track(s, s::close, s.closed());
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> checkTcp(String remoteAddress, int remotePort,
                org.rawsockets.socket.DnsQueryType dnsQueryType) {
            check();
            return shared.service.checkTcp(remoteAddress, remotePort, dnsQueryType);
        }

        @Override
        public TcpSocket openTcpEndpoint(String endpointName, TcpSocketOptions options) {
            check();
            TcpSocket s = shared.service.openTcpEndpoint(endpointName, options);
            return track(s, s::close, s.closed());
        }

        @Override
        public UdpSocket openUdp(UdpSocketOptions options) {
            check();
            UdpSocket s = shared.service.openUdp(options);
            return track(s, s::close, s.closed());
        }

        @Override
        public UdpSocket openUdpEndpoint(String endpointName, UdpSocketOptions options) {
            check();
            UdpSocket s = shared.service.openUdpEndpoint(endpointName, options);
            return track(s, s::close, s.closed());
        }

        @Override
        public TcpServerSocket listenTcp(TcpServerSocketOptions options) {
            check();
            TcpServerSocket s = shared.service.listenTcp(options);
            return track(s, s::close, s.closed());
        }

        @Override
        public javax.net.SocketFactory socketFactory(TcpSocketOptions options) {
            throw new UnsupportedOperationException("socket factories are not offered for web origins: open sockets"
                    + " with openTcp so that they close with the page's connection");
        }

        @Override
        public javax.net.ssl.SSLSocketFactory sslSocketFactory(TcpSocketOptions options) {
            throw new UnsupportedOperationException("socket factories are not offered for web origins: open sockets"
                    + " with openTcp so that they close with the page's connection");
        }

        @Override
        public List<SocketInfo> sockets() {
            return shared.service.sockets();
        }

        @Override
        public List<EndpointInfo> endpoints() {
            return shared.service.endpoints();
        }

        @Override
        public String origin() {
            return origin;
        }

        @Override
        public String client() {
            return client;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
            }
            for (Supplier<CompletionStage<Void>> c : List.copyOf(open)) {
                c.get();
            }
            release(origin, shared);
        }

        @Override
        public String toString() {
            return "SocketService[" + shared.service.owner() + (client == null ? "" : ", client " + client) + "]";
        }
    }
}
