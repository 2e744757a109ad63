package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A CA, a server certificate (localhost, 127.0.0.1) and an EC client certificate made by openssl. */
final class TestPki {
    final Path dir;
    final String caPem;
    final String serverPem;
    final String serverKey;
    final String clientPem;
    final String clientKey;

    private static TestPki instance;

    static synchronized TestPki get() throws Exception {
        if (instance == null) {
            instance = new TestPki(Path.of("target", "test-pki"));
        }
        return instance;
    }

    private TestPki(Path dir) throws Exception {
        this.dir = dir;
        Files.createDirectories(dir);
        if (!Files.exists(dir.resolve("server.pk8"))) {
            generate();
        }
        caPem = read("ca.pem");
        serverPem = read("server.pem");
        serverKey = read("server.pk8");
        clientPem = read("client.pem");
        clientKey = read("client.pk8");
    }

    private void generate() throws Exception {
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=Raw Sockets Test CA");
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=localhost");
        run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                "client.key", "-out", "client.csr", "-subj", "/CN=test-client");
        run("openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "client.pem", "-days", "2");
        run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "client.key", "-out", "client.pk8");
        run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "server.key", "-out", "server.pk8");
    }

    private String read(String f) throws IOException {
        return Files.readString(dir.resolve(f), StandardCharsets.US_ASCII);
    }

    private void run(String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("openssl is missing: run .ci/setup (installs .ci/apt-packages.txt)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** A server-side JDK context with the server certificate, trusting the CA for client certificates. */
    SSLContext serverContext() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        List<java.security.cert.X509Certificate> chain = TlsSupport.certificates(serverPem, "server");
        ks.setKeyEntry("server", TlsSupport.privateKey(serverKey), new char[0], chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", TlsSupport.certificates(caPem, "ca").get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
