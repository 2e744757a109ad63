package org.rawsockets.coap.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * EC (P-256) certificates made by the openssl CLI for the coaps tests, in a directory of the test: a
 * CA and a second, unrelated CA; server certificates issued by the first naming {@code coap.test} and
 * 127.0.0.1, or {@code coap.test} only; client certificates issued by each CA. Keys are unencrypted
 * PKCS#8 ({@code BEGIN PRIVATE KEY}), as {@code openssl req -nodes} writes them; the server keys'
 * public halves ({@code server.pub}, {@code server-dns.pub}) and the server key for libcoap's raw
 * public key option ({@code server-rpk.pem}).
 */
final class TestCertificates {

    /** The passphrase of {@code client-enc.key}. */
    static final String CLIENT_KEY_PASSPHRASE = "correct horse battery staple";

    final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Makes the whole set in {@code dir} (about a second of openssl). */
    static TestCertificates create(Path dir) throws Exception {
        TestCertificates t = new TestCertificates(dir);
        t.ca("ca", "Test CoAP CA");
        t.ca("other-ca", "Unrelated CA");
        t.issue("server", "coap.test", "ca", "subjectAltName=DNS:coap.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        t.issue("server-dns", "coap.test", "ca", "subjectAltName=DNS:coap.test\nextendedKeyUsage=serverAuth\n");
        t.issue("server-sni", "sensor-7.example", "ca", "subjectAltName=DNS:sensor-7.example\nextendedKeyUsage=serverAuth\n");
        t.issue("client", "rawsockets-gw", "ca", "extendedKeyUsage=clientAuth\n");
        t.issue("rogue-client", "rawsockets-gw", "other-ca", "extendedKeyUsage=clientAuth\n");
        t.run("openssl", "pkey", "-in", t.key("server").toString(), "-pubout", "-out", t.file("server.pub").toString());
        t.run("openssl", "pkey", "-in", t.key("server-dns").toString(), "-pubout", "-out",
                t.file("server-dns.pub").toString());
        // the client key encrypted with PBES2 (AES-256-CBC), as OpenSSL 3 writes it
        t.run("openssl", "pkcs8", "-topk8", "-in", t.key("client").toString(), "-out", t.file("client-enc.key")
                .toString(), "-v2", "aes-256-cbc", "-passout", "pass:" + CLIENT_KEY_PASSPHRASE);
        // libcoap's -M file for a raw public key: the key in SEC1 form (BEGIN EC PRIVATE KEY)
        t.run("openssl", "ec", "-in", t.key("server").toString(), "-out", t.file("server-rpk.pem").toString());
        return t;
    }

    /**
     * Adds RSA (2048-bit) and Ed25519 ones to the set, for the tests of other key kinds:
     * {@code rsa-ca}; issued by it {@code rsa-server} (coap.test, 127.0.0.1), {@code rsa-client} and
     * the EC {@code ec-client-rsaca}; issued by the EC {@code ca} the RSA {@code rsa-client-ecca}, the
     * Ed25519 {@code ed-client} and {@code ed-server} (127.0.0.1), and an Ed448 {@code ed448-client};
     * {@code rsa-client-pkcs1.key}: the RSA client key as a traditional PKCS#1 file, and
 * {@code rsa-client-enc.key} encrypted (PBES2, AES-256-CBC) with {@link #CLIENT_KEY_PASSPHRASE}.
     */
    TestCertificates withOtherKinds() throws Exception {
        ca("rsa-ca", "Test RSA CA", RSA);
        String server = "subjectAltName=DNS:coap.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
        issue("rsa-server", "coap.test", "rsa-ca", server, RSA);
        issue("rsa-client", "rsa-gw", "rsa-ca", "extendedKeyUsage=clientAuth\n", RSA);
        issue("ec-client-rsaca", "ec-gw", "rsa-ca", "extendedKeyUsage=clientAuth\n", EC);
        issue("rsa-client-ecca", "rsa-gw-ecca", "ca", "extendedKeyUsage=clientAuth\n", RSA);
        issue("ed-client", "ed-gw", "ca", "extendedKeyUsage=clientAuth\n", List.of("-newkey", "ed25519"));
        issue("ed-server", "coap.test", "ca", server, List.of("-newkey", "ed25519"));
        issue("ed448-client", "ed448-gw", "ca", "extendedKeyUsage=clientAuth\n", List.of("-newkey", "ed448"));
        run("openssl", "pkey", "-in", key("rsa-client").toString(), "-traditional", "-out",
                file("rsa-client-pkcs1.key").toString());
        run("openssl", "pkcs8", "-topk8", "-in", key("rsa-client").toString(), "-out", file("rsa-client-enc.key")
                .toString(), "-v2", "aes-256-cbc", "-passout", "pass:" + CLIENT_KEY_PASSPHRASE);
        return this;
    }

    /**
     * A certificate revocation list of {@code ca}, made by {@code openssl ca -gencrl} in {@code name}.pem:
     * {@code revoked} certificates of the set revoked for key compromise; this update and the next at the
     * given times ({@code YYYYMMDDHHMMSSZ}), or from now for a day when {@code null}.
     */
    Path crl(String name, String ca, List<String> revoked, String lastUpdate, String nextUpdate) throws Exception {
        Path db = Files.createDirectories(file(name + "-db"));
        Files.writeString(db.resolve("index.txt"), "");
        Files.writeString(db.resolve("crlnumber"), "01\n");
        Path cnf = db.resolve("ca.cnf");
        Files.writeString(cnf, "[ ca ]\ndefault_ca = crl\n[ crl ]\ndatabase = " + db.resolve("index.txt")
                + "\ncrlnumber = " + db.resolve("crlnumber") + "\ncertificate = " + cert(ca) + "\nprivate_key = "
                + key(ca) + "\ndefault_md = sha256\ndefault_crl_days = 1\n");
        for (String who : revoked) {
            run("openssl", "ca", "-config", cnf.toString(), "-revoke", cert(who).toString(), "-crl_reason",
                    "keyCompromise");
        }
        List<String> cmd = new ArrayList<>(List.of("openssl", "ca", "-config", cnf.toString(), "-gencrl", "-out",
                file(name + ".pem").toString()));
        if (lastUpdate != null) {
            cmd.addAll(List.of("-crl_lastupdate", lastUpdate, "-crl_nextupdate", nextUpdate));
        }
        run(cmd.toArray(String[]::new));
        return file(name + ".pem");
    }

    private static final List<String> EC = List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    private static final List<String> RSA = List.of("-newkey", "rsa:2048");

    Path cert(String who) {
        return file(who + ".pem");
    }

    Path key(String who) {
        return file(who + ".key");
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    private void ca(String who, String cn) throws Exception {
        ca(who, cn, EC);
    }

    private void ca(String who, String cn, List<String> newKey) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "req", "-x509"));
        cmd.addAll(newKey);
        cmd.addAll(List.of("-nodes", "-keyout", key(who).toString(), "-out", cert(who).toString(), "-days", "2",
                "-subj", "/CN=" + cn));
        run(cmd.toArray(String[]::new));
    }

    private void issue(String who, String cn, String ca, String extensions) throws Exception {
        issue(who, cn, ca, extensions, EC);
    }

    private void issue(String who, String cn, String ca, String extensions, List<String> newKey) throws Exception {
        Path ext = file(who + ".ext");
        Files.writeString(ext, extensions);
        List<String> cmd = new ArrayList<>(List.of("openssl", "req"));
        cmd.addAll(newKey);
        cmd.addAll(List.of("-nodes", "-keyout", key(who).toString(), "-out", file(who + ".csr").toString(), "-subj",
                "/CN=" + cn));
        run(cmd.toArray(String[]::new));
        run("openssl", "x509", "-req", "-in", file(who + ".csr").toString(), "-CA", cert(ca).toString(), "-CAkey",
                key(ca).toString(), "-CAcreateserial", "-out", cert(who).toString(), "-days", "2", "-extfile",
                ext.toString());
    }

    private void run(String... cmd) throws Exception {
        Path out = Files.createTempFile(dir, "openssl-", ".out");
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl did not finish in 60 s: " + new ArrayList<>(List.of(cmd)));
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(List.of(cmd) + " exited with " + p.exitValue() + ": "
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
    }
}
