package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.coap.CoapHandshakeException;
import org.rawsockets.coap.CoapHandshakeException.Reason;

/**
 * coaps with RSA (and Ed25519) certificates against libcoap's {@code coap-server-openssl} (OpenSSL's
 * DTLS 1.2) with chains made by openssl for the test: an RSA server with an RSA or an EC client
 * certificate, an EC server with an RSA or an Ed25519 client certificate (the suite names the
 * server's kind, the client certificate's kind is negotiated apart); against Californium's own
 * DTLS server an Ed25519 server and a server taking EC client certificates only; an RSA server behind an
 * unrelated CA and an RSA server with only ECDHE_ECDSA suites configured are typed failures.
 */
class RsaCertificateDtlsTest extends CoapTestSupport {

    @TempDir
    static Path dir;
    static TestCertificates pki;

    @BeforeAll
    static void certificates() throws Exception {
        pki = TestCertificates.create(dir).withOtherKinds();
    }

    CoapClientImpl certClient(String name, int port, CertificateSettings certs, List<String> suites) {
        return client(CoapSettings.of(name, "127.0.0.1", port).withTimeout(30_000)
                .withDtls(DtlsSettings.withCertificates(certs, 10_000, suites)));
    }

    static CertificateSettings trusting(String ca) {
        return CertificateSettings.trusting(pki.cert(ca), "127.0.0.1");
    }

    /** GET / through {@code c}: 2.05; the suite negotiated; prints the time of the first exchange (handshake included). */
    /** A libcoap server, the client that reached it and the suite they agreed on. */
    record Mutual(Libcoap server, CoapClientImpl client, CipherSuite suite) {
    }

