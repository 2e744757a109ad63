package org.rawsockets.coap.internal;

import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.DtlsHandshakeTimeoutException;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.rawsockets.coap.CoapHandshakeException;
import org.rawsockets.coap.CoapHandshakeException.Reason;

/**
 * Turns Scandium's handshake failures into {@link CoapHandshakeException}s a user can act on. DTLS
 * drops records it cannot decrypt (RFC 6347 section 4.1.2.1), so a server with another pre-shared
 * key often answers our Finished with nothing at all: a timeout after the server's flight 4 (our
 * flight 5 unanswered) is reported as a wrong key, a timeout before it as no DTLS server. Devices
 * with certificates: {@link CertificateFailures}.
 */
final class HandshakeFailures {

    private HandshakeFailures() {
    }

    /** The typed failure, or {@code null} when {@code error} is not a handshake failure. */
    static CoapHandshakeException of(String what, DtlsSettings dtls, DtlsSocketConnector connector, Throwable error) {
        if (!dtls.psk()) {
            return CertificateFailures.of(what, dtls, connector, error);
        }
        String peer = connector.peer().getAddress().getHostAddress() + ":" + connector.peer().getPort();
        String identity = "PSK identity '" + dtls.identity() + "'";
        if (error instanceof DtlsHandshakeTimeoutException t) {
            int flight = Math.max(t.getFlightNumber(), connector.lastFlight());
            if (flight >= 5) {
                return new CoapHandshakeException(Reason.WRONG_KEY, what + ": DTLS handshake with " + peer
                        + " failed: the server never accepted our Finished within handshakeTimeoutMillis "
                        + dtls.handshakeTimeoutMillis() + " ms; the pre-shared key (secret " + dtls.secretName()
                        + ") most likely differs from the server's for " + identity, error);
            }
            return new CoapHandshakeException(Reason.TIMEOUT, what + ": DTLS handshake with " + peer
                    + " did not complete within handshakeTimeoutMillis " + dtls.handshakeTimeoutMillis() + " ms (no"
                    + " answer to flight " + flight + "); is a CoAP server with DTLS (coaps, usually port 5684)"
                    + " listening there?", error);
        }
        if (!(error instanceof HandshakeException h)) {
            return null;
        }
        AlertMessage alert = h.getAlert();
        AlertDescription d = alert == null ? null : alert.getDescription();
        String named = d == null ? String.valueOf(error.getMessage()) : "alert " + d.getDescription();
        if (d == AlertDescription.DECRYPT_ERROR || d == AlertDescription.BAD_RECORD_MAC) {
            return new CoapHandshakeException(Reason.WRONG_KEY, what + ": DTLS handshake with " + peer + " failed ("
                    + named + "): the pre-shared key (secret " + dtls.secretName() + ") differs from the server's for "
                    + identity, error);
        }
        if (d == AlertDescription.UNKNOWN_PSK_IDENTITY) {
            return new CoapHandshakeException(Reason.UNKNOWN_IDENTITY, what + ": DTLS handshake with " + peer
                    + " failed (" + named + "): the server does not know " + identity + "; check pskIdentity", error);
        }
        if (d == AlertDescription.HANDSHAKE_FAILURE || d == AlertDescription.INSUFFICIENT_SECURITY) {
            return new CoapHandshakeException(Reason.NO_COMMON_CIPHER, what + ": DTLS handshake with " + peer
                    + " refused (" + named + "): no cipher suite in common; this client offers "
                    + (dtls.cipherSuites().isEmpty() ? "the recommended PSK suites (TLS_PSK_WITH_AES_128_CCM_8,"
                            + " TLS_PSK_WITH_AES_128_GCM_SHA256, ECDHE-PSK ones): the server needs PSK enabled"
                            : "dtlsCipherSuites " + String.join(", ", dtls.cipherSuites())
                                    + ": offer one the server has, or leave it empty"), error);
        }
        return new CoapHandshakeException(Reason.FAILED, what + ": DTLS handshake with " + peer + " failed ("
                + named + ") with " + identity, error);
    }
}
