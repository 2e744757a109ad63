package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.fixture.BrowserScript;
import org.rawsockets.launcher.fixture.TestBundles;
import org.rawsockets.launcher.fixture.WebSocketEcho;

/**
 * The gateway's HTTP server (Apache Felix HTTP, Jetty 12): it listens on loopback only by default,
 * serves Servlet Whiteboard servlets of hot-deployed bundles (the web console's {@code /health}) and
 * jakarta.websocket endpoints.
 */
class HttpServerProcessIT {

    static final Duration WAIT = GatewayProcessIT.WAIT;

    private final GatewayProcessIT gateway = new GatewayProcessIT();

    @AfterEach
    void stopGateways() throws InterruptedException {
        gateway.killLeftovers();
    }

    private static final Pattern STARTED = Pattern.compile("Started Jetty \\S+ at port\\(s\\) HTTP:(\\d+)");

    /** Waits for Felix HTTP's start line in log/gateway.log and returns the port it listens on. */
    static int awaitHttpPort(Path home) throws IOException, InterruptedException {
        Path log = home.resolve("log/gateway.log");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = STARTED.matcher(Files.readString(log));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            Thread.sleep(50); // polling a file for a condition, bounded by the deadline
        }
        throw new AssertionError("no 'Started Jetty ... HTTP:<port>' line in " + log + " within " + WAIT + ":\n"
                + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }

    /** Copies the console bundle of the distribution into the copy's deploy/. */
    static void deployConsole(Path home) throws IOException {
        deployBundle(home, "web-console-*.jar");
    }

