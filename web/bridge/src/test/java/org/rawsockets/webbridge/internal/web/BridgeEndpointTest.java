package org.rawsockets.webbridge.internal.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
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
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.OriginServices;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;
import org.rawsockets.socket.mina.internal.policy.RingAuditLog;
import org.rawsockets.webbridge.internal.protocol.Frame;
import org.rawsockets.webbridge.internal.session.Limits;

/**
 * The endpoint in an embedded Jetty 12 (the gateway's HTTP server embeds the same Jetty), a JDK
 * WebSocket client as the page, the real socket engine and policy, and a loopback TCP echo.
 */
class BridgeEndpointTest {

    static final String ORIGIN = "https://hmi.example.com";
    static final String TOKEN = Tokens.newToken();
    static final String OLD_TOKEN = Tokens.newToken();

    private ServerSocket echo;
    private ServerSocket ungranted;
    private MinaSocketEngine engine;
    private OriginServices origins;
    private final RingAuditLog audit = new RingAuditLog(100);
    private BridgeEndpoints endpoints;
    private Server jetty;
    private URI uri;

    @BeforeEach
    void start() throws Exception {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::echoLoop, "tcp-echo");
        t.setDaemon(true);
        t.start();
        ungranted = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // listens; no grant covers it
        PolicyEngine policy = new PolicyEngine(PolicySettings.from(Map.of(
                "grant.hmi", "origin:" + ORIGIN + " tcp 127.0.0.1 " + echo.getLocalPort(),
                "quota.hmi", "origin:" + ORIGIN + " maxOpenSockets=3")),
                o -> "TCP;host=\"*\";ports=\"*\",UDP_CONNECTED;host=\"*\";ports=\"*\"");
        engine = new MinaSocketEngine(EngineConfig.defaults(), policy, audit, HostResolver.JDK);
        engine.putEndpoint(new MinaSocketEngine.Endpoint(new EndpointInfo("echo", "127.0.0.1", echo.getLocalPort(),
                TlsMode.OFF, null, "the test's echo"), null));
        engine.putEndpoint(new MinaSocketEngine.Endpoint(new EndpointInfo("elsewhere", "127.0.0.1",
                ungranted.getLocalPort(), TlsMode.OFF, null, "a listener the origin is not granted"), null));
        origins = new OriginServices(engine, Owner.of(12, "org.rawsockets.webbridge"));
        Tokens tokens = Tokens.parse(new String[] {Tokens.entry("alice", TOKEN, null),
                Tokens.entry("bob", OLD_TOKEN, LocalDate.of(2020, 1, 31))}, Clock.system(ZoneOffset.UTC));
        endpoints = new BridgeEndpoints(origins, new Admission(List.of(ORIGIN), tokens), Limits.DEFAULTS);

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

