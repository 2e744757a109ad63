package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapHandshakeException;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapResponse;
import org.rawsockets.coap.CoapTransportException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;

/**
 * coaps: Scandium's DTLS 1.2 client with a pre-shared key on the socket service's UdpSocket, against
 * libcoap's {@code coap-server-openssl} (OpenSSL's DTLS) started on free loopback ports;
 * {@code coap-client-openssl} as cross-check. The handshake and every record go through the service's
 * socket (its counters and the server's answers show it), a refused socket stops everything before
 * a datagram, and failed handshakes are typed and bounded.
 */
class DtlsTest extends CoapTestSupport {

    static final String IDENTITY = "rawsockets-gw";
    static final String KEY = "s3cret-psk-for-the-test";

    static DtlsSettings psk(String identity, String key, long handshakeMillis) {
        return new DtlsSettings(identity, "test.psk", () -> key.getBytes(StandardCharsets.UTF_8), handshakeMillis,
                List.of());
    }

    CoapClientImpl dtlsClient(String name, int port, String key, long handshakeMillis) {
        return client(CoapSettings.of(name, "127.0.0.1", port).withTimeout(30_000)
                .withDtls(psk(IDENTITY, key, handshakeMillis)));
    }

    @Test
    void getPutAndBlockwiseOverDtlsOnTheSocketServicesSocket() throws Exception {
        Libcoap server = closing(Libcoap.startDtls(KEY));
        CoapClientImpl c = dtlsClient("secure", server.dtlsPort(), KEY, 5_000);
        try {
            CoapResponse root = await(c.get("/"));
            assertEquals("2.05", root.code(), server.log());
            assertTrue(root.text().contains("libcoap"), root.text());
            // PUT through this client over DTLS, read back by coap-client-openssl over its own DTLS session
            assertEquals("2.01", await(c.put("/example_data", "over dtls".getBytes(StandardCharsets.UTF_8),
                    CoapRequest.TEXT_PLAIN)).code());
            Libcoap.Result read = server.dtlsClient(IDENTITY, KEY, "/example_data");
            assertEquals(0, read.exit(), read.output());
            assertTrue(read.output().contains("over dtls"), read.output());
            // block-wise both ways inside the DTLS session (64 KiB in 1 KiB blocks)
            byte[] body = CaliforniumServerTest.random(64 * 1024, 7);
            assertTrue(await(c.put("/example_data", body, CoapRequest.OCTET_STREAM)).isSuccess());
            CoapResponse got = await(c.get("/example_data"));
            assertEquals("2.05", got.code());
            assertArrayEquals(body, got.payload());

            // every datagram went through the service's one connected UDP socket of this bundle
            DtlsSocketConnector connector = (DtlsSocketConnector) c.running().join().connector();
            List<SocketInfo> mine = sockets.sockets().stream()
                    .filter(s -> s.remote().map(r -> r.getPort() == server.dtlsPort()).orElse(false)).toList();
            assertEquals(1, mine.size(), sockets.sockets().toString());
            SocketInfo s = mine.get(0);
            assertEquals(SocketKind.UDP_CONNECTED, s.kind());
            assertEquals(s.local().orElseThrow(), connector.getAddress(), "Scandium's address is the service socket's");
            // > 64 blocks each way: far more than the handshake, all counted by the service socket
            assertTrue(connector.datagramsSent() > 130 && connector.datagramsReceived() > 130, c.status());
            assertTrue(s.bytesOut() > 64 * 1024 && s.bytesIn() > 64 * 1024, s.toString());
            assertTrue(c.status().startsWith("open coaps, PSK identity 'rawsockets-gw', datagrams sent "), c.status());
        } catch (AssertionError | Exception e) {
            System.err.println(server.log());
            throw e;
        }
    }

    @Test
    void observeOverDtls() throws Exception {
        Libcoap server = closing(Libcoap.startDtls(KEY));
        CoapClientImpl c = dtlsClient("obs", server.dtlsPort(), KEY, 5_000);
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Exception> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        // libcoap's /time is observable and changes every second
        try (var o = await(c.observe(CoapRequest.get("/time"), new org.rawsockets.coap.CoapClient.Listener() {
            @Override
            public void onNotification(CoapResponse n) {
                seen.add(n.text());
            }

            @Override
            public void onError(org.rawsockets.coap.CoapException e) {
                errors.add(e);
            }
        }))) {
            Waits.until(20_000, "3 notifications over coaps", () -> seen.size() >= 3, () -> seen + " " + errors);
        }
        assertTrue(errors.isEmpty(), errors.toString());
        assertTrue(seen.stream().allMatch(t -> t.matches(".*\\d\\d:\\d\\d:\\d\\d.*")), "times: " + seen);
    }

    @Test
    void wrongKeyIsATypedHandshakeFailureInBoundedTime() throws Exception {
        Libcoap server = closing(Libcoap.startDtls("the-servers-other-key"));
        CoapClientImpl c = dtlsClient("wrongkey", server.dtlsPort(), KEY, 3_000);
        long t0 = System.nanoTime();
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")), server::log);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("wrong key after " + millis + " ms: " + e.getMessage());
        assertEquals(CoapHandshakeException.Reason.WRONG_KEY, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("coap wrongkey (127.0.0.1:" + server.dtlsPort() + "): CON GET /: DTLS"
                + " handshake with 127.0.0.1:" + server.dtlsPort()), e.getMessage());
        assertTrue(e.getMessage().contains("pre-shared key (secret test.psk)"), e.getMessage());
        assertFalse(e.getMessage().contains(KEY), "never the key: " + e.getMessage());
        assertTrue(millis < 3_000 + 5_000, "failed after " + millis + " ms, handshakeTimeoutMillis 3000");
        // the right key works on the same server: the failure was the key, not the server
        assertEquals(0, server.dtlsClient(IDENTITY, "the-servers-other-key", "/").exit());
    }

