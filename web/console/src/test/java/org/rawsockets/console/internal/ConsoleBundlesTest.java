package org.rawsockets.console.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.cm.ConfigurationAdmin;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyAdminComponent;
import org.rawsockets.socket.mina.internal.policy.PolicyComponent;
import org.rawsockets.socket.mina.internal.policy.RingAuditLog;

/**
 * Bundle install/update/uninstall from the console: through a real deploy folder (what FileInstall
 * watches), size-limited, only jars that are bundles, only bundles of the deploy folder, CSRF-protected.
 */
class ConsoleBundlesTest {

    private static final String PASSWORD = "correct horse";

    @TempDir
    Path deploy;
    @TempDir
    Path system;

    /** The gateway's default policy (loopback granted), enforced by the engine for the console's own fetches. */
    private final PolicyComponent policy = new PolicyComponent(Map.of("defaultGrants", "true"));
    private final RingAuditLog audit = new RingAuditLog(50);
    private final MinaSocketEngine engine = new MinaSocketEngine(EngineConfig.defaults(), policy, audit, HostResolver.JDK);
    private MinaSocketEngine.OwnedSocketService consoleSockets;
    private final List<Bundle> bundles = new ArrayList<>();
    private ConsoleServlet servlet;
    private String cookie;
    private String csrf;