    private void echoLoop() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                Thread c = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        // closed by the test
                    }
                }, "tcp-echo-conn");
                c.setDaemon(true);
                c.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        endpoints.closeAll();
        jetty.stop();
        origins.close();
        engine.close();
        audit.close();
        echo.close();
        ungranted.close();
    }

    private WsClient connect(String origin, String token) throws Exception {
        return WsClient.connect(uri, origin, token).get(60, TimeUnit.SECONDS);
    }

    @Test
    void anAllowedPageEchoesFourMebibytesThroughTheGatewayWithItsOriginInTheSocketList() throws Exception {
        WsClient page = connect(ORIGIN, TOKEN);
        page.send(Frame.encode(Frame.OPEN_TCP, 1, "remoteAddress=127.0.0.1\nremotePort=" + echo.getLocalPort() + "\n"));
        page.send(Frame.credit(1, 1 << 20));
        assertEquals(Frame.OPENED, page.next().type());
        assertTrue(engine.admin().sockets().get(0).owner().endsWith("for origin " + ORIGIN));
        byte[] payload = new byte[4 << 20];
        new Random(9).nextBytes(payload);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        sent.update(payload);
        long credit = 0;
        int off = 0;
        int received = 0;
        long granted = 1 << 20;
        while (received < payload.length) {
            while (off < payload.length && credit > 0) {
                int n = (int) Math.min(Math.min(credit, Frame.MAX_DATA - Frame.HEADER), payload.length - off);
                page.send(Frame.encode(Frame.DATA, 1, ByteBuffer.wrap(payload, off, n)));
                off += n;
                credit -= n;
            }
            WsClient.Got g = page.next();
            if (g.type() == Frame.CREDIT) {
                credit += ByteBuffer.wrap(g.payload()).getInt();
            } else {
                assertEquals(Frame.DATA, g.type(), g.toString());
                got.update(g.payload());
                received += g.payload().length;
                assertTrue(received <= granted);
                page.send(Frame.credit(1, g.payload().length));
                granted += g.payload().length;
            }
        }
        assertTrue(MessageDigest.isEqual(sent.digest(), got.digest()), "the echo differs");
        page.send(Frame.empty(Frame.CLOSE, 1));
        WsClient.Got closed = page.nextNonCredit();
        while (closed.type() == Frame.DATA || closed.type() == Frame.END) {
            closed = page.nextNonCredit();
        }
        assertEquals(Frame.CLOSE, closed.type());
        assertTrue(audit.recent(100).stream().anyMatch(e -> e.outcome() == AuditLog.Outcome.OPENED
                && ORIGIN.equals(e.owner().origin())));
    }

    @Test
    void aRefusedDestinationIsNotAllowedErrorAndTheAuditShowsTheOrigin() throws Exception {
        WsClient page = connect(ORIGIN, TOKEN);
        int other = echo.getLocalPort() == 65535 ? 65534 : echo.getLocalPort() + 1;
        page.send(Frame.encode(Frame.OPEN_TCP, 1, "remoteAddress=127.0.0.1\nremotePort=" + other + "\n"));
        WsClient.Got g = page.next();
        assertEquals(Frame.ERROR, g.type());
        assertTrue(g.text().startsWith("NotAllowedError\n"), g.text());
        assertTrue(g.text().contains("origin:" + ORIGIN + " tcp 127.0.0.1 " + other), g.text());
        assertTrue(audit.recent(100).stream().anyMatch(e -> e.outcome() == AuditLog.Outcome.REFUSED
                && ORIGIN.equals(e.owner().origin())));
    }

    @Test
    void aForeignOriginIsRefusedAtTheHandshakeEvenWithAValidToken() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> WsClient.connect(uri, "https://evil.example.net", TOKEN).get(60, TimeUnit.SECONDS));
        WebSocketHandshakeException h = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
        assertEquals(403, h.getResponse().statusCode());
        ExecutionException none = assertThrows(ExecutionException.class,
                () -> WsClient.connect(uri, null, TOKEN).get(60, TimeUnit.SECONDS));
        assertEquals(403, assertInstanceOf(WebSocketHandshakeException.class, none.getCause()).getResponse().statusCode());
        assertTrue(engine.admin().sockets().isEmpty());
    }

    @Test
    void missingUnknownAndExpiredTokensCloseWith1008AndTheReason() throws Exception {
        assertTrue(connect(ORIGIN, null).awaitClose().matches("1008 no client token.*"));
        assertTrue(connect(ORIGIN, Tokens.newToken()).awaitClose().matches("1008 the client token is not known.*"));
        String expired = connect(ORIGIN, OLD_TOKEN).awaitClose();
        assertTrue(expired.startsWith("1008 the token of client 'bob' expired after 2020-01-31"), expired);
    }

    @Test
    void pagesOpeningSocketsInALoopHitTheirOriginsQuotaAcrossConnections() throws Exception {
        WsClient first = connect(ORIGIN, TOKEN);
        WsClient second = connect(ORIGIN, TOKEN);
        String open = "remoteAddress=127.0.0.1\nremotePort=" + echo.getLocalPort() + "\n";
        int opened = 0;
        int refused = 0;
        for (int id = 1; id <= 4; id++) {
            WsClient page = id % 2 == 0 ? second : first;
            page.send(Frame.encode(Frame.OPEN_TCP, id, open));
            WsClient.Got g = page.nextNonCredit();
            if (g.type() == Frame.OPENED) {
                opened++;
            } else {
                assertEquals(Frame.ERROR, g.type());
                assertTrue(g.text().startsWith("NotAllowedError\n") && g.text().contains("maxOpenSockets (3"), g.text());
                refused++;
            }
        }
        assertEquals(3, opened, "the origin's quota is 3 sockets over both of its connections");
        assertEquals(1, refused);
        assertEquals(3, engine.admin().sockets().size());
    }

    @Test
    void aHundredMegabyteFrameClosesWith1009() throws Exception {
        WsClient page = connect(ORIGIN, TOKEN);
        page.send(ByteBuffer.allocate(Frame.HEADER + 1024).put((byte) Frame.DATA).putInt(1).putInt(100 << 20)
                .put(new byte[1024]).flip());
        WsClient.Got g = page.next();
        assertEquals(Frame.ERROR, g.type());
        assertTrue(g.text().contains("frame too large"), g.text());
        assertTrue(page.awaitClose().startsWith("1009 "));
    }

    @Test
    void aNamedEndpointOpensThroughTheOriginsPolicyAndEchoes() throws Exception {
        WsClient page = connect(ORIGIN, TOKEN);
        page.send(Frame.encode(Frame.OPEN_TCP, 1, "endpoint=echo\nnoDelay=true\n"));
        page.send(Frame.credit(1, 1 << 20));
        WsClient.Got opened = page.nextNonCredit();
        assertEquals(Frame.OPENED, opened.type(), opened.text());
        assertTrue(opened.text().contains("remoteAddress=127.0.0.1\nremotePort=" + echo.getLocalPort() + "\n"),
                opened.text());
        byte[] payload = new byte[100_000];
        new Random(19).nextBytes(payload);
        int chunk = Frame.MAX_DATA - Frame.HEADER;
        for (int off = 0; off < payload.length; off += chunk) { // 100 000 bytes: within the 256 KiB send window
            page.send(Frame.encode(Frame.DATA, 1, ByteBuffer.wrap(payload, off, Math.min(chunk, payload.length - off))));
        }
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        int received = 0;
        while (received < payload.length) {
            WsClient.Got g = page.nextNonCredit();
            assertEquals(Frame.DATA, g.type(), g.toString());
            got.update(g.payload());
            received += g.payload().length;
        }
        assertEquals(payload.length, received);
        assertTrue(MessageDigest.isEqual(MessageDigest.getInstance("SHA-256").digest(payload), got.digest()),
                "the echo through endpoint 'echo' differs");
        assertTrue(engine.admin().sockets().get(0).owner().endsWith("for origin " + ORIGIN));
        assertTrue(audit.recent(100).stream().anyMatch(e -> e.outcome() == AuditLog.Outcome.OPENED
                && ORIGIN.equals(e.owner().origin()) && e.address().getPort() == echo.getLocalPort()),
                audit.recent(100).toString());
    }

    @Test
    void anUnknownEndpointIsNotFoundErrorNamingItAndNotTheConfiguredOnes() throws Exception {
        WsClient page = connect(ORIGIN, TOKEN);
        page.send(Frame.encode(Frame.OPEN_TCP, 1, "endpoint=plc9\n"));
        WsClient.Got g = page.nextNonCredit();
        assertEquals(Frame.ERROR, g.type());
        assertEquals(1, g.id());
        assertTrue(g.text().startsWith("NotFoundError\n\nno endpoint named 'plc9' is configured"), g.text());
        assertTrue(g.text().contains("etc/org.rawsockets.socket.endpoint-plc9.cfg"), g.text());
        assertTrue(!g.text().contains("echo") && !g.text().contains("elsewhere"),
                "a page learns nothing about the endpoints it did not name: " + g.text());
        page.send(Frame.encode(Frame.OPEN_UDP, 2, "endpoint=plc9\n"));
        WsClient.Got udp = page.nextNonCredit();
        assertEquals(Frame.ERROR, udp.type());
        assertTrue(udp.text().startsWith("NotFoundError\n"), udp.text());
        assertTrue(engine.admin().sockets().isEmpty());
        // the connection goes on: a known endpoint opens on it
        page.send(Frame.encode(Frame.OPEN_TCP, 3, "endpoint=echo\n"));
        assertEquals(Frame.OPENED, page.nextNonCredit().type());
    }

    @Test
    void anEndpointWhoseDestinationTheOriginIsNotGrantedIsNotAllowedErrorAndAudited() throws Exception {
        WsClient page = connect(ORIGIN, TOKEN);
        page.send(Frame.encode(Frame.OPEN_TCP, 1, "endpoint=elsewhere\n"));
        WsClient.Got g = page.nextNonCredit();
        assertEquals(Frame.ERROR, g.type(), g.text());
        assertTrue(g.text().startsWith("NotAllowedError\n"), g.text());
        assertTrue(g.text().contains("via endpoint 'elsewhere'") && g.text().contains("origin:" + ORIGIN), g.text());
        assertTrue(audit.recent(100).stream().anyMatch(e -> e.outcome() == AuditLog.Outcome.REFUSED
                && ORIGIN.equals(e.owner().origin()) && e.address() != null
                && e.address().getPort() == ungranted.getLocalPort()), audit.recent(100).toString());
        // the refused socket leaves the live list as its close completes, which may follow the ERROR frame
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!engine.admin().sockets().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(engine.admin().sockets().isEmpty(), engine.admin().sockets().toString());
    }
}