    @Test
    void noCommonCipherSuiteIsATypedRefusal() throws Exception {
        Libcoap server = closing(Libcoap.startDtls(KEY));
        // Scandium's ECDHE-PSK with CCM_8 (0xD003) is not one OpenSSL implements
        CoapClientImpl c = client(CoapSettings.of("nocipher", "127.0.0.1", server.dtlsPort()).withTimeout(30_000)
                .withDtls(new DtlsSettings(IDENTITY, "test.psk", () -> KEY.getBytes(StandardCharsets.UTF_8), 20_000,
                        List.of("TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256"))));
        long t0 = System.nanoTime();
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")), server::log);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("no common cipher after " + millis + " ms: " + e.getMessage());
        assertEquals(CoapHandshakeException.Reason.NO_COMMON_CIPHER, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("refused (alert handshake_failure): no cipher suite in common"),
                e.getMessage());
        // the reason comes from OpenSSL's alert (the deadline would be TIMEOUT); 0.6 s idle, 6 s seen under load
        assertTrue(millis < 20_000, "before the handshake deadline: " + millis + " ms");
    }

    @Test
    void noDtlsServerTimesOutTypedAfterTheHandshakeDeadline() throws Exception {
        // a peer that reads but never answers: the ClientHello arrives through the service's socket
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            silent.setSoTimeout(10_000);
            CoapClientImpl c = dtlsClient("silent", silent.getLocalPort(), KEY, 1_500);
            long t0 = System.nanoTime();
            var pending = c.get("/").toCompletableFuture();
            DatagramPacket hello = new DatagramPacket(new byte[2048], 2048);
            silent.receive(hello);
            assertEquals(22, hello.getData()[0], "a DTLS handshake record");
            assertEquals(1, hello.getData()[13], "ClientHello");
            CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(pending));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("silent peer after " + millis + " ms: " + e.getMessage());
            assertEquals(CoapHandshakeException.Reason.TIMEOUT, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("did not complete within handshakeTimeoutMillis 1500 ms"),
                    e.getMessage());
            assertTrue(millis >= 1_400 && millis < 1_500 + 5_000, "failed after " + millis + " ms");
            assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()),
                    c.running().join().connector().peer());
        }
    }

    @Test
    void theDatagramSocketHandedToScandiumIsOnlyAViewOfTheServiceSocket() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(10_000);
            org.rawsockets.socket.UdpSocket socket = sockets.openUdp(
                    org.rawsockets.socket.UdpSocketOptions.connected("127.0.0.1", peer.getLocalPort()));
            var info = await(socket.opened());
            UdpSocketDatagrams view = new UdpSocketDatagrams(socket, info, "view", () -> { });
            try {
                assertEquals(info.localAddress(), view.getLocalSocketAddress());
                assertTrue(view.isBound() && view.isConnected() && !view.isClosed());
                // what Scandium does not call reaches the JDK's implementation, which refuses: no OS socket
                java.net.SocketException e = assertThrows(java.net.SocketException.class, view::getTrafficClass);
                assertTrue(e.getMessage().contains("socket service only"), e.getMessage());
                assertThrows(java.net.SocketException.class, () -> view.bind(null));
                // a send is a write on the service's socket, counted by it
                byte[] hello = "x".getBytes(StandardCharsets.UTF_8);
                view.send(new DatagramPacket(hello, 1, new InetSocketAddress("127.0.0.1", peer.getLocalPort())));
                DatagramPacket got = new DatagramPacket(new byte[16], 16);
                peer.receive(got);
                assertEquals(info.localAddress().getPort(), got.getPort());
                assertEquals(1, view.datagramsSent());
                Waits.until(10_000, "the service socket to count the datagram", () -> sockets.sockets().stream()
                        .anyMatch(i -> i.local().equals(java.util.Optional.of(info.localAddress()))
                                && i.bytesOut() == 1), sockets::sockets);
                // to anywhere else: refused before the service
                assertThrows(java.net.SocketException.class, () -> view.send(new DatagramPacket(hello, 1,
                        new InetSocketAddress("127.0.0.1", peer.getLocalPort() == 9 ? 10 : 9))));
            } finally {
                view.close();
            }
            assertTrue(view.isClosed());
            await(socket.closed());
        }
    }

    @Test
    void aRefusedSocketStopsTheHandshakeBeforeAnyDatagram() throws Exception {
        Libcoap server = closing(Libcoap.startDtls(KEY));
        // the real policy with no grant at all: opening the connected socket is refused
        MinaSocketEngine strict = new MinaSocketEngine(EngineConfig.defaults(), new PolicyEngine(
                PolicySettings.ofGrants(false), owner -> GroupProbe.DECLARATIONS), AuditLog.NONE, HostResolver.JDK);
        try (MinaSocketEngine.OwnedSocketService s = strict.serviceFor(Owner.of(1, "org.rawsockets.coap"));
                CoapClientImpl c = new CoapClientImpl(CoapSettings.of("refused", "127.0.0.1", server.dtlsPort())
                        .withDtls(psk(IDENTITY, KEY, 5_000)), s)) {
            CoapTransportException e = assertThrows(CoapTransportException.class, () -> await(c.get("/")));
            assertTrue(e.getCause() instanceof NotAllowedException, String.valueOf(e.getCause()));
            assertTrue(e.getMessage().startsWith("coap refused (127.0.0.1:" + server.dtlsPort()
                    + "): CON GET /: cannot open the UDP socket: "), e.getMessage());
            assertTrue(s.sockets().stream().allMatch(i -> i.bytesOut() == 0), s.sockets().toString());
        } finally {
            strict.close();
        }
    }
}
