package org.rawsockets.socket.contract;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away PKI made by the {@code openssl} command line (an independent tool, not the JDK
 * under test): a CA, a server certificate for {@code localhost}/127.0.0.1, a second server
 * certificate for {@link #SNI_NAME} (served by {@code openssl s_server -cert2} only when that SNI
 * name is sent), a client certificate for mutual TLS, and a CA nobody trusts. Keys are EC P-256,
 * PEM PKCS#8. Made once per JVM in a temp directory deleted at exit.
 */
public final class TestPki {

    public static final String SNI_NAME = "sni.contract.test";
    public static final String CLIENT_CN = "contract-client";

    private static TestPki instance;

    public final Path dir;

    private TestPki(Path dir) {
        this.dir = dir;
    }

    public static synchronized TestPki get() {
        if (instance == null) {
            instance = create();
        }
        return instance;
    }

    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    public Path serverPem() {
        return dir.resolve("server.pem");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    public Path sniPem() {
        return dir.resolve("sni.pem");
    }

    public Path sniKey() {
        return dir.resolve("sni.key");
    }

    public Path clientPem() {
        return dir.resolve("client.pem");
    }

    public Path clientKey() {
        return dir.resolve("client.key");
    }

    public Path otherCaPem() {
        return dir.resolve("other-ca.pem");
    }

    public String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A server-side SSLContext with the localhost certificate, trusting the CA (for JDK peers). */
    public SSLContext serverContext() {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            X509Certificate cert = (X509Certificate) cf
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(serverPem())));
            X509Certificate ca = (X509Certificate) cf
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(caPem())));
            String pem = read(serverKey());
            String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("EC")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, new char[0], new Certificate[] { cert, ca });
            ks.setCertificateEntry("ca", ca);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new AssertionError("cannot build the JDK peer's SSLContext from the openssl PKI: " + e, e);
        }
    }

    private static TestPki create() {
        try {
            Path dir = Files.createTempDirectory("contract-pki");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> org.rawsockets.socket.testing.TempDirs.delete(dir)));
            TestPki pki = new TestPki(dir);
            pki.ca("ca", "Contract Test CA");
            pki.ca("other-ca", "Untrusted Test CA");
            pki.leaf("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
                    + "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
            pki.leaf("sni", SNI_NAME,
                    "subjectAltName=DNS:" + SNI_NAME + "\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
            pki.leaf("client", CLIENT_CN, "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n");
            return pki;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void ca(String name, String cn) {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "3", "-subj", "/CN=" + cn,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    private void leaf(String name, String cn, String ext) throws IOException {
        Files.writeString(dir.resolve(name + ".ext"), ext);
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "3", "-extfile", name + ".ext");
    }

    private void openssl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("openssl failed: " + cmd + "\n" + out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run openssl (" + e.getMessage()
                    + "): run 'bash .ci/setup' to install the test peers listed in .ci/apt-packages.txt", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
