package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapTimeoutException;

/**
 * DTLS 1.2 Connection ID (RFC 9146) and NAT rebinding: Californium's own DTLS server in the test JVM
 * (it gives each client a 6-byte id) behind a relay that plays a NAT — it forwards the client's
 * datagrams to the server from one port, then from another (a new mapping), and the server's answers
 * back. With the id the session goes on after the rebinding: no new handshake, the records carry the
 * id (content type 25, tls12_cid) and the answers come back. Without it (dtlsConnectionId = false) the
 * server does not know the new address and the request times out.
 */
class ConnectionIdTest extends CoapTestSupport {

    static {
        CoapConfig.register();
        DtlsConfig.register();
    }

    /** Californium's CoAP server over Scandium with PSK and Connection IDs; /hello counts its requests. */
    static final class CidServer implements AutoCloseable {
        final CoapServer server;
        final CoapEndpoint endpoint;
        final AtomicReference<InetSocketAddress> lastPeer = new AtomicReference<>();

        CidServer() {
            Configuration config = new Configuration();
            DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                    .setAddress(new InetSocketAddress("127.0.0.1", 0))
                    .set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY)
                    .set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 6)
                    .setAdvancedPskStore(new AdvancedSinglePskStore(DtlsTest.IDENTITY,
                            DtlsTest.KEY.getBytes(StandardCharsets.UTF_8)))
                    .build();
            server = new CoapServer(config);
            endpoint = new CoapEndpoint.Builder().setConnector(new DTLSConnector(dtls)).setConfiguration(config).build();
            server.addEndpoint(endpoint);
            AtomicInteger count = new AtomicInteger();
            server.add(new CoapResource("hello") {
                @Override
                public void handleGET(CoapExchange exchange) {
                    lastPeer.set(exchange.getSourceSocketAddress());
                    exchange.respond("hello " + count.incrementAndGet());
                }
            });
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

    /**
     * A NAT on loopback: the client sends to {@link #port()}; its datagrams go to the server from the
     * current outside socket, whose port {@link #rebind()} changes. Counts the client's datagrams by the
     * content type of their first DTLS record.
     */
    static final class RebindingNat implements AutoCloseable {
        final DatagramChannel inside;
        final InetSocketAddress server;
        final Selector selector;
        final Thread thread;
        volatile DatagramChannel outside;
        volatile SocketAddress client;
        final AtomicInteger handshakes = new AtomicInteger();
        final AtomicInteger cidRecords = new AtomicInteger();
        final AtomicInteger plainRecords = new AtomicInteger();

        RebindingNat(int serverPort) throws IOException {
            server = new InetSocketAddress("127.0.0.1", serverPort);
            selector = Selector.open();
            inside = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            inside.configureBlocking(false).register(selector, SelectionKey.OP_READ);
            outside = newOutside();
            thread = new Thread(this::run, "rebinding-nat");
            thread.setDaemon(true);
            thread.start();
        }

        private DatagramChannel newOutside() throws IOException {
            DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            ch.configureBlocking(false);
            selector.wakeup();
            ch.register(selector, SelectionKey.OP_READ);
            return ch;
        }

        int port() {
            return ((InetSocketAddress) inside.socket().getLocalSocketAddress()).getPort();
        }

        int outsidePort() {
            return outside.socket().getLocalPort();
        }

        /** A new mapping: the client's datagrams leave from a new port; answers to the old one still come back. */
        void rebind() throws IOException {
            outside = newOutside();
            handshakes.set(0);
            cidRecords.set(0);
            plainRecords.set(0);
        }

        private void run() {
            ByteBuffer b = ByteBuffer.allocate(2048);
            try {
                while (!Thread.currentThread().isInterrupted() && selector.isOpen()) {
                    selector.select(200);
                    for (SelectionKey k : selector.selectedKeys()) {
                        DatagramChannel ch = (DatagramChannel) k.channel();
                        SocketAddress from;
                        while ((from = ch.receive(b.clear())) != null) {
                            b.flip();
                            if (ch == inside) {
                                client = from;
                                int type = b.get(0) & 0xff;
                                (type == 22 ? handshakes : type == 25 ? cidRecords : plainRecords).incrementAndGet();
                                outside.send(b, server);
                            } else if (client != null) {
                                inside.send(b, client);
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            thread.interrupt();
            selector.close();
            inside.close();
            outside.close();
        }
    }

    CoapClientImpl client(String name, int port, boolean connectionId) {
        return client(CoapSettings.of(name, "127.0.0.1", port).withTimeout(3_000)
                .withDtls(DtlsTest.psk(DtlsTest.IDENTITY, DtlsTest.KEY, 5_000).withConnectionId(connectionId)));
    }

    @Test
    void withAConnectionIdTheSessionSurvivesANatRebinding() throws Exception {
        CidServer server = closing(new CidServer());
        RebindingNat nat = closing(new RebindingNat(server.port()));
        CoapClientImpl c = client("cid", nat.port(), true);
        assertEquals("hello 1", await(c.get("/hello")).text());
        assertTrue(nat.handshakes.get() > 0, "the first request's handshake went through the NAT");
        assertEquals(nat.outsidePort(), server.lastPeer.get().getPort());
        int before = nat.outsidePort();

        nat.rebind();
        assertEquals("hello 2", await(c.get("/hello")).text());
        assertNotEquals(before, nat.outsidePort());
        assertEquals(nat.outsidePort(), server.lastPeer.get().getPort(), "the server answered the new address");
        assertEquals(0, nat.handshakes.get(), "no new handshake after the rebinding");
        assertTrue(nat.cidRecords.get() > 0, "the records carry the server's connection id (tls12_cid)");
        assertEquals(0, nat.plainRecords.get(), "no record without the id");
        assertEquals("hello 3", await(c.get("/hello")).text());
    }

    @Test
    void withoutAConnectionIdTheServerLosesTheClientAtTheRebinding() throws Exception {
        CidServer server = closing(new CidServer());
        RebindingNat nat = closing(new RebindingNat(server.port()));
        CoapClientImpl c = client("nocid", nat.port(), false);
        assertEquals("hello 1", await(c.get("/hello")).text());

        nat.rebind();
        Exception e = assertThrows(Exception.class, () -> await(c.get("/hello")));
        assertInstanceOf(CoapTimeoutException.class, e, String.valueOf(e));
        assertTrue(nat.plainRecords.get() > 0 && nat.cidRecords.get() == 0,
                "plain application records, which the server drops from an unknown address: " + nat.plainRecords);
    }

    /** The property: on by default, false accepted with dtls, refused without. */
    @Test
    void theDtlsConnectionIdPropertyIsChecked() throws Exception {
        java.util.Map<String, Object> props = new java.util.HashMap<>(java.util.Map.of("name", "cidcfg", "host",
                "127.0.0.1", "port", 5683, "dtlsConnectionId", false, "service.pid", DeviceConfig.PID + ".cidcfg"));
        Exception e = assertThrows(org.rawsockets.protocols.config.ConfigRejectedException.class,
                () -> new CoapDeviceComponent(sockets, props, new org.rawsockets.protocols.config.SecretFiles(null),
                        new org.rawsockets.protocols.config.ConfigRegistry(DeviceConfig.PID, "CoAP device"), x -> { }));
        assertTrue(e.getMessage().contains("dtlsConnectionId") && e.getMessage().contains("set without dtls"),
                e.getMessage());
        assertTrue(DtlsTest.psk("id", "key", 5_000).connectionId(), "on by default");
        assertFalse(DtlsTest.psk("id", "key", 5_000).withConnectionId(false).connectionId());
    }
}
