package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.coap.CoapHandshakeException;
import org.rawsockets.coap.CoapHandshakeException.Reason;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapResponse;

/**
 * coaps with certificates: Scandium's DTLS 1.2 client on the socket service's UdpSocket against
 * libcoap's {@code coap-server-openssl} (OpenSSL's DTLS) with EC certificates made by openssl for the
 * test: a chain ending at the configured CA is accepted and the server's name checked; an unrelated
 * CA, a certificate without the address, a server demanding a client certificate we lack (or do not
 * have from its CA) and a silent peer are typed failures naming the device, the address and what to
 * configure.
 */
class CertificateDtlsTest extends CoapTestSupport {

    @TempDir
    static Path dir;
    static TestCertificates pki;

    @BeforeAll
    static void certificates() throws Exception {
        pki = TestCertificates.create(dir);
    }

    CoapClientImpl certClient(String name, int port, CertificateSettings certs, long handshakeMillis) {
        return client(CoapSettings.of(name, "127.0.0.1", port).withTimeout(30_000)
                .withDtls(DtlsSettings.withCertificates(certs, handshakeMillis, List.of())));
    }

    static CertificateSettings trusting(String ca) {
        return CertificateSettings.trusting(pki.cert(ca), "127.0.0.1");
    }

    @Test
    void aTrustedChainNamingTheAddressGivesTheResource() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        CoapClientImpl c = certClient("pki", server.dtlsPort(), trusting("ca"), 10_000);
        try {
            CoapResponse root = await(c.get("/"));
            assertEquals("2.05", root.code(), server.log());
            assertTrue(root.text().contains("This is a test server made with libcoap"), root.text());
            // a PUT inside the same session, read back through it
            assertEquals("2.01", await(c.put("/example_data", "over dtls with certificates"
                    .getBytes(StandardCharsets.UTF_8), CoapRequest.TEXT_PLAIN)).code());
            assertEquals("over dtls with certificates", await(c.get("/example_data")).text());
            assertTrue(c.status().startsWith("open coaps, certificates (CA " + pki.cert("ca")
                    + ", server name '127.0.0.1'), datagrams sent "), c.status());
            DtlsSocketConnector connector = (DtlsSocketConnector) c.running().join().connector();
            assertEquals(null, connector.certificates().problem());
            assertTrue(!connector.certificates().certificateRequested(), "this server asks for no client certificate");
        } catch (AssertionError | Exception e) {
            System.err.println(server.log());
            throw e;
        }
    }

    @Test
    void aChainFromAnotherCaIsUntrusted() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        CoapClientImpl c = certClient("untrusted", server.dtlsPort(), trusting("other-ca"), 10_000);
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")), server::log);
        System.out.println("untrusted: " + e.getMessage());
        assertEquals(Reason.UNTRUSTED_CERTIFICATE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("coap untrusted (127.0.0.1:" + server.dtlsPort() + "): CON GET /: DTLS"
                + " handshake with 127.0.0.1:" + server.dtlsPort() + " refused by this client: the server certificate"
                + " (CN coap.test, issued by CN=Test CoAP CA) is not trusted by caCertificatesPath "
                + pki.cert("other-ca")), e.getMessage());
        assertTrue(e.getMessage().contains("add the CA that issued it to caCertificatesPath"), e.getMessage());
    }

    @Test
    void aCertificateNotNamingTheAddressIsANameMismatchUnlessServerNameSaysWhatItNames() throws Exception {
        // issued by the trusted CA for DNS:coap.test only; the device is configured by its address
        Libcoap server = closing(Libcoap.startPki(pki.cert("server-dns"), pki.key("server-dns"), null));
        CoapClientImpl c = certClient("byaddress", server.dtlsPort(), trusting("ca"), 10_000);
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")), server::log);
        System.out.println("name mismatch: " + e.getMessage());
        assertEquals(Reason.NAME_MISMATCH, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("coap byaddress (127.0.0.1:" + server.dtlsPort() + "): CON GET /: DTLS"
                + " handshake with 127.0.0.1:" + server.dtlsPort() + " refused by this client: the server certificate"
                + " (CN coap.test, names coap.test) does not name '127.0.0.1'; set serverName"), e.getMessage());
        // serverName = the name in the certificate: accepted
        CoapClientImpl named = certClient("byname", server.dtlsPort(), CertificateSettings.trusting(pki.cert("ca"),
                "coap.test"), 10_000);
        assertEquals("2.05", await(named.get("/")).code(), server.log());
        // another name: refused again
        CoapClientImpl other = certClient("othername", server.dtlsPort(), CertificateSettings.trusting(
                pki.cert("ca"), "sensor.example.org"), 10_000);
        e = assertThrows(CoapHandshakeException.class, () -> await(other.get("/")), server::log);
        assertEquals(Reason.NAME_MISMATCH, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("does not name 'sensor.example.org'"), e.getMessage());
        // verifyHostname = false: the chain alone decides
        CoapClientImpl unchecked = certClient("unchecked", server.dtlsPort(), trusting("ca").withVerifyHostname(false),
                10_000);
        assertEquals("2.05", await(unchecked.get("/")).code(), server.log());
    }

    /**
     * SNI (RFC 6066): with {@code serverName} set to a DNS name the handshake names it, so a server
     * with a certificate per name (libcoap's {@code -S}: SNI to certificate) presents the right one:
     * {@code sensor-7.example} gets its own certificate, any other name the default one
     * ({@code coap.test}). Without SNI the server would present the default certificate, a name
     * mismatch for {@code sensor-7.example}.
     */
    @Test
    void theServerNameIsSentAsSniSoTheServerPresentsItsCertificateForThatName() throws Exception {
        // libcoap's format: sni,certificate file (with its key),CA file
        Path sensorPem = dir.resolve("server-sni-with-key.pem");
        java.nio.file.Files.writeString(sensorPem, java.nio.file.Files.readString(pki.cert("server-sni"))
                + java.nio.file.Files.readString(pki.key("server-sni")));
        Path sniFile = dir.resolve("sni-pki.txt");
        java.nio.file.Files.writeString(sniFile, "sensor-7.example," + sensorPem + "," + pki.cert("ca") + "\n");
        Libcoap server = closing(Libcoap.startPki(pki.cert("server-dns"), pki.key("server-dns"), null, "-S",
                sniFile.toString()));
        CoapClientImpl sensor = certClient("sensor7", server.dtlsPort(), CertificateSettings.trusting(pki.cert("ca"),
                "sensor-7.example"), 10_000);
        try {
            assertEquals("2.05", await(sensor.get("/")).code(), server.log());
        } catch (Exception e) {
            System.err.println(server.log());
            throw e;
        }
        DtlsSocketConnector connector = (DtlsSocketConnector) sensor.running().join().connector();
        assertEquals("sensor-7.example", connector.serverNameIndication());
        // another DNS name: the server's default certificate, which names it
        CoapClientImpl byDefault = certClient("default", server.dtlsPort(), CertificateSettings.trusting(pki.cert("ca"),
                "coap.test"), 10_000);
        assertEquals("2.05", await(byDefault.get("/")).code(), server.log());
        // an IP literal is never sent as SNI (RFC 6066 section 3): the default certificate, which lacks the address
        CoapClientImpl byAddress = certClient("literal", server.dtlsPort(), trusting("ca"), 10_000);
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(byAddress.get("/")), server::log);
        assertEquals(Reason.NAME_MISMATCH, e.reason(), e.getMessage());
        assertEquals(null, DtlsSocketConnector.serverNameIndication(trusting("ca")));
        assertEquals(null, DtlsSocketConnector.serverNameIndication(CertificateSettings.trusting(pki.cert("ca"), "::1")));
    }

    /**
     * A device through an operator's named endpoint: without serverName the certificate must name the
     * address the endpoint resolves to (here the endpoint says {@code localhost}, the certificate
     * carries IP 127.0.0.1); a certificate naming only a DNS name is a name mismatch naming that address.
     */
    @Test
    void throughANamedEndpointTheCertificateMustNameTheAddressItResolvesTo() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        Libcoap dnsOnly = closing(Libcoap.startPki(pki.cert("server-dns"), pki.key("server-dns"), null));
        engine.putEndpoint(new org.rawsockets.socket.mina.internal.MinaSocketEngine.Endpoint(
                new org.rawsockets.socket.EndpointInfo("coaps-lab", "localhost", server.dtlsPort(),
                        org.rawsockets.socket.TlsMode.OFF, null, "coaps device"), null));
        engine.putEndpoint(new org.rawsockets.socket.mina.internal.MinaSocketEngine.Endpoint(
                new org.rawsockets.socket.EndpointInfo("coaps-dns", "127.0.0.1", dnsOnly.dtlsPort(),
                        org.rawsockets.socket.TlsMode.OFF, null, "coaps device, DNS name only"), null));
        DtlsSettings dtls = DtlsSettings.withCertificates(CertificateSettings.trusting(pki.cert("ca"), null), 10_000,
                List.of());
        CoapClientImpl c = client(new CoapSettings("lab", null, 0, "coaps-lab", 2000, 1.5f, 4, 30_000, 10_000, 1024,
                2 * 1024 * 1024, null).withDtls(dtls));
        CoapResponse root = await(c.get("/"));
        assertEquals("2.05", root.code(), server.log());
        assertTrue(root.text().contains("This is a test server made with libcoap"), root.text());
        assertTrue(c.status().contains("server name: the address"), c.status());
        CoapClientImpl mismatch = client(new CoapSettings("dnsonly", null, 0, "coaps-dns", 2000, 1.5f, 4, 30_000,
                10_000, 1024, 2 * 1024 * 1024, null).withDtls(dtls));
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(mismatch.get("/")),
                dnsOnly::log);
        assertEquals(Reason.NAME_MISMATCH, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("coap dnsonly (endpoint:coaps-dns): CON GET /: DTLS handshake with 127.0.0.1:"
                + dnsOnly.dtlsPort() + " refused by this client: the server certificate (CN coap.test, names coap.test)"
                + " does not name '127.0.0.1'"), e.getMessage());
    }

    @Test
    void aServerDemandingAClientCertificate() throws Exception {
        // -C: the server asks for a client certificate issued by the CA and refuses the handshake without one
        // -v 6: the server logs the CN of the client certificates it accepts
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), pki.cert("ca"), "-v", "6"));
        CoapClientImpl none = certClient("nocert", server.dtlsPort(), trusting("ca"), 10_000);
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(none.get("/")),
                server::log);
        System.out.println("no client certificate: " + e.getMessage());
        assertEquals(Reason.CLIENT_CERTIFICATE_REQUIRED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("coap nocert (127.0.0.1:" + server.dtlsPort() + "): CON GET /: DTLS"
                + " handshake with 127.0.0.1:" + server.dtlsPort() + " refused (alert handshake_failure): the server"
                + " asked for a client certificate and this device has none; set clientCertificatePath and"
                + " clientKeyPath"), e.getMessage());

        CoapClientImpl withCert = certClient("withcert", server.dtlsPort(), trusting("ca").withClientCertificate(
                pki.cert("client"), pki.key("client")), 10_000);
        assertEquals("2.05", await(withCert.get("/")).code(), server.log());
        assertTrue(((DtlsSocketConnector) withCert.running().join().connector()).certificates().certificateRequested());
        // the server writes its log line around the handshake, not before the client sees the outcome: wait for it
        Waits.until(10_000, "the server log to say " + "CN 'rawsockets-gw' presented by client", () -> server.log().contains("CN 'rawsockets-gw' presented by client"), server::log);

        CoapClientImpl rogue = certClient("rogue", server.dtlsPort(), trusting("ca").withClientCertificate(
                pki.cert("rogue-client"), pki.key("rogue-client")), 10_000);
        e = assertThrows(CoapHandshakeException.class, () -> await(rogue.get("/")), server::log);
        System.out.println("client certificate from another CA: " + e.getMessage());
        assertEquals(Reason.CLIENT_CERTIFICATE_REJECTED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("the server did not accept the client certificate of clientCertificatePath "
                + pki.cert("rogue-client")), e.getMessage());
    }

    @Test
    void aSilentPeerIsATimeoutAfterTheHandshakeDeadline() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            silent.setSoTimeout(10_000);
            CoapClientImpl c = certClient("silentpki", silent.getLocalPort(), trusting("ca"), 1_500);
            long t0 = System.nanoTime();
            var pending = c.get("/").toCompletableFuture();
            DatagramPacket hello = new DatagramPacket(new byte[2048], 2048);
            silent.receive(hello);
            assertEquals(22, hello.getData()[0], "a DTLS handshake record");
            CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(pending));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("silent peer (certificates) after " + millis + " ms: " + e.getMessage());
            assertEquals(Reason.TIMEOUT, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith("coap silentpki (127.0.0.1:" + silent.getLocalPort() + "): CON GET /:"
                    + " DTLS handshake with 127.0.0.1:" + silent.getLocalPort() + " did not complete within"
                    + " handshakeTimeoutMillis 1500 ms (no answer to flight 1); is a CoAP server with DTLS"),
                    e.getMessage());
            assertTrue(millis >= 1_400 && millis < 1_500 + 5_000, "failed after " + millis + " ms");
        }
    }

    @Test
    void aPinnedRawPublicKeyAgainstCoapServerGnutls() throws Exception {
        // RFC 7250: the server presents its bare public key (libcoap's -M, GnuTLS), no certificate; -n: it does
        // not ask for ours (without it the server refuses us with bad_certificate: CLIENT_CERTIFICATE_REQUIRED)
        Libcoap server = closing(Libcoap.startRpk(pki.file("server-rpk.pem"), "-n"));
        CoapClientImpl pinned = certClient("rpk", server.dtlsPort(), new CertificateSettings(null,
                pki.file("server.pub"), true, null, null, null), 10_000);
        CoapResponse root = await(pinned.get("/"));
        assertEquals("2.05", root.code(), server.log());
        assertTrue(root.text().contains("This is a test server made with libcoap"), root.text());
        assertTrue(pinned.status().startsWith("open coaps, raw public key (pinned " + pki.file("server.pub") + ")"),
                pinned.status());
        // another key pinned: refused by this client
        CoapClientImpl other = certClient("rpkother", server.dtlsPort(), new CertificateSettings(null,
                pki.file("server-dns.pub"), true, null, null, null), 10_000);
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(other.get("/")),
                server::log);
        System.out.println("other raw public key: " + e.getMessage());
        assertEquals(Reason.UNTRUSTED_CERTIFICATE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("coap rpkother (127.0.0.1:" + server.dtlsPort() + "): CON GET /: DTLS"
                + " handshake with 127.0.0.1:" + server.dtlsPort() + " refused by this client: the server's raw public"
                + " key is not the one pinned by serverPublicKeyPath " + pki.file("server-dns.pub")), e.getMessage());
        // a server that sends an X.509 certificate (OpenSSL has no RPK) to a device that only pins a key
        Libcoap x509 = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        CoapClientImpl onlyKey = certClient("rpkonly", x509.dtlsPort(), new CertificateSettings(null,
                pki.file("server.pub"), true, null, null, null), 10_000);
        e = assertThrows(CoapHandshakeException.class, () -> await(onlyKey.get("/")), x509::log);
        assertEquals(Reason.UNTRUSTED_CERTIFICATE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("refused by this client: the server sent an X.509 certificate (CN coap.test)"
                + " but this device only accepts the raw public key pinned by serverPublicKeyPath "
                + pki.file("server.pub")), e.getMessage());
    }
}
