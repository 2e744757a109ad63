package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.coap.CoapHandshakeException;
import org.rawsockets.coap.internal.shell.CoapCommands;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;

/**
 * The certificate part of the device configuration ({@code caCertificatesPath}, {@code serverName},
 * {@code verifyHostname}, {@code clientCertificatePath}, {@code clientKeyPath},
 * {@code serverPublicKeyPath}): configured devices used through the shell against
 * {@code coap-server-openssl}, and the rules (every file read and parsed at activation, one keying
 * per device, the suites of that keying), each a one-line rejection naming the property.
 */
class CertificateConfigTest extends CoapTestSupport {

    @TempDir
    static Path dir;
    static TestCertificates pki;
    final ConfigRegistry registry = new ConfigRegistry(DeviceConfig.PID, "CoAP device");

    @BeforeAll
    static void certificates() throws Exception {
        pki = TestCertificates.create(dir);
    }

    @TempDir
    Path secretsDir;
    final List<String> removed = new java.util.ArrayList<>();

    CoapDeviceComponent component(Map<String, Object> props) {
        Map<String, Object> p = new HashMap<>(props);
        p.putIfAbsent("service.pid", DeviceConfig.PID + "." + p.get("name"));
        CoapDeviceComponent c = new CoapDeviceComponent(sockets, p, new SecretFiles(secretsDir.toString()), registry,
                removed::add);
        closing(c::deactivate);
        return c;
    }

    static Map<String, Object> device(String name, int port, Object... more) {
        Map<String, Object> p = new HashMap<>(Map.of("name", name, "host", "127.0.0.1", "port", port, "dtls", true,
                "caCertificatesPath", pki.cert("ca").toString(), "handshakeTimeoutMillis", 5000L));
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return p;
    }