    @BeforeEach
    void start() throws Exception {
        bundles.add(bundle(0, "org.apache.felix.framework", "System Bundle"));
        bundles.add(bundle(3, "org.rawsockets.mqtt", deploy.resolve("org.rawsockets.mqtt.jar").toUri().toString()));
        bundles.add(bundle(4, "org.rawsockets.socket.mina", system.resolve("socket-impl-mina.jar").toUri().toString()));
        Bundle console = bundle(5, "org.rawsockets.console", deploy.resolve("web-console.jar").toUri().toString(),
                "TCP;host=\"*\";ports=\"*\""); // what @RequireSocket on ConsoleServlet writes
        bundles.add(console);
        Files.write(deploy.resolve("org.rawsockets.mqtt.jar"), jar("org.rawsockets.mqtt", "1.0.0", 10));
        BundleContext context = context();
        ConfigurationAdmin cm = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ConfigurationAdmin.class }, (p, m, a) -> {
                    throw new UnsupportedOperationException(m.getName());
                });
        consoleSockets = engine.serviceFor(new Owner(5, "org.rawsockets.console", console));
        servlet = new ConsoleServlet(context, engine.admin(), new PolicyAdminComponent(context, policy, audit, cm, null), consoleSockets,
                Fakes.config(Map.of("adminPasswordHash", PasswordHash.create(PASSWORD.toCharArray()), "maxBundleBytes", 4096)));
        Fakes.Resp r = call(new Fakes.Req("POST", "/login").param("user", "admin").param("password", PASSWORD));
        assertEquals(200, r.status, r.body());
        cookie = r.cookies.get(0).getValue();
        Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(r.body());
        assertTrue(m.find(), r.body());
        csrf = m.group(1);
    }

    @AfterEach
    void stop() {
        consoleSockets.close();
        engine.close();
    }

    private Fakes.Resp call(Fakes.Req req) throws Exception {
        Fakes.Resp r = new Fakes.Resp();
        servlet.service(req.proxy(), r.proxy());
        return r;
    }

    private Fakes.Req post(String path) {
        return new Fakes.Req("POST", path).cookie(cookie).header("X-CSRF-Token", csrf);
    }

    /** A bundle jar: a manifest and {@code padding} bytes of content. */
    static byte[] jar(String bsn, String version, int padding) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            mf.getMainAttributes().putValue("Bundle-SymbolicName", bsn + ";singleton:=true");
            mf.getMainAttributes().putValue("Bundle-Version", version);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(out, mf)) {
            j.putNextEntry(new JarEntry("pad.bin"));
            byte[] pad = new byte[padding];
            new java.util.Random(padding).nextBytes(pad); // incompressible, so the jar's size follows
            j.write(pad);
        }
        return out.toByteArray();
    }

    @Test
    void theBundleListSaysWhichBundlesTheConsoleMayChange() throws Exception {
        Fakes.Resp r = call(new Fakes.Req("GET", "/api/bundles").cookie(cookie));
        assertEquals(200, r.status, r.body());
        assertTrue(r.body().contains("\"symbolicName\":\"org.rawsockets.mqtt\",\"version\":\"1.0.0\",\"state\":\"ACTIVE\","), r.body());
        assertTrue(Pattern.compile("\"symbolicName\":\"org.rawsockets.mqtt\"[^}]*\"changeable\":true").matcher(r.body()).find(), r.body());
        assertTrue(Pattern.compile("\"symbolicName\":\"org.rawsockets.socket.mina\"[^}]*\"changeable\":false").matcher(r.body()).find(), r.body());
        // the console's row holds its quota use (an object): up to the next row's "id"
        assertTrue(Pattern.compile("\"symbolicName\":\"org.rawsockets.console\"((?!\"id\":).)*\"changeable\":false").matcher(r.body()).find(), r.body());
    }

    @Test
    void anUploadedBundleIsWrittenToTheDeployFolderAtomically() throws Exception {
        byte[] jar = jar("org.example.uploaded", "1.2.3", 100);
        Fakes.Resp r = call(post("/api/bundles").body("application/java-archive", jar));
        assertEquals(202, r.status, r.body());
        assertArrayEquals(jar, Files.readAllBytes(deploy.resolve("org.example.uploaded.jar")));
        try (Stream<Path> files = Files.list(deploy)) {
            assertFalse(files.anyMatch(f -> f.toString().endsWith(".tmp")), "no temporary file left");
        }
        // again: the file is there (FileInstall not yet done) -> 409; an installed symbolic name -> 409
        assertEquals(409, call(post("/api/bundles").body("application/java-archive", jar)).status);
        Fakes.Resp dup = call(post("/api/bundles").body("application/java-archive", jar("org.rawsockets.mqtt", "2.0.0", 10)));
        assertEquals(409, dup.status, dup.body());
        assertTrue(dup.body().contains("update it instead"), dup.body());
    }

    @Test
    void badUploadsAreRefusedAndNothingIsWritten() throws Exception {
        Fakes.Resp big = call(post("/api/bundles").body("application/java-archive", jar("org.example.big", "1.0.0", 5000)));
        assertEquals(413, big.status, big.body());
        Fakes.Resp notJar = call(post("/api/bundles").body("application/java-archive", "hello".getBytes()));
        assertEquals(400, notJar.status, notJar.body());
        Fakes.Resp noBsn = call(post("/api/bundles").body("application/java-archive", jar(null, null, 10)));
        assertEquals(400, noBsn.status, noBsn.body());
        assertTrue(noBsn.body().contains("Bundle-SymbolicName"), noBsn.body());
        assertEquals(400, call(post("/api/bundles")).status); // empty body
        Fakes.Resp noCsrf = call(new Fakes.Req("POST", "/api/bundles").cookie(cookie)
                .body("application/java-archive", jar("org.example.x", "1.0.0", 10)));
        assertEquals(403, noCsrf.status, noCsrf.body());
        try (Stream<Path> files = Files.list(deploy)) {
            assertEquals(List.of(deploy.resolve("org.rawsockets.mqtt.jar")), files.toList());
        }
    }

    @Test
    void updateReplacesTheDeployedJarWithTheSameSymbolicNameOnly() throws Exception {
        Path deployed = deploy.resolve("org.rawsockets.mqtt.jar");
        byte[] before = Files.readAllBytes(deployed);
        Fakes.Resp other = call(post("/api/bundles/3/update").body("application/java-archive", jar("org.example.other", "1.0.0", 10)));
        assertEquals(400, other.status, other.body());
        assertArrayEquals(before, Files.readAllBytes(deployed));
        Fakes.Resp platform = call(post("/api/bundles/4/update").body("application/java-archive", jar("org.rawsockets.socket.mina", "9.0.0", 10)));
        assertEquals(409, platform.status, platform.body());
        assertTrue(platform.body().contains("not in the deploy folder"), platform.body());
        assertEquals(409, call(post("/api/bundles/5/update").body("application/java-archive", jar("org.rawsockets.console", "9.0.0", 10))).status);
        assertEquals(404, call(post("/api/bundles/77/update").body("application/java-archive", jar("x", "1.0.0", 10))).status);
        Fakes.Resp badUrl = call(post("/api/bundles/3/update").param("url", "file:///etc/passwd")
                .body("application/x-www-form-urlencoded", new byte[0]));
        assertEquals(400, badUrl.status, badUrl.body());

        byte[] v2 = jar("org.rawsockets.mqtt", "2.0.0", 20);
        Fakes.Resp ok = call(post("/api/bundles/3/update").body("application/java-archive", v2));
        assertEquals(202, ok.status, ok.body());
        assertArrayEquals(v2, Files.readAllBytes(deployed));
    }

    /** A loopback HTTP server (the JDK's) serving {@code handlers}; stopped by the caller. */
    private static com.sun.net.httpserver.HttpServer http(Map<String, com.sun.net.httpserver.HttpHandler> handlers)
            throws IOException {
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 10);
        handlers.forEach(http::createContext);
        http.start();
        return http;
    }

    private static com.sun.net.httpserver.HttpHandler serve(int status, long length, byte[] body) {
        return ex -> {
            ex.sendResponseHeaders(status, length);
            ex.getResponseBody().write(body);
            ex.close();
        };
    }

    private Fakes.Resp updateFrom(String url) throws Exception {
        return call(post("/api/bundles/3/update").param("url", url).body("application/x-www-form-urlencoded", new byte[0]));
    }

    @Test
    void theBundleListShowsWhatEachBundleUsesOfItsQuotas() throws Exception {
        policy.modified(Map.of("defaultGrants", "true", "quota.console", "org.rawsockets.console maxOpenSockets=3"));
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            org.rawsockets.socket.TcpSocket s = consoleSockets.openTcp("127.0.0.1", server.getLocalPort());
            s.opened().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            try (java.net.Socket peer = server.accept()) {
                Fakes.Resp r = call(new Fakes.Req("GET", "/api/bundles").cookie(cookie));
                assertEquals(200, r.status, r.body());
                assertTrue(r.body().contains("\"symbolicName\":\"org.rawsockets.console\"") && r.body().contains(
                        "\"openSockets\":1,\"quota\":{\"openSockets\":1,\"maxOpenSockets\":3,\"pendingOpens\":0,"
                                + "\"maxPendingOpens\":64,\"bufferedBytes\":0,\"maxBufferedBytes\":67108864}"), r.body());
                // a bundle that holds no socket service has no quota use to show
                assertTrue(Pattern.compile("\"symbolicName\":\"org.rawsockets.mqtt\"[^}]*\"quota\":null").matcher(r.body()).find(),
                        r.body());
            } finally {
                s.close();
            }
        }
    }

    @Test
    void updateFromAnHttpUrlFetchesTheJarThroughTheConsolesOwnSocketService() throws Exception {
        byte[] v3 = jar("org.rawsockets.mqtt", "3.0.0", 30);
        byte[] v4 = jar("org.rawsockets.mqtt", "4.0.0", 40);
        com.sun.net.httpserver.HttpServer http = http(Map.of(
                "/mqtt.jar", serve(200, v3.length, v3),
                "/chunked.jar", serve(200, 0, v4), // length 0: the JDK server sends it chunked
                "/moved", ex -> {
                    ex.getResponseHeaders().add("Location", "/chunked.jar");
                    ex.sendResponseHeaders(302, -1);
                    ex.close();
                }));
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();
            Fakes.Resp ok = updateFrom(base + "/mqtt.jar");
            assertEquals(202, ok.status, ok.body());
            assertArrayEquals(v3, Files.readAllBytes(deploy.resolve("org.rawsockets.mqtt.jar")));
            // the fetch was the console's socket, under the policy: opened and closed in its name
            assertTrue(audit.recent(50).stream().anyMatch(e -> e.owner().symbolicName().equals("org.rawsockets.console")
                    && e.outcome() == org.rawsockets.socket.mina.internal.policy.AuditLog.Outcome.OPENED
                    && e.destination().endsWith(":" + http.getAddress().getPort())), audit.recent(50).toString());

            Fakes.Resp redirected = updateFrom(base + "/moved");
            assertEquals(202, redirected.status, redirected.body());
            assertArrayEquals(v4, Files.readAllBytes(deploy.resolve("org.rawsockets.mqtt.jar")));

            Fakes.Resp missing = updateFrom(base + "/nothing.jar");
            assertEquals(502, missing.status, missing.body());
            assertTrue(missing.body().contains("answered HTTP 404"), missing.body());
            assertArrayEquals(v4, Files.readAllBytes(deploy.resolve("org.rawsockets.mqtt.jar"))); // nothing lost
            Fakes.Resp withCredentials = updateFrom("http://user:secret@127.0.0.1:" + http.getAddress().getPort() + "/mqtt.jar");
            assertEquals(400, withCredentials.status, withCredentials.body());
            assertFalse(withCredentials.body().contains("secret"), withCredentials.body());
        } finally {
            http.stop(0);
        }
        // java.net close() returns at once and the queued bytes drain after it (as without SO_LINGER):
        // the socket leaves the list when the close completes, bounded by the close limit
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!engine.admin().sockets().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the console closed its sockets: " + engine.admin().sockets());
            Thread.sleep(10); // polls a condition; the deadline decides, not the pause
        }
    }

    @Test
    void theSocketPolicyDecidesWhichRepositoriesTheConsoleMayFetchFrom() throws Exception {
        byte[] v3 = jar("org.rawsockets.mqtt", "3.0.0", 30);
        com.sun.net.httpserver.HttpServer http = http(Map.of("/mqtt.jar", serve(200, v3.length, v3)));
        try {
            int port = http.getAddress().getPort();
            policy.modified(Map.of("defaultGrants", "false")); // production: nothing granted
            Fakes.Resp refused = updateFrom("http://127.0.0.1:" + port + "/mqtt.jar");
            assertEquals(403, refused.status, refused.body());
            assertTrue(refused.body().contains("socket policy does not let the console fetch")
                    && refused.body().contains("org.rawsockets.console tcp 127.0.0.1 " + port), refused.body());
            assertFalse(Files.readString(deploy.resolve("org.rawsockets.mqtt.jar"), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains("3.0.0"));

            policy.modified(Map.of("defaultGrants", "false", "grant.repo", "org.rawsockets.console tcp 127.0.0.1 " + port));
            Fakes.Resp ok = updateFrom("http://127.0.0.1:" + port + "/mqtt.jar");
            assertEquals(202, ok.status, ok.body());
            assertArrayEquals(v3, Files.readAllBytes(deploy.resolve("org.rawsockets.mqtt.jar")));
        } finally {
            http.stop(0);
        }
    }

    @Test
    void oversizedMalformedAndUntrustedDownloadsAreRefusedAndChangeNothing() throws Exception {
        byte[] before = Files.readAllBytes(deploy.resolve("org.rawsockets.mqtt.jar"));
        byte[] big = jar("org.rawsockets.mqtt", "5.0.0", 6000); // over maxBundleBytes (4096)
        try (java.net.ServerSocket raw = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            com.sun.net.httpserver.HttpServer http = http(Map.of(
                    "/big.jar", serve(200, big.length, big),
                    "/big-chunked.jar", serve(200, 0, big)));
            Thread garbage = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try (java.net.Socket c = raw.accept()) {
                        c.getInputStream().read(new byte[1024]);
                        c.getOutputStream().write(i == 0 ? "SSH-2.0-OpenSSH_9.6\r\n".getBytes()
                                : ("HTTP/1.1 200 OK\r\nX: " + "a".repeat(20_000) + "\r\n\r\n").getBytes());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            garbage.start();
            try {
                String base = "http://127.0.0.1:" + http.getAddress().getPort();
                Fakes.Resp tooBig = updateFrom(base + "/big.jar");
                assertEquals(413, tooBig.status, tooBig.body());
                assertTrue(tooBig.body().contains("(Content-Length), larger than 4096 bytes (maxBundleBytes)"), tooBig.body());
                Fakes.Resp tooBigChunked = updateFrom(base + "/big-chunked.jar");
                assertEquals(413, tooBigChunked.status, tooBigChunked.body());
                Fakes.Resp notHttp = updateFrom("http://127.0.0.1:" + raw.getLocalPort() + "/x.jar");
                assertEquals(502, notHttp.status, notHttp.body());
                assertTrue(notHttp.body().contains("did not answer HTTP/1.x: 'SSH-2.0-OpenSSH_9.6'"), notHttp.body());
                Fakes.Resp hugeHead = updateFrom("http://127.0.0.1:" + raw.getLocalPort() + "/x.jar");
                assertEquals(502, hugeHead.status, hugeHead.body());
                assertTrue(hugeHead.body().contains("longer than the limit"), hugeHead.body());
            } finally {
                http.stop(0);
                garbage.join(5000);
            }
        }
        // https with a certificate the JDK does not trust: the handshake fails, nothing is fetched
        com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 10);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(selfSigned()));
        https.createContext("/mqtt.jar", serve(200, before.length, before));
        https.start();
        try {
            Fakes.Resp untrusted = updateFrom("https://127.0.0.1:" + https.getAddress().getPort() + "/mqtt.jar");
            assertEquals(502, untrusted.status, untrusted.body());
            assertTrue(untrusted.body().contains("TLS handshake failed"), untrusted.body());
        } finally {
            https.stop(0);
        }
        assertArrayEquals(before, Files.readAllBytes(deploy.resolve("org.rawsockets.mqtt.jar")));
    }

    @Test
    void aDownloadThatTricklesPastTheDeadlineFailsWith504() throws Exception {
        try (java.net.ServerSocket raw = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            Thread slow = new Thread(() -> {
                try (java.net.Socket c = raw.accept()) {
                    c.getInputStream().read(new byte[1024]);
                    var out = c.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n".getBytes());
                    for (int i = 0; i < 100; i++) { // one byte per 50 ms: each read is quick, the whole is not
                        out.write('x');
                        out.flush();
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException e) {
                    // the client gave up: expected
                }
            });
            slow.start();
            BundleDownload d = new BundleDownload(consoleSockets, 4096, java.time.Duration.ofMillis(1500));
            long t0 = System.nanoTime();
            HttpError e = org.junit.jupiter.api.Assertions.assertThrows(HttpError.class,
                    () -> d.fetch(java.net.URI.create("http://127.0.0.1:" + raw.getLocalPort() + "/slow.jar")));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(504, e.status(), e.getMessage());
            assertTrue(ms >= 1400 && ms < 4000, "gave up after " + ms + " ms");
            slow.join(10_000);
        }
    }

    /** An SSLContext with a fresh self-signed certificate (made by the JDK's keytool). */
    private javax.net.ssl.SSLContext selfSigned() throws Exception {
        Path ks = system.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-alias", "server",
                "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1", "-validity", "2")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(store, "changeit".toCharArray());
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    @Test
    void uninstallDeletesTheDeployedJarAndRefusesPlatformBundles() throws Exception {
        assertEquals(409, call(post("/api/bundles/4/uninstall")).status);
        assertEquals(409, call(post("/api/bundles/0/uninstall")).status);
        assertEquals(409, call(post("/api/bundles/5/uninstall")).status);
        assertEquals(403, call(new Fakes.Req("POST", "/api/bundles/3/uninstall").cookie(cookie)).status);
        assertTrue(Files.exists(deploy.resolve("org.rawsockets.mqtt.jar")));
        Fakes.Resp ok = call(post("/api/bundles/3/uninstall"));
        assertEquals(202, ok.status, ok.body());
        assertFalse(Files.exists(deploy.resolve("org.rawsockets.mqtt.jar")));
        assertEquals(409, call(post("/api/bundles/3/uninstall")).status); // already gone
    }

    // --- fakes ---------------------------------------------------------------------------------

    private static Bundle bundle(long id, String bsn, String location) {
        return bundle(id, bsn, location, null);
    }

    private static Bundle bundle(long id, String bsn, String location, String access) {
        java.util.Hashtable<String, String> headers = new java.util.Hashtable<>();
        if (access != null) {
            headers.put("RawSockets-Access", access);
        }
        return (Bundle) Proxy.newProxyInstance(ConsoleBundlesTest.class.getClassLoader(), new Class<?>[] { Bundle.class },
                (p, m, a) -> switch (m.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> bsn;
                    case "getLocation" -> location;
                    case "getVersion" -> new Version(1, 0, 0);
                    case "getState" -> Bundle.ACTIVE;
                    case "getLastModified" -> 1L;
                    case "getHeaders" -> headers;
                    case "hashCode" -> (int) id;
                    case "equals" -> p == a[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(ConsoleBundlesTest.class.getClassLoader(),
                new Class<?>[] { BundleContext.class }, (p, m, a) -> switch (m.getName()) {
                    case "getBundles" -> bundles.toArray(new Bundle[0]);
                    case "getBundle" -> bundles.stream().filter(b -> b.getBundleId() == (Long) a[0]).findFirst().orElse(null);
                    case "getProperty" -> "felix.fileinstall.dir".equals(a[0]) ? deploy + "," + deploy.resolveSibling("etc") : null;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
