package org.rawsockets.webbridge.internal.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.contract.TestPki;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.OriginServices;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;
import org.rawsockets.webbridge.internal.protocol.Frame;
import org.rawsockets.webbridge.internal.session.Limits;

/**
 * STARTTLS over the bridge (docs/direct-sockets-bridge.md): a page opens {@code tls=starttls}, talks
 * plain text with a real STARTTLS server on loopback ({@link StartTlsPeer}), sends the STARTTLS frame
 * after the server's go-ahead and goes on over TLS. Trust is the operator's: the named endpoint
 * {@code mail} trusts the test CA; the same server by address (JDK trust store) is refused with
 * NetworkError TLS_CERTIFICATE.
 */
class StartTlsBridgeTest {

    static final String ORIGIN = "https://hmi.example.com";

    private final String token = Tokens.newToken();
    private StartTlsPeer peer;
    private java.net.ServerSocket silent; // accepts (in the kernel) and never answers: a handshake that stays pending
    private MinaSocketEngine engine;
    private OriginServices origins;
    private BridgeEndpoints endpoints;
    private Server jetty;
    private URI uri;

    @BeforeEach
    void start() throws Exception {
        peer = new StartTlsPeer();
        silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        PolicyEngine policy = new PolicyEngine(PolicySettings.from(Map.of(
                "grant.mail", "origin:" + ORIGIN + " tcp 127.0.0.1 " + peer.port(),
                "grant.silent", "origin:" + ORIGIN + " tcp 127.0.0.1 " + silent.getLocalPort())),
                o -> "TCP;host=\"*\";ports=\"*\"");
        engine = new MinaSocketEngine(EngineConfig.defaults(), policy, AuditLog.NONE, HostResolver.JDK);
        TestPki pki = TestPki.get();
        engine.putEndpoint(new MinaSocketEngine.Endpoint(new EndpointInfo("mail", "127.0.0.1", peer.port(),
                TlsMode.STARTTLS, null, "the test's STARTTLS server"), pki.read(pki.caPem())));
        origins = new OriginServices(engine, Owner.of(12, "org.rawsockets.webbridge"));
        endpoints = new BridgeEndpoints(origins, new Admission(List.of(ORIGIN),
                Tokens.parse(new String[] {Tokens.entry("alice", token, null)}, Clock.systemUTC())), Limits.DEFAULTS);
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        jetty.setHandler(context);
        JakartaWebSocketServletContainerInitializer.configure(context,
                (servletContext, container) -> container.addEndpoint(endpoints.config("/direct-sockets")));
        jetty.start();
        uri = URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/direct-sockets");
    }

    @AfterEach
    void stop() throws Exception {
        endpoints.closeAll();
        jetty.stop();
        origins.close();
        engine.close();
        peer.close();
        silent.close();
    }

    private WsClient page() throws Exception {
        return WsClient.connect(uri, ORIGIN, token).get(60, TimeUnit.SECONDS);
    }