    @Test
    void configuredDevicesWithCertificatesThroughTheShell() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), pki.cert("ca")));
        CoapDeviceComponent mutual = component(device("mutual", server.dtlsPort(), "clientCertificatePath",
                pki.cert("client").toString(), "clientKeyPath", pki.key("client").toString()));
        CoapDeviceComponent anonymous = component(device("anonymous", server.dtlsPort()));
        CoapCommands shell = new CoapCommands(List.of(mutual, anonymous), null);
        String got = shell.get(false, -1, "mutual", "/");
        assertTrue(got.startsWith("2.05 ") && got.contains("This is a test server made with libcoap"), got);
        assertEquals("coaps://127.0.0.1:" + server.dtlsPort(), mutual.deviceStatus().endpoint());
        // the server demands a client certificate: the shell shows the typed reason
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> shell.get(false, -1, "anonymous",
                "/"));
        assertEquals(CoapHandshakeException.Reason.CLIENT_CERTIFICATE_REQUIRED, e.reason(), e.getMessage());
        String devices = shell.devices();
        assertTrue(devices.contains("mutual  127.0.0.1:" + server.dtlsPort() + "  open coaps, certificates (CA "
                + pki.cert("ca") + ", server name '127.0.0.1', client certificate " + pki.cert("client") + ")"),
                devices);
    }

    @Test
    void theShellFindsTheConfiguredDeviceByItsCoapsUri() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        Libcoap other = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        CoapDeviceComponent lab = component(device("lab", server.dtlsPort()));
        CoapDeviceComponent twin1 = component(device("twin1", other.dtlsPort()));
        CoapDeviceComponent twin2 = component(device("twin2", other.dtlsPort()));
        CoapCommands shell = new CoapCommands(List.of(lab, twin1, twin2), null);
        String uri = "coaps://127.0.0.1:" + server.dtlsPort();
        assertEquals(uri, lab.uri());
        String got = shell.get(false, -1, uri + "/");
        assertTrue(got.startsWith("2.05 ") && got.contains("This is a test server made with libcoap"), got);
        shell.put(0, false, "lab", "/example_data", "by-uri");
        assertTrue(shell.get(false, -1, uri + "/example_data").contains("by-uri"));
        // the same address over plain coap is not that device; two devices for one URI: name one
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shell.get(false, -1,
                "coap://127.0.0.1:" + server.dtlsPort() + "/"));
        assertTrue(e.getMessage().startsWith("no CoAP device configured for coap://127.0.0.1:" + server.dtlsPort()
                + " (its keys or trust come from a device configuration"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> shell.get(false, -1, "coaps://127.0.0.1:"
                + other.dtlsPort() + "/time"));
        assertEquals("several CoAP devices are configured for coaps://127.0.0.1:" + other.dtlsPort() + ": twin1, twin2;"
                + " name one: coap:get DEVICE /time", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> shell.get(false, -1, "http://127.0.0.1/"));
        assertTrue(e.getMessage().startsWith("not a coap:// or coaps:// URI with a host: http://127.0.0.1/"),
                e.getMessage());
    }

    @Test
    void serverNameAndVerifyHostnameFromTheConfiguration() throws Exception {
        // the server's certificate names coap.test only
        Libcoap server = closing(Libcoap.startPki(pki.cert("server-dns"), pki.key("server-dns"), null));
        CoapDeviceComponent byAddress = component(device("byaddr", server.dtlsPort()));
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(byAddress.get("/")));
        assertEquals(CoapHandshakeException.Reason.NAME_MISMATCH, e.reason(), e.getMessage());
        assertEquals("2.05", await(component(device("byname", server.dtlsPort(), "serverName", "coap.test"))
                .get("/")).code());
        assertEquals("2.05", await(component(device("unverified", server.dtlsPort(), "verifyHostname", false))
                .get("/")).code());
        // and by its pinned raw public key? coap-server-openssl sends certificates only: the RPK test uses GnuTLS
    }

    void secret(String name, String value) throws Exception {
        Path f = secretsDir.resolve(name);
        java.nio.file.Files.writeString(f, value + "\n");
        java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString(
                "rw-------"));
    }

    @Test
    void anEncryptedClientKeyWithItsPassphraseFromTheSecretsFolder() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), pki.cert("ca")));
        Map<String, Object> props = device("enc", server.dtlsPort(), "clientCertificatePath", pki.cert("client")
                .toString(), "clientKeyPath", pki.file("client-enc.key").toString(), ".passphrase", "secret:enc-key");
        // accepted at activation without reading the secret (it does not exist yet)
        CoapDeviceComponent c = component(props);
        CoapHandshakeException missing = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")));
        assertEquals(CoapHandshakeException.Reason.KEY_UNAVAILABLE, missing.reason(), missing.getMessage());
        assertTrue(missing.getMessage().startsWith("coap enc: clientKeyPath " + pki.file("client-enc.key")
                + " is encrypted and its passphrase cannot be read: secret 'enc-key'"), missing.getMessage());
        // a wrong passphrase: typed, the passphrase never shown
        secret("enc-key", "not the passphrase");
        CoapHandshakeException wrong = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")));
        assertEquals(CoapHandshakeException.Reason.KEY_UNAVAILABLE, wrong.reason(), wrong.getMessage());
        assertTrue(wrong.getMessage().contains("cannot be decrypted with the passphrase of .passphrase"),
                wrong.getMessage());
        assertTrue(!wrong.getMessage().contains("not the passphrase"), wrong.getMessage());
        // the right one, read at the next opening: the server accepts the client certificate
        secret("enc-key", TestCertificates.CLIENT_KEY_PASSPHRASE);
        assertEquals("2.05", await(c.get("/")).code(), server.log());
        // a literal passphrase is refused, removed from the store and never shown
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> component(device("lit", 5684,
                "clientCertificatePath", pki.cert("client").toString(), "clientKeyPath", pki.file("client-enc.key")
                        .toString(), ".passphrase", "hunter2-literal")));
        assertTrue(e.getMessage().contains(".passphrase") && !e.getMessage().contains("hunter2-literal"),
                e.getMessage());
        assertEquals(List.of(DeviceConfig.PID + ".lit"), removed);
    }

    @Test
    void certificateSettingsAreCheckedAtActivation() {
        String ca = pki.cert("ca").toString();
        assertRejected(Map.of("name", "c1", "host", "127.0.0.1", "caCertificatesPath", ca), "dtls",
                "set dtls = true to use certificates");
        assertRejected(device("c2", 5684, "pskIdentity", "gw", ".pskKey", "secret:k"), "caCertificatesPath",
                "set together with a pre-shared key");
        assertRejected(device("c3", 5684, "caCertificatesPath", dir.resolve("missing.pem").toString()),
                "caCertificatesPath", "cannot be read");
        assertRejected(device("c4", 5684, "caCertificatesPath", pki.key("ca").toString()), "caCertificatesPath",
                "holds no PEM certificate");
        assertRejected(device("c5", 5684, "clientCertificatePath", pki.cert("client").toString()), "clientKeyPath",
                "empty while clientCertificatePath is set");
        assertRejected(device("c6", 5684, "clientCertificatePath", pki.cert("client").toString(), "clientKeyPath",
                pki.key("rogue-client").toString()), "clientKeyPath", "is not the key of the first certificate");
        assertRejected(device("c7", 5684, "clientCertificatePath", pki.cert("server").toString(), "clientKeyPath",
                pki.file("server-rpk.pem").toString()), "clientKeyPath", "SEC1");
        assertRejected(device("c8", 5684, "dtlsCipherSuites", "TLS_PSK_WITH_AES_128_CCM_8"), "dtlsCipherSuites",
                "not a certificate cipher suite");
        Map<String, Object> rpk = device("c9", 5684, "serverPublicKeyPath", pki.file("server.pub").toString(),
                "serverName", "coap.test");
        rpk.remove("caCertificatesPath");
        assertRejected(rpk, "serverName", "set with a raw public key only");
        assertRejected(Map.of("name", "c10", "host", "127.0.0.1", "verifyHostname", false), "verifyHostname",
                "set without dtls");
        assertRejected(Map.of("name", "c11", "host", "127.0.0.1", "dtls", true), "pskIdentity",
                "or, for certificates, set caCertificatesPath instead");
        assertRejected(device("c12", 5684, "clientCertificatePath", pki.cert("client").toString(), "clientKeyPath",
                pki.file("client-enc.key").toString()), "clientKeyPath", "encrypted key (BEGIN ENCRYPTED PRIVATE KEY) and"
                        + " .passphrase is not set");
        assertRejected(device("c13", 5684, "clientCertificatePath", pki.cert("client").toString(), "clientKeyPath",
                pki.key("client").toString(), ".passphrase", "secret:x"), "clientKeyPath", "is not encrypted while"
                        + " .passphrase (secret x) is set");
        assertRejected(Map.of("name", "c14", "host", "127.0.0.1", ".passphrase", "secret:x"), "dtls",
                "false while .passphrase is set");
        // a certificate suite is accepted with certificates
        component(device("ok", 5684, "dtlsCipherSuites", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"));
    }

    /**
     * RSA, Ed25519 and Ed448 keys and the suites for them, at activation: an RSA or Ed25519 client
     * key with its certificate is taken; a PKCS#1 file is refused with the openssl command converting
     * it; a key of another kind than its certificate, an Ed448 key, an RSA raw public key and an RSA
     * suite for a device pinning an (EC) raw public key are one-line rejections.
     */
    @Test
    void otherKeyKindsAndTheirSuitesAreCheckedAtActivation() throws Exception {
        pki.withOtherKinds();
        String rsaCa = pki.cert("rsa-ca").toString();
        component(device("rsa", 5684, "caCertificatesPath", rsaCa, "clientCertificatePath", pki.cert("rsa-client")
                .toString(), "clientKeyPath", pki.key("rsa-client").toString(), "dtlsCipherSuites",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
        component(device("ed", 5684, "clientCertificatePath", pki.cert("ed-client").toString(), "clientKeyPath",
                pki.key("ed-client").toString()));
        // an encrypted RSA key, decrypted at the opening
        CertificateSettings encrypted = new CertificateSettings(pki.cert("rsa-ca"), null, true, null,
                pki.cert("rsa-client"), pki.file("rsa-client-enc.key"), "rsa-key", () -> TestCertificates
                        .CLIENT_KEY_PASSPHRASE, null);
        assertEquals("RSA", encrypted.read(true).clientKey().getAlgorithm());
        assertRejected(device("k1", 5684, "clientCertificatePath", pki.cert("rsa-client").toString(), "clientKeyPath",
                pki.file("rsa-client-pkcs1.key").toString()), "clientKeyPath", "holds a PKCS#1 RSA key (BEGIN RSA"
                        + " PRIVATE KEY), which is not read here; convert it to PKCS#8 (BEGIN PRIVATE KEY) with"
                        + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8'");
        assertRejected(device("k2", 5684, "clientCertificatePath", pki.cert("rsa-client").toString(), "clientKeyPath",
                pki.key("client").toString()), "clientKeyPath", "holds an EC key while the first certificate of"
                        + " clientCertificatePath " + pki.cert("rsa-client") + " has an RSA key");
        assertRejected(device("k3", 5684, "clientCertificatePath", pki.cert("rsa-client").toString(), "clientKeyPath",
                pki.key("rsa-server").toString()), "clientKeyPath", "is not the key of the first certificate of"
                        + " clientCertificatePath " + pki.cert("rsa-client") + " (both RSA, but not one key pair");
        assertRejected(device("k4", 5684, "clientCertificatePath", pki.cert("ed448-client").toString(),
                "clientKeyPath", pki.key("ed448-client").toString()), "clientKeyPath", "holds an Ed448 key: DTLS client"
                        + " certificates here are RSA, EC (ECDSA) or Ed25519");
        Map<String, Object> rsaRpk = device("k5", 5684, "serverPublicKeyPath", pki.cert("rsa-server").toString());
        rsaRpk.remove("caCertificatesPath");
        assertRejected(rsaRpk, "serverPublicKeyPath", "holds a RSA key, not an EC one");
        Map<String, Object> rpkRsaSuite = device("k6", 5684, "serverPublicKeyPath", pki.file("server.pub").toString(),
                "dtlsCipherSuites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        rpkRsaSuite.remove("caCertificatesPath");
        assertRejected(rpkRsaSuite, "dtlsCipherSuites", "an RSA suite while only a raw public key is pinned");
        assertRejected(device("k7", 5684, "dtlsCipherSuites", "TLS_ECDHE_RSA_WITH_NOTHING"), "dtlsCipherSuites",
                "not a cipher suite this JVM supports");
    }

    /**
     * crlPath from configuration: a list revoking the server's certificate refuses it through the shell
     * (the lists themselves: CrlDtlsTest); read at activation; with caCertificatesPath only.
     */
    @Test
    void theCrlPathIsReadAtActivationAndGoesWithCertificates() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        Path crl = pki.crl("crl-config", "ca", List.of("server"), null, null);
        CoapDeviceComponent revoking = component(device("crl1", server.dtlsPort(), "crlPath", crl.toString()));
        CoapCommands shell = new CoapCommands(List.of(revoking), null);
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> shell.get(false, -1, "crl1", "/"));
        assertEquals(CoapHandshakeException.Reason.REVOKED_CERTIFICATE, e.reason(), e.getMessage());
        assertTrue(shell.devices().contains("revocation lists " + crl), shell.devices());
        assertRejected(device("crl2", 5684, "crlPath", pki.cert("ca").toString()), "crlPath",
                "holds no PEM certificate revocation list");
        assertRejected(device("crl3", 5684, "crlPath", dir.resolve("missing-crl.pem").toString()), "crlPath", "missing-crl.pem");
        Map<String, Object> rpk = device("crl4", 5684, "serverPublicKeyPath", pki.file("server.pub").toString(),
                "crlPath", crl.toString());
        rpk.remove("caCertificatesPath");
        assertRejected(rpk, "crlPath", "set with a raw public key only");
    }

    void assertRejected(Map<String, Object> props, String field, String words) {
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> component(props));
        assertTrue(e.getMessage().contains("field '" + field + "'") && e.getMessage().contains(words),
                "expected field '" + field + "' and '" + words + "' in: " + e.getMessage());
    }
}
