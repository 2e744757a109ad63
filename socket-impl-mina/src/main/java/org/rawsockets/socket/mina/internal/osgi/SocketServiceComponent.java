package org.rawsockets.socket.mina.internal.osgi;

import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * The {@link SocketService}, with bundle scope: each using bundle gets its own instance, owned by
 * that bundle. When the bundle releases the service (or stops), every socket it opened is closed and
 * its pending opens fail with {@code SocketClosedException}.
 */
@Component(service = SocketService.class, scope = ServiceScope.BUNDLE)
public final class SocketServiceComponent implements SocketService {

    private final MinaSocketEngine.OwnedSocketService owned;

    @Activate
    public SocketServiceComponent(@Reference SocketEngineComponent engine, ComponentContext context) {
        Bundle b = context.getUsingBundle();
        Owner owner = b == null ? Owner.of(-1, "unknown") : Owner.of(b);
        this.owned = engine.engine().serviceFor(owner);
    }

    @Deactivate
    void deactivate() {
        owned.close();
    }

    @Override
    public TcpSocket openTcp(String remoteAddress, int remotePort, TcpSocketOptions options) {
        return owned.openTcp(remoteAddress, remotePort, options);
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> checkTcp(String remoteAddress, int remotePort,
            org.rawsockets.socket.DnsQueryType dnsQueryType) {
        return owned.checkTcp(remoteAddress, remotePort, dnsQueryType);
    }

    @Override
    public TcpSocket openTcpEndpoint(String endpointName, TcpSocketOptions options) {
        return owned.openTcpEndpoint(endpointName, options);
    }

    @Override
    public UdpSocket openUdp(UdpSocketOptions options) {
        return owned.openUdp(options);
    }

    @Override
    public UdpSocket openUdpEndpoint(String endpointName, UdpSocketOptions options) {
        return owned.openUdpEndpoint(endpointName, options);
    }

    @Override
    public TcpServerSocket listenTcp(TcpServerSocketOptions options) {
        return owned.listenTcp(options);
    }

    @Override
    public javax.net.SocketFactory socketFactory(TcpSocketOptions options) {
        return owned.socketFactory(options);
    }

    @Override
    public javax.net.ssl.SSLSocketFactory sslSocketFactory(TcpSocketOptions options) {
        return owned.sslSocketFactory(options);
    }

    @Override
    public List<SocketInfo> sockets() {
        return owned.sockets();
    }

    @Override
    public List<EndpointInfo> endpoints() {
        return owned.endpoints();
    }

    @Override
    public String toString() {
        return "SocketService[" + owned.owner() + "]";
    }
}
