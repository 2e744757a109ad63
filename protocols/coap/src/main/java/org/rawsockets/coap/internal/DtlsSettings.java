package org.rawsockets.coap.internal;

import java.util.List;
import java.util.Objects;

import org.rawsockets.coap.CoapHandshakeException;

/**
 * DTLS 1.2 with a pre-shared key for one {@code coaps} device. The key is read through {@link #key()}
 * at each socket opening (the secret file may be created or rotated later); it is never kept in the
 * settings, logged or shown.
 *
 * @param identity the PSK identity sent to the server (not secret)
 * @param secretName the name of the secret file holding the key (shown, the key is not)
 * @param key reads the key bytes
 * @param handshakeTimeoutMillis deadline of one handshake, retransmissions included
 * @param cipherSuites PSK cipher suites offered (Scandium's names), empty for Scandium's recommended PSK ones
 */
record DtlsSettings(String identity, String secretName, KeySource key, long handshakeTimeoutMillis,
        List<String> cipherSuites) {

    /** Reads the pre-shared key; fails with {@link CoapHandshakeException.Reason#KEY_UNAVAILABLE}. */
    @FunctionalInterface
    interface KeySource {
        byte[] read() throws CoapHandshakeException;
    }

    DtlsSettings {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(key, "key");
        cipherSuites = List.copyOf(cipherSuites);
        if (identity.isEmpty() || identity.length() > 128) {
            throw new IllegalArgumentException("pskIdentity must be 1..128 characters");
        }
        if (handshakeTimeoutMillis < 500 || handshakeTimeoutMillis > 300_000) {
            throw new IllegalArgumentException("handshakeTimeoutMillis must be 500..300000, was "
                    + handshakeTimeoutMillis);
        }
    }

    @Override
    public String toString() {
        return "DTLS PSK identity '" + identity + "' (key: secret " + secretName + ")";
    }
}
