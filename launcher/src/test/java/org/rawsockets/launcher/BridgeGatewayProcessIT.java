package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.fixture.BridgePage;
import org.rawsockets.launcher.fixture.EchoPeers;

/**
 * The Direct Sockets bridge (web/bridge) in a gateway started from the distribution: the bundle from
 * {@code bundles/} in {@code deploy/}, {@code etc/org.rawsockets.webbridge.cfg} with an allowed origin and
 * a client token, an {@code origin:} grant for a loopback echo peer. A JDK WebSocket client as the page
 * echoes 1 MiB through the gateway's HTTP server (the console's Felix HTTP Jetty); a destination
 * without a grant is NotAllowedError and the audit (log/gateway.log) shows the refusal with the origin;
 * a foreign origin is refused at the handshake (403), a missing or unknown token with 1008.
 */
class BridgeGatewayProcessIT {

    static final Duration WAIT = GatewayProcessIT.WAIT;
    static final String ORIGIN = "https://hmi.example.com";

    private final GatewayProcessIT gateway = new GatewayProcessIT();

    @AfterEach
    void stopGateways() throws InterruptedException {
        gateway.killLeftovers();
    }

    /** Copies the bridge bundle of the distribution's bundles/ into the copy's deploy/. */
    static void deployBridge(Path home) throws IOException {
        Path bundles = Path.of(System.getProperty("gateway.dir")).resolve("bundles");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "web-bridge-*.jar")) {
            for (Path jar : jars) {
                Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                return;
            }
        }
        throw new AssertionError("no web-bridge jar in " + bundles + ": the launcher must ship web/bridge");
    }

    /** A client token as the operator would issue one, and its configuration entry (SHA-256 only). */
    record Token(String token, String entry) {
        static Token issue(String client) throws Exception {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.US_ASCII)));
            return new Token(token, client + ":" + hash);
        }
    }

    /** Waits until log/gateway.log has a line matching {@code regex}; returns it. */
    static String awaitLogLine(Path home, String regex) throws IOException, InterruptedException {
        Pattern p = Pattern.compile(regex);
        Path log = home.resolve("log/gateway.log");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (p.matcher(line).find()) {
                        return line;
                    }
                }
            }
            Thread.sleep(100); // polling a file for a condition, bounded by the deadline
        }
        throw new AssertionError("no line matching '" + regex + "' in " + log + " within " + WAIT + ":\n"
                + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }

    @Test
    void aPageOfAnAllowedOriginWithATokenReachesALoopbackEchoThroughTheGateway(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        deployBridge(home);
        Token token = Token.issue("it-client");
        try (EchoPeers echo = new EchoPeers();
                ServerSocket ungranted = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.webbridge.cfg"),
                    "allowedOrigins = " + ORIGIN + "\ntokens = " + token.entry() + "\n");
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.policy.cfg"),
                    "grant.hmi = origin:" + ORIGIN + " tcp 127.0.0.1 " + echo.tcpPort() + "\n");
            GatewayProcessIT.Running g = gateway.start(home, "--headless");
            g.awaitLine("gateway ready in|gateway started", WAIT);
            int port = HttpServerProcessIT.awaitHttpPort(home);
            HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
            // The bridge's servlet is registered (and its WebSocket endpoint added) once the library is served.
            HttpResponse<String> lib = HttpServerProcessIT.awaitStatus(http,
                    URI.create("http://127.0.0.1:" + port + "/direct-sockets/lib/direct-sockets.js"), 200);
            assertTrue(lib.body().contains("TCPSocket"), lib.body());
            URI bridge = URI.create("ws://127.0.0.1:" + port + "/direct-sockets");

            BridgePage page = BridgePage.connect(bridge, ORIGIN, token.token(), WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            int mib = echoThrough(page, 1, echo.tcpPort(), 1 << 20);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("BRIDGE gateway echo: " + mib + " bytes each way in " + millis + " ms");
            awaitLogLine(home, "OPENED org\\.rawsockets\\.webbridge \\[\\d+\\] for origin " + Pattern.quote(ORIGIN)
                    + " #\\d+ tcp.*:" + echo.tcpPort());

            // A destination no origin: grant covers: NotAllowedError naming the grant; audited with the origin.
            int refusedPort = ungranted.getLocalPort();
            page.send(BridgePage.frame(BridgePage.OPEN_TCP, 2, "remoteAddress=127.0.0.1\nremotePort=" + refusedPort + "\n"));
            BridgePage.Frame refused = page.nextNonCredit();
            assertEquals(BridgePage.ERROR, refused.type(), refused.toString());
            assertEquals(2, refused.id());
            assertTrue(refused.text().startsWith("NotAllowedError\n"), refused.text());
            assertTrue(refused.text().contains("origin:" + ORIGIN + " tcp 127.0.0.1 " + refusedPort), refused.text());
            awaitLogLine(home, "REFUSED org\\.rawsockets\\.webbridge \\[\\d+\\] for origin " + Pattern.quote(ORIGIN)
                    + " #\\d+ tcp.*:" + refusedPort);
            ungranted.setSoTimeout(1);
            assertThrows(java.net.SocketTimeoutException.class, ungranted::accept, "the refused open reached the peer");
            page.close();

            // A foreign origin with the valid token, and no Origin at all: 403 at the handshake.
            for (String origin : new String[] { "https://evil.example.net", null }) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> BridgePage.connect(bridge, origin, token.token(), WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS));
                WebSocketHandshakeException h = assertInstanceOf(WebSocketHandshakeException.class, e.getCause(),
                        String.valueOf(e.getCause()));
                assertEquals(403, h.getResponse().statusCode(), "origin " + origin);
            }
            // The allowed origin without a token, and with a token the gateway never issued: 1008 and why.
            String none = BridgePage.connect(bridge, ORIGIN, null, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS).awaitClose();
            assertTrue(none.startsWith("1008 no client token"), none);
            String unknown = BridgePage.connect(bridge, ORIGIN, Token.issue("x").token(), WAIT)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS).awaitClose();
            assertTrue(unknown.startsWith("1008 the client token is not known"), unknown);
            assertEquals(1, echo.tcpConnections(), "only the granted open reached a peer");

            String log = Files.readString(home.resolve("log/gateway.log"));
            assertFalse(log.contains(token.token()), "the client token is in log/gateway.log");
            assertTrue(log.contains("Direct Sockets bridge at /direct-sockets for origins [" + ORIGIN + "]"), log);
        }
    }

    /**
     * Opens TCP socket {@code id} to 127.0.0.1:{@code port}, echoes {@code size} random bytes through it with
     * credit both ways, compares SHA-256, closes it. Returns the bytes echoed.
     */
    static int echoThrough(BridgePage page, int id, int port, int size) throws Exception {
        int window = 1 << 20;
        page.send(BridgePage.frame(BridgePage.OPEN_TCP, id, "remoteAddress=127.0.0.1\nremotePort=" + port + "\n"));
        page.send(BridgePage.credit(id, window));
        BridgePage.Frame opened = page.nextNonCredit();
        assertEquals(BridgePage.OPENED, opened.type(), opened.toString());
        assertTrue(opened.text().contains("remotePort=" + port), opened.text());
        byte[] payload = new byte[size];
        new Random(19).nextBytes(payload);
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        long credit = 0;
        int off = 0;
        int received = 0;
        boolean ended = false;
        while (received < size) {
            while (off < size && credit > 0) {
                int n = (int) Math.min(Math.min(credit, BridgePage.MAX_DATA), size - off);
                page.send(BridgePage.frame(BridgePage.DATA, id, payload, off, n));
                off += n;
                credit -= n;
            }
            if (off == size && !ended) {
                page.send(BridgePage.frame(BridgePage.END, id, new byte[0], 0, 0));
                ended = true;
            }
            BridgePage.Frame f = page.next();
            if (f.type() == BridgePage.CREDIT) {
                credit += f.amount();
            } else {
                assertEquals(BridgePage.DATA, f.type(), f.toString());
                got.update(f.payload());
                received += f.payload().length;
                page.send(BridgePage.credit(id, f.payload().length));
            }
        }
        assertTrue(MessageDigest.isEqual(MessageDigest.getInstance("SHA-256").digest(payload), got.digest()),
                "the echo differs from what was sent");
        // The peer half-closes after our END: the gateway reports END, then CLOSE (socket done).
        BridgePage.Frame f = page.nextNonCredit();
        while (f.type() == BridgePage.END) {
            f = page.nextNonCredit();
        }
        assertEquals(BridgePage.CLOSE, f.type(), f.toString());
        return received;
    }
}