    /**
     * A GET with a client certificate to libcoap demanding one ({@code -v 6} logs the CN it
     * accepted): the server's certificate kind is {@code serverKind}, the server saw {@code cn}.
     */
    Mutual mutual(String what, String name, String serverCert, String ca, String clientCert,
            CipherSuite.CertificateKeyAlgorithm serverKind, String cn) throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert(serverCert), pki.key(serverCert), pki.cert(ca), "-v", "6"));
        CoapClientImpl c = certClient(name, server.dtlsPort(), trusting(ca).withClientCertificate(pki.cert(clientCert),
                pki.key(clientCert)), List.of());
        CipherSuite suite = getRoot(what, c, server);
        assertEquals(serverKind, suite.getCertificateKeyAlgorithm(), suite.name());
        // the server writes its log line around the handshake, not before the client sees the outcome: wait for it
        Waits.until(10_000, "the server log to say " + "CN '" + cn + "' presented by client", () -> server.log().contains("CN '" + cn + "' presented by client"), server::log);
        return new Mutual(server, c, suite);
    }

    static CipherSuite getRoot(String what, CoapClientImpl c, Libcoap server) throws Exception {
        long t0 = System.nanoTime();
        try {
            assertEquals("2.05", await(c.get("/")).code(), server.log());
        } catch (AssertionError | Exception e) {
            System.err.println(server.log());
            throw e;
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        DtlsSocketConnector connector = (DtlsSocketConnector) c.running().join().connector();
        CipherSuite suite = connector.getSessionByAddress(connector.peer()).getCipherSuite();
        System.out.println(what + ": handshake and GET in " + millis + " ms with " + suite);
        return suite;
    }

    @Test
    void anRsaServerAndAnRsaClientCertificate() throws Exception {
        // -C: the server demands a client certificate issued by the RSA CA; -v 6 logs the CN it accepted
        Mutual m = mutual("RSA server, RSA client", "rsamutual", "rsa-server", "rsa-ca", "rsa-client",
                CipherSuite.CertificateKeyAlgorithm.RSA, "rsa-gw");
        assertEquals(CipherSuite.KeyExchangeAlgorithm.EC_DIFFIE_HELLMAN, m.suite().getKeyExchange());
        assertTrue(((DtlsSocketConnector) m.client().running().join().connector()).certificates().certificateRequested());
    }

    @Test
    void anRsaServerAndAnEcClientCertificate() throws Exception {
        mutual("RSA server, EC client", "ecclient", "rsa-server", "rsa-ca", "ec-client-rsaca",
                CipherSuite.CertificateKeyAlgorithm.RSA, "ec-gw");
    }

    @Test
    void anEcServerAndAnRsaClientCertificate() throws Exception {
        Libcoap server = mutual("EC server, RSA client", "rsaclient", "server", "ca", "rsa-client-ecca",
                CipherSuite.CertificateKeyAlgorithm.EC, "rsa-gw-ecca").server();
        // the same with an ECDHE_ECDSA suite configured: the RSA client certificate still goes with it
        CoapClientImpl configured = certClient("rsaclientecdsa", server.dtlsPort(), trusting("ca")
                .withClientCertificate(pki.cert("rsa-client-ecca"), pki.key("rsa-client-ecca")),
                List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
        assertEquals(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, getRoot("EC server, RSA client, ECDSA suite",
                configured, server));
    }

    /**
     * OpenSSL 3.0's DTLS 1.2 does not serve with an Ed25519 certificate ("no shared cipher" in its
     * log, with {@code openssl s_client -dtls1_2} too): the failure names what this client offered.
     */
    @Test
    void anEd25519ServerUnderOpensslIsNoCommonCipher() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("ed-server"), pki.key("ed-server"), null));
        CoapClientImpl c = certClient("edopenssl", server.dtlsPort(), trusting("ca"), List.of());
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")), server::log);
        System.out.println("Ed25519 server under OpenSSL: " + e.getMessage());
        assertEquals(Reason.NO_COMMON_CIPHER, e.reason(), e.getMessage());
        assertTrue(e.getMessage().endsWith("refused (alert handshake_failure): no cipher suite in common; this client"
                + " offers the recommended ECDHE suites for EC (ECDSA or Ed25519) or RSA server certificates: does the"
                + " server have a certificate of such a kind, and ECDHE suites (AES-GCM, AES-CCM or AES-CBC)?"),
                e.getMessage());
        // the server writes its log line around the handshake, not before the client sees the outcome: wait for it
        Waits.until(10_000, "the server log to say " + "no shared cipher", () -> server.log().contains("no shared cipher"), server::log);
    }

    /**
     * Ed25519 against Californium's own DTLS server in the JVM: OpenSSL 3.0's DTLS 1.2 (libcoap, and
     * {@code openssl s_client -dtls1_2}) refuses an Ed25519 server certificate with "no shared
     * cipher", Scandium 3.13 on Java 17 (the JDK's EdDSA) takes it both ways.
     */
    @Test
    void ed25519ServerAndClientCertificatesAgainstCaliforniumsDtlsServer() throws Exception {
        CaliforniumDtlsServer server = closing(new CaliforniumDtlsServer(pki.cert("ed-server"), pki.key("ed-server"),
                pki.cert("ca"), List.of(CipherSuite.CertificateKeyAlgorithm.EC)));
        CoapClientImpl c = certClient("ed", server.port(), trusting("ca").withClientCertificate(pki.cert("ed-client"),
                pki.key("ed-client")), List.of());
        long t0 = System.nanoTime();
        var who = await(c.get("/who"));
        System.out.println("Ed25519 server, Ed25519 client (Californium): " + (System.nanoTime() - t0) / 1_000_000
                + " ms");
        assertEquals("2.05", who.code());
        assertEquals("CN=ed-gw", who.text());
    }

    /**
     * Californium's DTLS server with an RSA certificate that accepts EC client certificates only
     * (its CertificateRequest lists ecdsa_sign): an RSA client certificate cannot be sent, and the
     * failure says so; an EC one is accepted.
     */
    @Test
    void aServerAcceptingOnlyEcClientCertificatesAgainstAnRsaOne() throws Exception {
        CaliforniumDtlsServer server = closing(new CaliforniumDtlsServer(pki.cert("rsa-server"),
                pki.key("rsa-server"), pki.cert("rsa-ca"), List.of(CipherSuite.CertificateKeyAlgorithm.EC)));
        CoapClientImpl rsa = certClient("rsaunfit", server.port(), trusting("rsa-ca").withClientCertificate(
                pki.cert("rsa-client"), pki.key("rsa-client")), List.of());
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(rsa.get("/who")));
        System.out.println("EC-only client certificates, RSA one: " + e.getMessage());
        assertEquals(Reason.CLIENT_CERTIFICATE_REJECTED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("no client certificate could be sent: the server accepts client"
                + " certificates with [EC] keys only and clientCertificatePath " + pki.cert("rsa-client") + " has an"
                + " RSA key"), e.getMessage());
        CoapClientImpl ec = certClient("ecfit", server.port(), trusting("rsa-ca").withClientCertificate(
                pki.cert("ec-client-rsaca"), pki.key("ec-client-rsaca")), List.of());
        assertEquals("CN=ec-gw", await(ec.get("/who")).text());
    }

    /** OpenSSL takes an Ed25519 client certificate (RFC 8422), though not an Ed25519 server certificate (below). */
    @Test
    void anEcServerAndAnEd25519ClientCertificate() throws Exception {
        mutual("EC server, Ed25519 client", "edclient", "server", "ca", "ed-client",
                CipherSuite.CertificateKeyAlgorithm.EC, "ed-gw");
    }

    @Test
    void anRsaServerFromAnotherCaIsUntrusted() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("rsa-server"), pki.key("rsa-server"), null));
        CoapClientImpl c = certClient("rsauntrusted", server.dtlsPort(), trusting("ca"), List.of());
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")), server::log);
        System.out.println("RSA server, other CA: " + e.getMessage());
        assertEquals(Reason.UNTRUSTED_CERTIFICATE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("coap rsauntrusted (127.0.0.1:" + server.dtlsPort() + "): CON GET /: DTLS"
                + " handshake with 127.0.0.1:" + server.dtlsPort() + " refused by this client: the server certificate"
                + " (CN coap.test, issued by CN=Test RSA CA) is not trusted by caCertificatesPath "
                + pki.cert("ca")), e.getMessage());
        assertTrue(e.getMessage().contains("add the CA that issued it to caCertificatesPath"), e.getMessage());
    }

    @Test
    void anRsaServerWhileOnlyEcdsaSuitesAreConfiguredIsNoCommonCipher() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("rsa-server"), pki.key("rsa-server"), null));
        CoapClientImpl c = certClient("ecdsaonly", server.dtlsPort(), trusting("rsa-ca"),
                List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"));
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")), server::log);
        System.out.println("RSA server, ECDSA suites: " + e.getMessage());
        assertEquals(Reason.NO_COMMON_CIPHER, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("coap ecdsaonly (127.0.0.1:" + server.dtlsPort() + "): CON GET /: DTLS"
                + " handshake with 127.0.0.1:" + server.dtlsPort() + " refused (alert handshake_failure): no cipher"
                + " suite in common; this client offers dtlsCipherSuites TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"
                + " TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 (for EC (ECDSA or Ed25519) server certificates only): offer one"
                + " for the server's certificate kind (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)"), e.getMessage());
        // the same device with the defaults: the RSA suites are among them
        assertEquals(CipherSuite.CertificateKeyAlgorithm.RSA, getRoot("RSA server, default suites",
                certClient("defaults", server.dtlsPort(), trusting("rsa-ca"), List.of()), server)
                .getCertificateKeyAlgorithm());
    }
}
