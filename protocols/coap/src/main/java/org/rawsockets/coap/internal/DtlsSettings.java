package org.rawsockets.coap.internal;

import java.util.List;
import java.util.Objects;

import org.rawsockets.coap.CoapHandshakeException;

/**
 * DTLS 1.2 for one {@code coaps} device: with a pre-shared key ({@code identity}, {@code key}) or with
 * certificates ({@code certificates}), never both. The key is read through {@link #key()} at each
 * socket opening (the secret file may be created or rotated later); it is never kept in the settings,
 * logged or shown. The certificate files are read at each opening too.
 *
 * @param identity the PSK identity sent to the server (not secret), {@code null} with certificates
 * @param secretName the name of the secret file holding the key (shown, the key is not), {@code null} with certificates
 * @param key reads the key bytes, {@code null} with certificates
 * @param certificates the trust and client certificate settings, {@code null} with a pre-shared key
 * @param handshakeTimeoutMillis deadline of one handshake, retransmissions included
 * @param cipherSuites cipher suites offered (Scandium's names), empty for Scandium's recommended ones
 * @param connectionId whether the client offers DTLS 1.2 Connection IDs (RFC 9146): a server that gives
 *        one recognises this client's records by it when its address changes (NAT rebinding)
 */
record DtlsSettings(String identity, String secretName, KeySource key, CertificateSettings certificates,
        long handshakeTimeoutMillis, List<String> cipherSuites, boolean connectionId) {

    /** Reads the pre-shared key; fails with {@link CoapHandshakeException.Reason#KEY_UNAVAILABLE}. */
    @FunctionalInterface
    interface KeySource {
        byte[] read() throws CoapHandshakeException;
    }

    DtlsSettings {
        cipherSuites = List.copyOf(cipherSuites);
        if (certificates == null) {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(key, "key");
            if (identity.isEmpty() || identity.length() > 128) {
                throw new IllegalArgumentException("pskIdentity must be 1..128 characters");
            }
        } else if (identity != null || key != null) {
            throw new IllegalArgumentException("a pre-shared key and certificates are exclusive");
        }
        if (handshakeTimeoutMillis < 500 || handshakeTimeoutMillis > 300_000) {
            throw new IllegalArgumentException("handshakeTimeoutMillis must be 500..300000, was "
                    + handshakeTimeoutMillis);
        }
    }

    /** DTLS with a pre-shared key. */
    DtlsSettings(String identity, String secretName, KeySource key, long handshakeTimeoutMillis,
            List<String> cipherSuites) {
        this(identity, secretName, key, null, handshakeTimeoutMillis, cipherSuites, true);
    }

    /** DTLS with certificates. */
    static DtlsSettings withCertificates(CertificateSettings certificates, long handshakeTimeoutMillis,
            List<String> cipherSuites) {
        return new DtlsSettings(null, null, null, Objects.requireNonNull(certificates, "certificates"),
                handshakeTimeoutMillis, cipherSuites, true);
    }

    /** With or without the Connection ID extension (on by default). */
    DtlsSettings withConnectionId(boolean on) {
        return new DtlsSettings(identity, secretName, key, certificates, handshakeTimeoutMillis, cipherSuites, on);
    }

    /** Whether the session is keyed by a pre-shared key (else by certificates). */
    boolean psk() {
        return certificates == null;
    }

    /** For {@code coap:devices}: {@code PSK identity 'ID'} or the certificate settings (no secret). */
    String describe() {
        return psk() ? "PSK identity '" + identity + "'" : certificates.describe();
    }

    @Override
    public String toString() {
        return psk() ? "DTLS PSK identity '" + identity + "' (key: secret " + secretName + ")"
                : "DTLS " + certificates.describe();
    }
}
