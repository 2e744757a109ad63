package org.rawsockets.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Instant;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.http.Cookie;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyAdminComponent;
import org.rawsockets.socket.mina.internal.policy.PolicyComponent;
import org.rawsockets.socket.mina.internal.policy.RingAuditLog;

/**
 * The console servlet driven directly (no HTTP server) over the real socket engine's SocketAdmin and
 * the real policy engine behind PolicyAdmin: login, cookies, CSRF, Origin, rate limit, API token, the
 * JSON API and its errors.
 */
class ConsoleServletTest {

    private static final String PASSWORD = "correct horse";
    private static final String TOKEN = "curl-token-123";

    private final MinaSocketEngine engine = MinaSocketEngine.standalone();
    private final MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(7, "org.example.client"));
    private final Hashtable<String, Object> stored = new Hashtable<>(Map.of("defaultGrants", "false"));
    private final PolicyComponent policy = new PolicyComponent(Map.of("defaultGrants", "false"));
    private final RingAuditLog audit = new RingAuditLog(100);
    private final Bundle client = bundle(7, "org.example.client", "TCP;host=\"127.0.0.1\";ports=\"*\"");
    private final BundleContext context = context(client);
    private final ConsoleServlet servlet = new ConsoleServlet(context, engine.admin(),
            new PolicyAdminComponent(context, policy, audit, configAdmin(), null), engine.serviceFor(Owner.of(5, "org.rawsockets.console")),
            Fakes.config(Map.of("adminUser", "admin", "adminPasswordHash", PasswordHash.create(PASSWORD.toCharArray()),
                    "apiTokenHash", PasswordHash.create(TOKEN.toCharArray()), "loginAttemptsPerMinute", 3)));

    @AfterEach
    void stop() {
        sockets.close();
        engine.close();
    }

    private Fakes.Resp call(Fakes.Req req) throws Exception {
        Fakes.Resp r = new Fakes.Resp();
        servlet.service(req.proxy(), r.proxy());
        return r;
    }

    /** Logs in; returns {cookie value, csrf token}. */
    private String[] login() throws Exception {
        Fakes.Resp r = call(new Fakes.Req("POST", "/login").param("user", "admin").param("password", PASSWORD));
        assertEquals(200, r.status, r.body());
        Cookie c = r.cookies.get(0);
        Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(r.body());
        assertTrue(m.find(), r.body());
        return new String[] { c.getValue(), m.group(1) };
    }

    @Test
    void nothingButLoginWithoutASession() throws Exception {
        assertEquals(401, call(new Fakes.Req("GET", "/api/sockets")).status);
        assertEquals(401, call(new Fakes.Req("GET", "/events/sockets")).status);
        Fakes.Resp page = call(new Fakes.Req("GET", "/"));
        assertEquals(302, page.status);
        assertEquals("/login", page.redirect);
        assertEquals(200, call(new Fakes.Req("GET", "/login")).status);
        assertEquals(401, call(new Fakes.Req("GET", "/api/sockets").cookie("forged")).status);
        assertEquals(401, call(new Fakes.Req("GET", "/api/sockets").header("Authorization", "Bearer wrong")).status);
        assertEquals(200, call(new Fakes.Req("GET", "/api/sockets").header("Authorization", "Bearer " + TOKEN)).status);
    }

    @Test
    void loginCookieIsHttpOnlyStrictAndSecureUnderHttpsWithAFreshId() throws Exception {
        Fakes.Req req = new Fakes.Req("POST", "/login").param("user", "admin").param("password", PASSWORD).cookie("planted-id");
        req.secure = true;
        Fakes.Resp r = call(req);
        assertEquals(200, r.status, r.body());
        Cookie c = r.cookies.get(0);
        assertTrue(c.isHttpOnly());
        assertTrue(c.getSecure());
        assertEquals("Strict", c.getAttribute("SameSite"));
        assertNotEquals("planted-id", c.getValue()); // session fixation: never the id sent before login
        assertEquals(401, call(new Fakes.Req("GET", "/api/session").cookie("planted-id")).status);
        assertFalse(login()[0].isEmpty());
        Cookie plain = call(new Fakes.Req("POST", "/login").param("user", "admin").param("password", PASSWORD)).cookies.get(0);
        assertFalse(plain.getSecure()); // plain HTTP (loopback): no Secure flag
    }

    @Test
    void failedLoginsAreRateLimitedAndNeverEchoed() throws Exception {
        for (int i = 0; i < 3; i++) {
            Fakes.Resp r = call(new Fakes.Req("POST", "/login").param("user", "admin").param("password", "guess" + i));
            assertEquals(401, r.status);
            assertFalse(r.body().contains("guess"), r.body());
        }
        Fakes.Resp blocked = call(new Fakes.Req("POST", "/login").param("user", "admin").param("password", PASSWORD));
        assertEquals(429, blocked.status, blocked.body());
        assertTrue(Long.parseLong(blocked.headers.get("Retry-After")) > 0);
        Fakes.Req other = new Fakes.Req("POST", "/login").param("user", "admin").param("password", PASSWORD);
        other.remote = "127.0.0.2";
        assertEquals(200, call(other).status); // another client is not blocked
    }

    @Test
    void statechangingRequestsNeedTheCsrfTokenAndTheSameOrigin() throws Exception {
        String[] s = login();
        Fakes.Resp noToken = call(new Fakes.Req("POST", "/api/sockets/1/close").cookie(s[0]));
        assertEquals(403, noToken.status, noToken.body());
        Fakes.Resp wrong = call(new Fakes.Req("POST", "/api/sockets/1/close").cookie(s[0]).header("X-CSRF-Token", "x"));
        assertEquals(403, wrong.status);
        Fakes.Resp crossOrigin = call(new Fakes.Req("POST", "/api/sockets/1/close").cookie(s[0]).header("X-CSRF-Token", s[1])
                .header("Origin", "http://evil.example"));
        assertEquals(403, crossOrigin.status, crossOrigin.body());
        Fakes.Resp ok = call(new Fakes.Req("POST", "/api/sockets/1/close").cookie(s[0]).header("X-CSRF-Token", s[1])
                .header("Origin", "http://127.0.0.1:8080"));
        assertEquals(404, ok.status, ok.body()); // passed the checks; no socket 1
        assertEquals(400, call(new Fakes.Req("POST", "/api/sockets/abc/close").cookie(s[0]).header("X-CSRF-Token", s[1])).status);
        assertEquals(200, call(new Fakes.Req("POST", "/logout").cookie(s[0]).header("X-CSRF-Token", s[1])).status);
        assertEquals(401, call(new Fakes.Req("GET", "/api/sockets").cookie(s[0])).status); // logged out
    }

    @Test
    void socketsAreListedAndClosedAndThePeerSeesEof() throws Exception {
        String[] s = login();
        try (ServerSocket peer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(60_000);
            TcpSocket socket = sockets.openTcp("127.0.0.1", peer.getLocalPort());
            socket.opened().toCompletableFuture().get(60, TimeUnit.SECONDS);
            try (Socket accepted = peer.accept()) {
                Fakes.Resp list = call(new Fakes.Req("GET", "/api/sockets").cookie(s[0]));
                assertEquals(200, list.status);
                assertTrue(list.body().contains("\"owner\":\"org.example.client [7]\""), list.body());
                assertTrue(list.body().contains("\"remote\":\"127.0.0.1:" + peer.getLocalPort() + "\""), list.body());
                long id = engine.admin().sockets().get(0).id();
                Fakes.Resp closed = call(new Fakes.Req("POST", "/api/sockets/" + id + "/close").cookie(s[0])
                        .header("X-CSRF-Token", s[1]));
                assertEquals(200, closed.status, closed.body());
                accepted.setSoTimeout(60_000);
                InputStream in = accepted.getInputStream();
                assertEquals(-1, in.read()); // EOF
            }
        }
    }

    @Test
    void socketsShowTheirTlsHandshakeAgainstOpensslAndNoneWhenPlain(@TempDir Path dir) throws Exception {
        String[] s = login();
        Process cert = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1").directory(dir.toFile()).redirectErrorStream(true).start();
        String certOut = new String(cert.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cert.waitFor(60, TimeUnit.SECONDS) && cert.exitValue() == 0, certOut);
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", "cert.pem", "-key",
                "key.pem", "-naccept", "1").directory(dir.toFile()).redirectErrorStream(true).start();
        StringBuilder log = new StringBuilder();
        try (ServerSocket plainPeer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            // openssl prints "ACCEPT 127.0.0.1:<port>" once it listens on the free port it chose
            CompletableFuture<Integer> listening = CompletableFuture.supplyAsync(() -> {
                try {
                    BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
                    for (String line; (line = r.readLine()) != null;) {
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                        Matcher m = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)").matcher(line);
                        if (m.find()) {
                            return Integer.parseInt(m.group(1));
                        }
                    }
                    throw new IllegalStateException("openssl s_server ended without listening");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int port = listening.get(60, TimeUnit.SECONDS);
            TcpSocket tls = sockets.openTcp("127.0.0.1", port, TcpSocketOptions.builder().tls(TlsOptions.builder()
                    .mode(TlsMode.ON).trustedCertificatesPem(Files.readString(dir.resolve("cert.pem"))).build()).build());
            TlsInfo negotiated = tls.opened().toCompletableFuture().get(60, TimeUnit.SECONDS).tlsInfo();
            TcpSocket plain = sockets.openTcp("127.0.0.1", plainPeer.getLocalPort());
            plain.opened().toCompletableFuture().get(60, TimeUnit.SECONDS);
            Fakes.Resp list = call(new Fakes.Req("GET", "/api/sockets").cookie(s[0]));
            assertEquals(200, list.status);
            assertTrue(list.body().contains("\"remote\":\"127.0.0.1:" + port + "\",\"state\":\"OPEN\",\"tls\":{\"protocol\":\""
                    + negotiated.protocol() + "\",\"cipherSuite\":\"" + negotiated.cipherSuite() + "\"}"), list.body() + "\n" + log);
            assertTrue(list.body().contains("\"remote\":\"127.0.0.1:" + plainPeer.getLocalPort() + "\",\"state\":\"OPEN\",\"tls\":null"),
                    list.body());
        } catch (Exception | AssertionError e) {
            synchronized (log) {
                System.err.println("openssl s_server said:\n" + log);
            }
            throw e;
        } finally {
            server.destroy();
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "openssl s_server did not stop");
        }
    }

    @Test
    void ratesAreBytesPerSecondOverTheWindowFromTheCounters() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(60_000);
            TcpSocket socket = sockets.openTcp("127.0.0.1", peer.getLocalPort());
            socket.opened().toCompletableFuture().get(60, TimeUnit.SECONDS);
            try (Socket accepted = peer.accept()) {
                accepted.setSoTimeout(60_000);
                Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
                Map<String, Object> first = servlet.data().sockets(t0).get(0);
                assertEquals(null, first.get("rateOut"), "no rate before a second sample");
                socket.writable().write(new byte[1000]).toCompletableFuture().get(60, TimeUnit.SECONDS);
                accepted.getOutputStream().write(new byte[300]);
                accepted.getOutputStream().flush();
                accepted.getInputStream().readNBytes(1000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (engine.admin().sockets().get(0).bytesIn() < 300 || engine.admin().sockets().get(0).bytesOut() < 1000) {
                    assertTrue(System.nanoTime() < deadline, "counters never reached 300 in / 1000 out");
                    Thread.sleep(10); // polls a condition; the deadline decides, not the pause
                }
                Map<String, Object> two = servlet.data().sockets(t0.plusSeconds(2)).get(0);
                assertEquals(1000L / 2, two.get("rateOut"));
                assertEquals(300L / 2, two.get("rateIn"));
                // 10 s later nothing moved: the window's base is the sample at 2 s, so the rate is 0
                Map<String, Object> idle = servlet.data().sockets(t0.plusSeconds(12)).get(0);
                assertEquals(0L, idle.get("rateOut"));
                assertEquals(0L, idle.get("rateIn"));
            }
        }
    }

    @Test
    void auditFiltersByOwnerOrOriginDestinationTimeRangeAndOutcome() throws Exception {
        String[] s = login();
        Instant t = Instant.parse("2026-12-04T10:00:00Z");
        Owner bridge = Owner.of(9, "org.rawsockets.webbridge").forOrigin("https://hmi.example.com");
        InetSocketAddress plc = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 502);
        audit.record(new AuditLog.Entry(t, Owner.of(client), 1, AccessKind.TCP_CONNECT, "127.0.0.1:502", plc,
                AuditLog.Outcome.OPENED, "", 0, 0)); // 1
        audit.record(new AuditLog.Entry(t.plusSeconds(60), bridge, 2, AccessKind.TCP_CONNECT, "plc.local:502", plc,
                AuditLog.Outcome.OPENED, "", 0, 0)); // 2
        audit.record(new AuditLog.Entry(t.plusSeconds(120), bridge, 0, AccessKind.TCP_CONNECT, "mail.example:25", null,
                AuditLog.Outcome.REFUSED, "not granted", 0, 0)); // 3
        audit.record(new AuditLog.Entry(t.plusSeconds(180), Owner.of(client), 1, AccessKind.TCP_CONNECT, "127.0.0.1:502", plc,
                AuditLog.Outcome.CLOSED, "", 10, 20)); // 4
        assertEquals("[1, 4]", sequences(s[0], Map.of("owner", "EXAMPLE.client")));
        assertEquals("[2, 3]", sequences(s[0], Map.of("owner", "https://hmi.example.com")));
        assertEquals("[1, 2, 4]", sequences(s[0], Map.of("destination", "127.0.0.1:502"))); // asked for, or resolved to
        assertEquals("[2]", sequences(s[0], Map.of("destination", "plc.local")));
        assertEquals("[2, 3]", sequences(s[0], Map.of("since", "2026-12-04T10:01:00Z", "until", "2026-12-04T10:03:00Z")));
        assertEquals("[3]", sequences(s[0], Map.of("owner", "hmi", "outcome", "refused")));
        assertEquals("[1, 2, 3, 4]", sequences(s[0], Map.of()));
        assertEquals("[3, 4]", sequences(s[0], Map.of("since", "2026-12-04T10:01:30Z", "max", "5")));
        assertEquals("[2, 4]", sequences(s[0], Map.of("outcome", "", "destination", "502", "since", "2026-12-04T10:00:01Z")));
        // the limit applies to the matches, not to the ring before filtering
        assertEquals("[1]", sequences(s[0], Map.of("owner", "client", "until", "2026-12-04T10:02:00Z", "max", "1")));
        assertEquals("[4]", sequences(s[0], Map.of("owner", "client", "max", "1")));
        for (Map<String, String> bad : List.of(Map.of("since", "yesterday"), Map.of("until", "2026-12-04"),
                Map.of("since", "2026-12-04T10:03:00Z", "until", "2026-12-04T10:01:00Z"))) {
            Fakes.Req req = new Fakes.Req("GET", "/api/audit").cookie(s[0]);
            bad.forEach(req::param);
            Fakes.Resp r = call(req);
            assertEquals(400, r.status, bad + " " + r.body());
            assertTrue(r.body().contains("ISO-8601") || r.body().contains("must be after"), r.body());
        }
    }

    /** The sequence numbers GET /api/audit answers with {@code params}. */
    private String sequences(String cookie, Map<String, String> params) throws Exception {
        Fakes.Req req = new Fakes.Req("GET", "/api/audit").cookie(cookie);
        params.forEach(req::param);
        Fakes.Resp r = call(req);
        assertEquals(200, r.status, r.body());
        List<Long> seq = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("\"sequence\":(\\d+)").matcher(r.body());
        while (m.find()) {
            seq.add(Long.parseLong(m.group(1)));
        }
        return seq.toString();
    }

    @Test
    void aRefusalSuggestsTheGrantAndBadGrantLinesAreRefused() throws Exception {
        String[] s = login();
        Access access = new Access(AccessKind.TCP_CONNECT, "127.0.0.1", null, new InetSocketAddress(InetAddress.getLoopbackAddress(), 4444));
        String refusal;
        try {
            policy.check(Owner.of(client), access);
            throw new AssertionError("expected a refusal");
        } catch (NotAllowedException e) {
            refusal = e.getMessage();
        }
        audit.record(new AuditLog.Entry(Instant.now(), Owner.of(client), 0, AccessKind.TCP_CONNECT, "127.0.0.1:4444",
                access.address(), AuditLog.Outcome.REFUSED, refusal, 0, 0));
        Fakes.Resp refusals = call(new Fakes.Req("GET", "/api/audit").param("outcome", "REFUSED").cookie(s[0]));
        assertTrue(refusals.body().contains("\"line\":\"org.example.client tcp 127.0.0.1 4444\""), refusals.body());

        Fakes.Resp bad = call(new Fakes.Req("POST", "/api/policy/grants").param("name", "x").param("line", "org.example.client tcpx * 1")
                .cookie(s[0]).header("X-CSRF-Token", s[1]));
        assertEquals(400, bad.status, bad.body());
        assertEquals(Map.of("defaultGrants", "false"), stored);
        Fakes.Resp missing = call(new Fakes.Req("POST", "/api/policy/grants").param("name", "x").cookie(s[0]).header("X-CSRF-Token", s[1]));
        assertEquals(400, missing.status);

        Fakes.Resp ok = call(new Fakes.Req("POST", "/api/policy/grants").param("name", "client-4444")
                .param("line", "org.example.client tcp 127.0.0.1 4444").cookie(s[0]).header("X-CSRF-Token", s[1]));
        assertEquals(200, ok.status, ok.body());
        policy.check(Owner.of(client), access); // allowed now
        assertEquals(404, call(new Fakes.Req("POST", "/api/policy/grants/nope/revoke").cookie(s[0]).header("X-CSRF-Token", s[1])).status);
        Fakes.Resp explain = call(new Fakes.Req("GET", "/api/policy/explain").param("bundle", "org.example.client").param("kind", "tcp")
                .param("host", "127.0.0.1").param("port", "4444").cookie(s[0]));
        assertTrue(explain.body().contains("\"allowed\":true"), explain.body());
        assertEquals(400, call(new Fakes.Req("GET", "/api/policy/explain").param("bundle", "b").param("kind", "tcpx")
                .param("host", "h").param("port", "1").cookie(s[0])).status);
        Fakes.Resp p = call(new Fakes.Req("GET", "/api/policy").cookie(s[0]));
        assertTrue(p.body().contains("\"name\":\"client-4444\""), p.body());
        assertEquals(404, call(new Fakes.Req("GET", "/api/nothing").cookie(s[0])).status);
        assertEquals(200, call(new Fakes.Req("GET", "/api/devices").cookie(s[0])).status);
    }

    // --- fakes ---------------------------------------------------------------------------------

    private ConfigurationAdmin configAdmin() {
        Configuration config = (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { Configuration.class }, (p, m, a) -> switch (m.getName()) {
                    case "getProperties" -> new Hashtable<>(stored);
                    case "update" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> d = (Dictionary<String, Object>) a[0];
                        stored.clear();
                        Map<String, Object> map = new HashMap<>();
                        for (String k : Collections.list(d.keys())) {
                            stored.put(k, d.get(k));
                            map.put(k, d.get(k));
                        }
                        policy.modified(map);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ConfigurationAdmin.class }, (p, m, a) -> config);
    }

    private static Bundle bundle(long id, String bsn, String header) {
        return (Bundle) Proxy.newProxyInstance(ConsoleServletTest.class.getClassLoader(), new Class<?>[] { Bundle.class },
                (p, m, a) -> switch (m.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> bsn;
                    case "getLastModified" -> 1L;
                    case "getState" -> Bundle.ACTIVE;
                    case "getHeaders" -> new Hashtable<>(Map.of("RawSockets-Access", header));
                    case "hashCode" -> (int) id;
                    case "equals" -> p == a[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static BundleContext context(Bundle... bundles) {
        return (BundleContext) Proxy.newProxyInstance(ConsoleServletTest.class.getClassLoader(),
                new Class<?>[] { BundleContext.class }, (p, m, a) -> switch (m.getName()) {
                    case "getBundles" -> bundles;
                    case "getProperty" -> null;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