    /** Reads DATA frames of socket 1 until {@code expected} arrived; any other frame fails. */
    private static void expectText(WsClient page, String expected) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < expected.length()) {
            WsClient.Got g = page.nextNonCredit();
            assertEquals(Frame.DATA, g.type(), "waiting for '" + expected.strip() + "', got " + g + " " + g.text()
                    + " after '" + got + "'");
            got.write(g.payload());
        }
        assertEquals(expected, got.toString(StandardCharsets.UTF_8));
    }

    private static ByteBuffer data(String text) {
        return Frame.encode(Frame.DATA, 1, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The plain greeting and the STARTTLS command, up to the server's go-ahead. */
    private static void plainPart(WsClient page, String open, String startTls) throws Exception {
        page.send(Frame.encode(Frame.OPEN_TCP, 1, open));
        page.send(Frame.credit(1, 1 << 20));
        WsClient.Got opened = page.nextNonCredit();
        assertEquals(Frame.OPENED, opened.type(), opened.text());
        assertFalse(opened.text().contains("tlsProtocol"), "a starttls connection opens plain: " + opened.text());
        expectText(page, "220 peer ready\r\n");
        page.send(data("STARTTLS\r\n"));
        expectText(page, "220 go ahead\r\n");
        page.send(Frame.encode(Frame.STARTTLS, 1, startTls));
    }

    @Test
    void aPageUpgradesANamedEndpointWithStartTlsAndEchoesOverTls() throws Exception {
        WsClient page = page();
        plainPart(page, "endpoint=mail\ntls=starttls\n", "");
        WsClient.Got started = page.nextNonCredit();
        assertEquals(Frame.TLS_STARTED, started.type(), started + " " + started.text());
        assertTrue(started.text().contains("tlsProtocol=TLSv1.3\n"), started.text());
        assertTrue(started.text().contains("tlsCipherSuite=TLS_"), started.text());
        assertTrue(started.text().contains("remotePort=" + peer.port() + "\n"), started.text());
        assertEquals("tls TLSv1.3", peer.events.poll(60, TimeUnit.SECONDS), "the server's side of the handshake");
        page.send(data("EHLO over tls\r\n"));
        expectText(page, "EHLO over tls\r\n"); // the server echoes only inside TLS
        page.send(Frame.empty(Frame.CLOSE, 1));
        WsClient.Got end = page.nextNonCredit();
        while (end.type() == Frame.END) {
            end = page.nextNonCredit();
        }
        assertEquals(Frame.CLOSE, end.type(), end + " " + end.text());
    }

    @Test
    void theJdkTrustStoreRefusesTheTestCertificateWithATypedError() throws Exception {
        WsClient page = page();
        plainPart(page, "remoteAddress=127.0.0.1\nremotePort=" + peer.port() + "\ntls=starttls\n",
                "serverName=localhost\n"); // the certificate's name: only the trust is missing
        WsClient.Got g = page.nextNonCredit();
        assertEquals(Frame.ERROR, g.type(), g + " " + g.text());
        assertTrue(g.text().startsWith("NetworkError\nTLS_CERTIFICATE\n"), g.text());
        String event = peer.events.poll(60, TimeUnit.SECONDS);
        assertNotNull(event, "the server saw no handshake");
        assertTrue(event.startsWith("handshake failed"), event);
    }

    @Test
    void aServerAnsweringTheHandshakeInPlainTextFailsTheUpgradeWithTlsProtocol() throws Exception {
        peer.plainAfterGoAhead = true;
        WsClient page = page();
        plainPart(page, "endpoint=mail\ntls=starttls\n", "");
        WsClient.Got g = page.nextNonCredit();
        assertEquals(Frame.ERROR, g.type(), g + " " + g.text());
        assertTrue(g.text().startsWith("NetworkError\nTLS_PROTOCOL\n"), g.text());
        assertEquals("answered TLS byte 22 with plain text", peer.events.poll(60, TimeUnit.SECONDS));
    }

    @Test
    void aPageCannotReplaceANamedEndpointsServerName() throws Exception {
        WsClient page = page();
        plainPart(page, "endpoint=mail\ntls=starttls\n", "serverName=localhost\n");
        WsClient.Got g = page.nextNonCredit();
        while (g.type() == Frame.END) { // the refused upgrade closed the connection
            g = page.nextNonCredit();
        }
        assertEquals(Frame.ERROR, g.type(), g + " " + g.text());
        assertTrue(g.text().startsWith("TypeError\n") && g.text().contains("endpoint 'mail'"), g.text());
    }

    @Test
    void dataDuringTheUpgradeOrStartTlsOnAPlainSocketBreakTheProtocol() throws Exception {
        WsClient page = page();
        page.send(Frame.encode(Frame.OPEN_TCP, 1, "remoteAddress=127.0.0.1\nremotePort=" + silent.getLocalPort()
                + "\ntls=starttls\n"));
        page.send(Frame.credit(1, 1 << 20));
        assertEquals(Frame.OPENED, page.nextNonCredit().type());
        page.send(Frame.encode(Frame.STARTTLS, 1, "")); // the silent server never answers the handshake
        page.send(data("too early\r\n"));
        WsClient.Got g = page.nextNonCredit();
        assertEquals(0, g.id(), g + " " + g.text());
        assertTrue(g.text().startsWith("ProtocolError\n") && g.text().contains("DATA during its STARTTLS upgrade"),
                g.text());
        assertTrue(page.awaitClose().startsWith("1002 "));

        WsClient other = page();
        other.send(Frame.encode(Frame.OPEN_TCP, 1, "remoteAddress=127.0.0.1\nremotePort=" + peer.port() + "\n"));
        other.send(Frame.credit(1, 1 << 20));
        assertEquals(Frame.OPENED, other.nextNonCredit().type());
        other.send(Frame.encode(Frame.STARTTLS, 1, ""));
        WsClient.Got e = other.nextNonCredit();
        while (e.type() != Frame.ERROR || e.id() != 0) {
            e = other.nextNonCredit();
        }
        assertTrue(e.text().contains("was not opened with tls=starttls"), e.text());
        assertTrue(other.awaitClose().startsWith("1002 "));
    }
}
