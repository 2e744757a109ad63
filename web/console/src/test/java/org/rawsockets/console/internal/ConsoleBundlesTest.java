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
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
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

    private final MinaSocketEngine engine = MinaSocketEngine.standalone();
    private final List<Bundle> bundles = new ArrayList<>();
    private ConsoleServlet servlet;
    private String cookie;
    private String csrf;

    @BeforeEach
    void start() throws Exception {
        bundles.add(bundle(0, "org.apache.felix.framework", "System Bundle"));
        bundles.add(bundle(3, "org.rawsockets.mqtt", deploy.resolve("org.rawsockets.mqtt.jar").toUri().toString()));
        bundles.add(bundle(4, "org.rawsockets.socket.mina", system.resolve("socket-impl-mina.jar").toUri().toString()));
        bundles.add(bundle(5, "org.rawsockets.console", deploy.resolve("web-console.jar").toUri().toString()));
        Files.write(deploy.resolve("org.rawsockets.mqtt.jar"), jar("org.rawsockets.mqtt", "1.0.0", 10));
        BundleContext context = context();
        PolicyComponent policy = new PolicyComponent(Map.of("defaultGrants", "false"));
        ConfigurationAdmin cm = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ConfigurationAdmin.class }, (p, m, a) -> {
                    throw new UnsupportedOperationException(m.getName());
                });
        servlet = new ConsoleServlet(context, engine.admin(), new PolicyAdminComponent(context, policy, new RingAuditLog(10), cm, null),
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
        assertTrue(Pattern.compile("\"symbolicName\":\"org.rawsockets.console\"[^}]*\"changeable\":false").matcher(r.body()).find(), r.body());
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

    @Test
    void updateFromAnHttpUrlFetchesTheJar() throws Exception {
        byte[] v3 = jar("org.rawsockets.mqtt", "3.0.0", 30);
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 10);
        http.createContext("/mqtt.jar", ex -> {
            ex.sendResponseHeaders(200, v3.length);
            ex.getResponseBody().write(v3);
            ex.close();
        });
        http.start();
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();
            Fakes.Resp ok = call(post("/api/bundles/3/update").param("url", base + "/mqtt.jar")
                    .body("application/x-www-form-urlencoded", new byte[0]));
            assertEquals(202, ok.status, ok.body());
            assertArrayEquals(v3, Files.readAllBytes(deploy.resolve("org.rawsockets.mqtt.jar")));
            Fakes.Resp missing = call(post("/api/bundles/3/update").param("url", base + "/nothing.jar")
                    .body("application/x-www-form-urlencoded", new byte[0]));
            assertEquals(502, missing.status, missing.body());
        } finally {
            http.stop(0);
        }
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
        return (Bundle) Proxy.newProxyInstance(ConsoleBundlesTest.class.getClassLoader(), new Class<?>[] { Bundle.class },
                (p, m, a) -> switch (m.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> bsn;
                    case "getLocation" -> location;
                    case "getVersion" -> new Version(1, 0, 0);
                    case "getState" -> Bundle.ACTIVE;
                    case "getLastModified" -> 1L;
                    case "getHeaders" -> new java.util.Hashtable<String, String>();
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
