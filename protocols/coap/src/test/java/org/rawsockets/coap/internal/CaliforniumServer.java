package org.rawsockets.coap.internal;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/**
 * Californium's own CoAP server in the test JVM on its own UDP connector (a real, independent peer
 * of the client under test: separate endpoint, separate socket) on 127.0.0.1 and a free port.
 */
final class CaliforniumServer implements AutoCloseable {

    static {
        CoapConfig.register();
        UdpConfig.register();
    }

    final CoapServer server;
    final CoapEndpoint endpoint;

    CaliforniumServer(CoapResource... resources) {
        Configuration config = new Configuration();
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 4 * 1024 * 1024);
        config.set(CoapConfig.BLOCKWISE_STATUS_LIFETIME, 120, TimeUnit.SECONDS);
        server = new CoapServer(config);
        endpoint = new CoapEndpoint.Builder().setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0))
                .setConfiguration(config).build();
        server.addEndpoint(endpoint);
        server.add(resources);
        server.start();
    }

    int port() {
        return endpoint.getAddress().getPort();
    }

    @Override
    public void close() {
        server.destroy();
    }
}
