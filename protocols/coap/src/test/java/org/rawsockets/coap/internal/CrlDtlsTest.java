package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.coap.CoapHandshakeException;
import org.rawsockets.coap.CoapHandshakeException.Reason;

/**
 * crlPath: the server's certificate checked against certificate revocation lists made by
 * {@code openssl ca -gencrl}, in handshakes with libcoap's {@code coap-server-openssl} presenting it — a
 * list of its CA that does not name it lets the request through, one that names it refuses the handshake
 * as REVOKED_CERTIFICATE, lists of another CA only leave the revocation undecided (refused), an expired
 * list is refused as a file problem, and the file is read again at the next opening. The property's checks:
 * CertificateConfigTest.
 */
class CrlDtlsTest extends CoapTestSupport {

    @TempDir
    static Path dir;
    static TestCertificates pki;
    static final DateTimeFormatter OPENSSL = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");

    @BeforeAll
    static void certificates() throws Exception {
        pki = TestCertificates.create(dir);
    }

    CoapClientImpl client(String name, int port, Path crl) {
        return client(CoapSettings.of(name, "127.0.0.1", port).withTimeout(30_000).withDtls(DtlsSettings
                .withCertificates(CertificateSettings.trusting(pki.cert("ca"), "127.0.0.1").withCrls(crl), 10_000,
                        List.of())));
    }

    @Test
    void aListThatDoesNotNameTheServerLetsItThrough() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        Path crl = pki.crl("crl-other-revoked", "ca", List.of("server-dns"), null, null);
        CoapClientImpl c = client("crl-ok", server.dtlsPort(), crl);
        assertEquals("2.05", await(c.get("/")).code(), server.log());
        assertTrue(c.status().contains("revocation lists " + crl), c.status());
    }

    @Test
    void aRevokedServerCertificateIsRefusedAndTheFileIsReadAgainAtTheNextOpening() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        Path crl = dir.resolve("current-crl.pem");
        Files.copy(pki.crl("crl-server-revoked", "ca", List.of("server"), null, null), crl);
        CoapClientImpl c = client("crl-revoked", server.dtlsPort(), crl);
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")), server::log);
        System.out.println("revoked: " + e.getMessage());
        assertEquals(Reason.REVOKED_CERTIFICATE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("refused by this client: the server certificate (CN coap.test, serial ")
                && e.getMessage().contains(", issued by CN=Test CoAP CA) is revoked since ")
                && e.getMessage().contains(" (key compromise) by the revocation list of crlPath " + crl), e.getMessage());

        // the operator replaces the list (the server's revocation was a mistake): the next opening reads it
        Files.copy(pki.crl("crl-nothing-revoked", "ca", List.of(), null, null), crl,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CoapClientImpl again = client("crl-replaced", server.dtlsPort(), crl);
        assertEquals("2.05", await(again.get("/")).code(), server.log());
    }

    @Test
    void aListOfAnotherCaLeavesTheRevocationUndecided() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        Path crl = pki.crl("crl-of-other-ca", "other-ca", List.of(), null, null);
        CoapClientImpl c = client("crl-undecided", server.dtlsPort(), crl);
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")), server::log);
        System.out.println("undecided: " + e.getMessage());
        assertEquals(Reason.UNTRUSTED_CERTIFICATE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("the revocation of the server certificate (CN coap.test, serial ")
                && e.getMessage().contains("cannot be decided: crlPath " + crl + " holds no current revocation list"
                        + " signed by its issuer; put the current revocation list of every CA"), e.getMessage());
    }

    @Test
    void anExpiredListIsRefusedAsAFileProblem() throws Exception {
        Libcoap server = closing(Libcoap.startPki(pki.cert("server"), pki.key("server"), null));
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        Path crl = pki.crl("crl-expired", "ca", List.of(), now.minusDays(2).format(OPENSSL),
                now.minusDays(1).format(OPENSSL));
        CoapClientImpl c = client("crl-expired", server.dtlsPort(), crl);
        CoapHandshakeException e = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")), server::log);
        System.out.println("expired list: " + e.getMessage());
        assertEquals(Reason.KEY_UNAVAILABLE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("crlPath " + crl + " holds the revocation list of CN=Test CoAP CA that was"
                + " to be replaced by "), e.getMessage());
    }
}
