package org.rawsockets.coap.internal;

import java.util.List;

import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.DtlsHandshakeTimeoutException;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite.CertificateKeyAlgorithm;
import org.rawsockets.coap.CoapHandshakeException;
import org.rawsockets.coap.CoapHandshakeException.Reason;

/**
 * Typed failures of a DTLS handshake with certificates (RSA, EC or Ed25519). Our own refusals of the
 * server's certificate come from what {@link CertificateHandshake} found (not trusted by
 * {@code caCertificatesPath}, not naming {@code serverName}); a fatal alert from the server after it
 * asked for a client certificate is about that certificate (none configured, not of a kind or
 * signature the server takes, or not accepted); a handshake failure otherwise names the server
 * certificate kinds the offered suites admit; other alerts and timeouts as with a
 * pre-shared key.
 */
final class CertificateFailures {

    private CertificateFailures() {
    }

    /** The typed failure, or {@code null} when {@code error} is not a handshake failure. */
    static CoapHandshakeException of(String what, DtlsSettings dtls, DtlsSocketConnector connector, Throwable error) {
        if (!(error instanceof DtlsHandshakeTimeoutException) && !(error instanceof HandshakeException)) {
            return null;
        }
        String peer = connector.peer().getAddress().getHostAddress() + ":" + connector.peer().getPort();
        CertificateHandshake handshake = connector.certificates();
        CertificateSettings certs = handshake.settings();
        CertificateHandshake.Problem problem = handshake.problem();
        String prefix = what + ": DTLS handshake with " + peer;
        if (problem != null && problem.kind() == CertificateHandshake.Kind.REVOKED) {
            return new CoapHandshakeException(Reason.REVOKED_CERTIFICATE, prefix + " refused by this client: "
                    + problem.detail() + "; the server needs a certificate that is not revoked", error);
        }
        if (problem != null && problem.kind() == CertificateHandshake.Kind.REVOCATION_UNDECIDED) {
            return new CoapHandshakeException(Reason.UNTRUSTED_CERTIFICATE, prefix + " refused by this client: "
                    + problem.detail() + "; put the current revocation list of every CA of the server's chain in"
                    + " crlPath", error);
        }
        if (problem != null && problem.kind() == CertificateHandshake.Kind.UNTRUSTED) {
            return new CoapHandshakeException(Reason.UNTRUSTED_CERTIFICATE, prefix + " refused by this client: "
                    + problem.detail() + (certs.caCertificates() != null ? "; add the CA that issued it to"
                            + " caCertificatesPath (or check the server's certificate chain and dates)"
                            : "; set serverPublicKeyPath to the server's public key"), error);
        }
        if (problem != null) {
            return new CoapHandshakeException(Reason.NAME_MISMATCH, prefix + " refused by this client: "
                    + problem.detail() + "; set serverName to a name the certificate carries, or give the server a"
                    + " certificate for '" + handshake.expectedName() + "' (verifyHostname = false skips this check)",
                    error);
        }
        if (error instanceof DtlsHandshakeTimeoutException t) {
            int flight = Math.max(t.getFlightNumber(), connector.lastFlight());
            return new CoapHandshakeException(Reason.TIMEOUT, prefix + " did not complete within"
                    + " handshakeTimeoutMillis " + dtls.handshakeTimeoutMillis() + " ms (no answer to flight "
                    + flight + ")" + (flight >= 5 ? "; the server never answered our Finished"
                            + (handshake.certificateRequested() ? " after asking for a client certificate: does it"
                                    + " accept clientCertificatePath?" : "")
                            : "; is a CoAP server with DTLS (coaps, usually port 5684) listening there?"), error);
        }
        AlertMessage alert = ((HandshakeException) error).getAlert();
        AlertDescription d = alert == null ? null : alert.getDescription();
        String named = d == null ? String.valueOf(error.getMessage()) : "alert " + d.getDescription();
        if (handshake.certificateRequested() && d != null && aboutCertificates(d)) {
            if (!certs.hasClientCertificate()) {
                return new CoapHandshakeException(Reason.CLIENT_CERTIFICATE_REQUIRED, prefix + " refused (" + named
                        + "): the server asked for a client certificate and this device has none; set"
                        + " clientCertificatePath and clientKeyPath (a certificate issued by a CA the server trusts)",
                        error);
            }
            if (handshake.clientCertificateUnfit() != null) {
                return new CoapHandshakeException(Reason.CLIENT_CERTIFICATE_REJECTED, prefix + " refused (" + named
                        + "): no client certificate could be sent: " + handshake.clientCertificateUnfit(), error);
            }
            return new CoapHandshakeException(Reason.CLIENT_CERTIFICATE_REJECTED, prefix + " refused (" + named
                    + "): the server did not accept the client certificate of clientCertificatePath "
                    + certs.clientCertificate() + "; is it issued by a CA the server trusts, and still valid?", error);
        }
        if (d == AlertDescription.HANDSHAKE_FAILURE || d == AlertDescription.INSUFFICIENT_SECURITY) {
            boolean ca = certs.caCertificates() != null;
            List<CipherSuite> offered = CertificateSuites.offered(dtls.cipherSuites(), ca);
            return new CoapHandshakeException(Reason.NO_COMMON_CIPHER, prefix + " refused (" + named + "): no cipher"
                    + " suite in common; this client offers " + (dtls.cipherSuites().isEmpty()
                            ? "the recommended ECDHE suites for " + CertificateSuites.kinds(offered) + " server"
                                    + " certificates: does the server have a certificate of such a kind, and ECDHE"
                                    + " suites (AES-GCM, AES-CCM or AES-CBC)?"
                            : "dtlsCipherSuites " + String.join(", ", dtls.cipherSuites()) + " (for "
                                    + CertificateSuites.kinds(offered) + " server certificates only): offer one for"
                                    + " the server's certificate kind (e.g. "
                                    + (offered.stream().anyMatch(c -> c.getCertificateKeyAlgorithm()
                                            == CertificateKeyAlgorithm.RSA)
                                                    ? CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                                                    : CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
                                    + "), or leave it empty for all the recommended ones"), error);
        }
        return new CoapHandshakeException(Reason.FAILED, prefix + " failed (" + named + ") with "
                + certs.describe(), error);
    }

    /** Alerts a server sends when it does not get or accept a client certificate. */
    private static boolean aboutCertificates(AlertDescription d) {
        return switch (d) {
            case HANDSHAKE_FAILURE, BAD_CERTIFICATE, UNSUPPORTED_CERTIFICATE, CERTIFICATE_REVOKED,
                    CERTIFICATE_EXPIRED, CERTIFICATE_UNKNOWN, UNKNOWN_CA, ACCESS_DENIED, DECRYPT_ERROR -> true;
            default -> false;
        };
    }
}