    /** Copies the distribution's bundle {@code glob} (in bundles/) into the copy's deploy/. */
    static void deployBundle(Path home, String glob) throws IOException {
        Path bundles = Path.of(System.getProperty("gateway.dir")).resolve("bundles");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, glob)) {
            for (Path jar : jars) {
                Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                return;
            }
        }
        throw new AssertionError("no " + glob + " in " + bundles);
    }

    /** The addresses (hex, as in /proc/net/tcp*) of the sockets listening on {@code port}. */
    static List<String> listeners(int port) throws IOException {
        List<String> out = new ArrayList<>();
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String table : new String[] { "/proc/net/tcp", "/proc/net/tcp6" }) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st ...; st 0A = LISTEN
                if (f.length > 3 && f[3].equals("0A") && f[1].endsWith(":" + hexPort)) {
                    out.add(f[1]);
                }
            }
        }
        return out;
    }

    @Test
    void listensOnLoopbackOnlyAndServesTheConsoleHealth(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        deployConsole(home);
        GatewayProcessIT.Running g = gateway.start(home, "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
        int port = awaitHttpPort(home);

        List<String> listening = listeners(port);
        assertFalse(listening.isEmpty(), "nothing listens on port " + port);
        for (String a : listening) {
            // 127.0.0.1 as /proc writes it (IPv4 little-endian, or IPv4-mapped in tcp6); never all interfaces
            String addr = a.substring(0, a.indexOf(':'));
            assertTrue(addr.equals("0100007F") || addr.equals("0000000000000000FFFF00000100007F"), "HTTP listener " + a
                    + " is not 127.0.0.1");
        }

        HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
        HttpResponse<String> health = awaitStatus(http, URI.create("http://127.0.0.1:" + port + "/health"), 200);
        assertEquals("{\"status\":\"UP\"}", health.body());
        assertTrue(health.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), health.headers().toString());

        // The browser-test set-up (web/browser-test) reaches it too.
        BrowserScript.Result r = BrowserScript.run(Path.of("src/test/resources/browser/health.js"), Duration.ofSeconds(120),
                "http://127.0.0.1:" + port);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("status 200") && r.output().contains("body {\"status\":\"UP\"}"), r.output());
        System.out.println("BROWSER health page in " + r.millis() + " ms (node + chromium start included)");
    }

    /**
     * The README's "serving the LAN over HTTPS only" settings (here on loopback and a free port): the
     * console answers over HTTPS with the configured certificate, the session cookie is Secure, and
     * no plain HTTP listener runs.
     */
    @Test
    void httpsOnlyWithTheConfiguredCertificateServesTheConsoleWithSecureCookies(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        deployConsole(home);
        Path keystore = Files.createDirectories(home.resolve("secrets")).resolve("https.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "https-pass",
                "-alias", "gateway", "-keyalg", "EC", "-dname", "CN=gateway", "-ext", "SAN=ip:127.0.0.1", "-validity", "2")
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool: " + out);
        Files.writeString(home.resolve("etc/gateway.properties"), "\norg.apache.felix.http.enable=false\n"
                + "org.apache.felix.https.enable=true\norg.osgi.service.http.port.secure=0\n"
                + "org.apache.felix.https.keystore=" + keystore + "\norg.apache.felix.https.keystore.password=https-pass\n"
                + "org.apache.felix.https.keystore.key.password=https-pass\n", java.nio.charset.StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        String password = "tls only";
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.console.cfg"),
                "adminPasswordHash=" + ConsoleBrowserIT.hash(password) + "\n");
        GatewayProcessIT.Running g = gateway.start(home, "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
        Path log = home.resolve("log/gateway.log");
        Matcher started = Pattern.compile("Started Jetty \\S+ at port\\(s\\) (\\S+)").matcher("");
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean found = false;
        while (!found && System.nanoTime() < deadline) {
            found = Files.exists(log) && started.reset(Files.readString(log)).find();
            if (!found) {
                Thread.sleep(50); // polling a file for a condition, bounded by the deadline
            }
        }
        assertTrue(found, "no Jetty start line in " + log + " within " + WAIT);
        Matcher https = Pattern.compile("^HTTPS:(\\d+)$").matcher(started.group(1));
        assertTrue(https.find(), "HTTPS only, no plain HTTP listener: " + started.group(0));
        int port = Integer.parseInt(https.group(1));

        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            trust.load(in, "https-pass".toCharArray());
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        HttpClient http = HttpClient.newBuilder().sslContext(ctx).connectTimeout(WAIT).build();
        HttpResponse<String> health = awaitStatus(http, URI.create("https://127.0.0.1:" + port + "/health"), 200);
        assertEquals("{\"status\":\"UP\"}", health.body());
        assertTrue(health.sslSession().isPresent() && health.sslSession().get().getPeerCertificates().length > 0,
                "served over TLS with the configured certificate");
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/login"))
                .timeout(WAIT).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=admin&password=" + java.net.URLEncoder.encode(password,
                        java.nio.charset.StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, login.statusCode(), login.body());
        String cookie = login.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(cookie.startsWith("rsconsole=") && cookie.contains("Secure") && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict"), cookie);
    }

    @Test
    void servesJakartaWebSocketEndpointsOfABundle(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        TestBundles.webSocketEcho(home.resolve("deploy/wsecho.jar"));
        GatewayProcessIT.Running g = gateway.start(home, "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
        int port = awaitHttpPort(home);
        HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
        awaitStatus(http, URI.create("http://127.0.0.1:" + port + "/test-ws/init"), 200);

        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().connectTimeout(WAIT)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + WebSocketEcho.PATH), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            reply.complete(text.toString());
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        reply.completeExceptionally(error);
                    }
                }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        ws.sendText("hello", true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("echo:hello", reply.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** {@code jar} with its manifest's Bundle-Version set to {@code version}. */
    static byte[] withVersion(Path jar, String version) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.jar.JarInputStream in = new java.util.jar.JarInputStream(Files.newInputStream(jar))) {
            java.util.jar.Manifest mf = in.getManifest();
            mf.getMainAttributes().putValue("Bundle-Version", version);
            try (java.util.jar.JarOutputStream j = new java.util.jar.JarOutputStream(out, mf)) {
                for (java.util.jar.JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    j.putNextEntry(new java.util.jar.JarEntry(e.getName()));
                    in.transferTo(j);
                }
            }
        }
        return out.toByteArray();
    }

    /** GETs /api/bundles until {@code pattern} matches (or, with {@code absent}, no longer matches). */
    static Matcher awaitBundles(HttpClient http, String base, String token, String pattern, boolean absent) throws Exception {
        return awaitApi(http, base + "/api/bundles", token, pattern, absent);
    }

    /** GETs {@code url} until {@code pattern} matches. */
    static Matcher awaitApi(HttpClient http, String url, String token, String pattern) throws Exception {
        return awaitApi(http, url, token, pattern, false);
    }

    /** GETs {@code url} until {@code pattern} matches (or, with {@code absent}, no longer matches). */
    static Matcher awaitApi(HttpClient http, String url, String token, String pattern, boolean absent) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(WAIT)
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            body = r.body();
            Matcher m = Pattern.compile(pattern).matcher(body);
            if (r.statusCode() == 200 && m.find() != absent) {
                return m;
            }
            Thread.sleep(100); // polling for a condition, bounded by the deadline
        }
        throw new AssertionError(url + " never " + (absent ? "lost " : "matched ") + pattern + " within " + WAIT + ": " + body);
    }

    @Test
    void consoleInstallsUpdatesAndUninstallsBundlesThroughTheDeployFolderAndShowsSmtpServers(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        deployConsole(home);
        String token = "bundle-api-token";
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.console.cfg"),
                "apiTokenHash=" + ConsoleBrowserIT.hash(token) + "\n");
        // a mail server: the SMTP bundle publishes it on the Devices page (nothing is sent to it)
        deployBundle(home, "smtp-*.jar");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.smtp.server-relay.cfg"),
                "name=relay\nhost=127.0.0.1\nport=2525\ntls=OFF\nauthMechanism=NONE\n");
        Path jar = TestBundles.peerClient(home.resolve("peerclient-build.jar"));
        GatewayProcessIT.Running g = gateway.start(home, "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
        int port = awaitHttpPort(home);
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
        awaitStatus(http, URI.create(base + "/health"), 200);
        java.util.function.BiFunction<String, byte[], HttpResponse<String>> post = (path, body) -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT)
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/java-archive")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(path, e);
            }
        };
        String bsn = Pattern.quote(TestBundles.PEER_CLIENT_BSN);
        awaitBundles(http, base, token, "\"symbolicName\":\"org.rawsockets.console\"", false);
        awaitApi(http, base + "/api/devices", token, "\\{\"name\":\"relay\",\"kind\":\"smtp\",\"endpoint\":\"127\\.0\\.0\\.1:2525\","
                + "\"state\":\"IDLE \\(0 ok, 0 failed\\)\"");

        HttpResponse<String> installed = post.apply("/api/bundles", Files.readAllBytes(jar));
        assertEquals(202, installed.statusCode(), installed.body());
        Matcher m = awaitBundles(http, base, token, "\"id\":(\\d+),\"symbolicName\":\"" + bsn
                + "\",\"version\":\"1\\.0\\.0\",\"state\":\"ACTIVE\"", false);
        long id = Long.parseLong(m.group(1));

        HttpResponse<String> updated = post.apply("/api/bundles/" + id + "/update", withVersion(jar, "1.0.1"));
        assertEquals(202, updated.statusCode(), updated.body());
        awaitBundles(http, base, token, "\"id\":" + id + ",\"symbolicName\":\"" + bsn
                + "\",\"version\":\"1\\.0\\.1\",\"state\":\"ACTIVE\"", false);

        // update from a URL: the console fetches through its own socket service (loopback: the default grants)
        byte[] v102 = withVersion(jar, "1.0.2");
        com.sun.net.httpserver.HttpServer repo = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 10);
        repo.createContext("/peer.jar", ex -> {
            ex.sendResponseHeaders(200, v102.length);
            ex.getResponseBody().write(v102);
            ex.close();
        });
        repo.start();
        try {
            String url = "http://127.0.0.1:" + repo.getAddress().getPort() + "/peer.jar";
            HttpResponse<String> fetched = http.send(HttpRequest.newBuilder(URI.create(base + "/api/bundles/" + id + "/update"))
                    .timeout(WAIT).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("url=" + java.net.URLEncoder.encode(url, java.nio.charset.StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, fetched.statusCode(), fetched.body());
        } finally {
            repo.stop(0);
        }
        awaitBundles(http, base, token, "\"id\":" + id + ",\"symbolicName\":\"" + bsn
                + "\",\"version\":\"1\\.0\\.2\",\"state\":\"ACTIVE\"", false);
        awaitApi(http, base + "/api/audit?owner=org.rawsockets.console&outcome=OPENED", token,
                "org\\.rawsockets\\.console \\[\\d+\\]");

        Matcher mina = awaitBundles(http, base, token, "\"id\":(\\d+),\"symbolicName\":\"org\\.rawsockets\\.socket\\.mina\"", false);
        assertEquals(409, post.apply("/api/bundles/" + mina.group(1) + "/uninstall", new byte[0]).statusCode());
        HttpResponse<String> removed = post.apply("/api/bundles/" + id + "/uninstall", new byte[0]);
        assertEquals(202, removed.statusCode(), removed.body());
        awaitBundles(http, base, token, "\"symbolicName\":\"" + bsn + "\"", true);
        assertFalse(Files.exists(home.resolve("deploy/" + TestBundles.PEER_CLIENT_BSN + ".jar")));
    }

    @Test
    void consoleDevicesPageListsTheDevicesOfEveryProtocolBundleInTheRunningGateway(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        deployConsole(home);
        for (String b : new String[] { "modbus-*.jar", "smtp-*.jar", "mqtt-*.jar", "irc-*.jar", "ssh-*.jar", "coap-*.jar",
                "print-*.jar" }) {
            deployBundle(home, b);
        }
        Path lib = Path.of(System.getProperty("gateway.dir")).resolve("bundles/ssh-lib");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(lib, "sshd-*.jar")) {
            for (Path j : jars) {
                Files.copy(j, home.resolve("deploy").resolve(j.getFileName()));
            }
        }
        int closed; // a loopback port nobody listens on: devices that connect on their own fail fast there
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String token = "devices-api-token";
        Path etc = home.resolve("etc");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.console.cfg"), "apiTokenHash=" + ConsoleBrowserIT.hash(token) + "\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.modbus.device-plc.cfg"),
                "name=plc\nhost=127.0.0.1\nport=" + closed + "\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.smtp.server-relay.cfg"),
                "name=relay\nhost=127.0.0.1\nport=" + closed + "\ntls=OFF\nauthMechanism=NONE\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.mqtt.broker-hub.cfg"),
                "name=hub\nhost=127.0.0.1\nport=" + closed + "\nclientId=gateway-hub\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.irc.network-chat.cfg"),
                "name=chat\nhost=127.0.0.1\nport=" + closed + "\ntls=false\nnick=gatewaybot\n");
        Path key = home.resolve("router-key");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertTrue(keygen.waitFor(30, TimeUnit.SECONDS) && keygen.exitValue() == 0, new String(keygen.getInputStream().readAllBytes()));
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.ssh.host-router.cfg"),
                "name=router\nhost=127.0.0.1\nport=" + closed + "\nuser=admin\nkeyFile=" + key + "\nhostKeyMode=accept-new\nknownHosts=" + home.resolve("known_hosts") + "\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.coap.device-sensor.cfg"),
                "name=sensor\nhost=127.0.0.1\nport=" + closed + "\n");
        GatewayProcessIT.writeAtomically(etc.resolve("org.rawsockets.print.printer-office.cfg"),
                "name=office\nuri=ipp://127.0.0.1:" + closed + "/ipp/print\n");
        GatewayProcessIT.Running g = gateway.start(home, "--headless");
        g.awaitLine("gateway ready in|gateway started", WAIT);
        String base = "http://127.0.0.1:" + awaitHttpPort(home);
        HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
        awaitStatus(http, URI.create(base + "/health"), 200);
        String at = "127\\.0\\.0\\.1:" + closed;
        // each bundle's DS component publishes its DeviceStatusProvider; the console imports none of them
        String[][] expected = {
                { "plc", "modbus-tcp", "tcp " + at },
                { "relay", "smtp", at },
                { "hub", "mqtt-5", "mqtt " + at },
                { "chat", "irc", at },
                { "router", "ssh", "admin@" + at },
                { "sensor", "coap", "coap://" + at },
                { "office", "ipp", "ipp://" + at + "/ipp/print" } };
        for (String[] d : expected) {
            awaitApi(http, base + "/api/devices", token,
                    "\\{\"name\":\"" + d[0] + "\",\"kind\":\"" + d[1] + "\",\"endpoint\":\"" + d[2] + "\",\"state\":\"[^\"]+\"");
        }
        // a device whose bundle goes away leaves the page: the printer with the print bundle
        try (DirectoryStream<Path> print = Files.newDirectoryStream(home.resolve("deploy"), "print-*.jar")) {
            for (Path p : print) {
                Files.delete(p);
            }
        }
        awaitApi(http, base + "/api/devices", token, "\"name\":\"office\"", true);
        awaitApi(http, base + "/api/devices", token, "\"name\":\"sensor\"");
    }

    /** GETs {@code uri} until it answers {@code status} (the servlet registers after the bundle starts). */
    static HttpResponse<String> awaitStatus(HttpClient http, URI uri, int status) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = http.send(HttpRequest.newBuilder(uri).timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(50); // polling for a condition, bounded by the deadline
        }
        throw new AssertionError(uri + " did not answer " + status + " within " + WAIT + "; last: "
                + (last == null ? "none" : last.statusCode() + " " + last.body()));
    }
}
