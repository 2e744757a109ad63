package org.rawsockets.socket;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a TLS handshake negotiated.
 *
 * @param protocol e.g. {@code TLSv1.3}
 * @param cipherSuite e.g. {@code TLS_AES_128_GCM_SHA256}
 * @param alpnProtocol the negotiated ALPN protocol, {@code null} when none
 * @param serverName the SNI host name sent, {@code null} when none (IP literal destination)
 * @param peerCertificates the peer's chain, leaf first; empty when the peer sent none (on a resumed
 *            session: the chain verified when the session was first established)
 * @param resumed {@code true} when the handshake resumed an earlier TLS session with the same server
 *            (an abbreviated handshake: TLS 1.2 session ID or ticket, TLS 1.3 pre-shared key) instead
 *            of a full one; since 1.1.0
 */
public record TlsInfo(String protocol, String cipherSuite, String alpnProtocol, String serverName,
        List<X509Certificate> peerCertificates, boolean resumed) {

    public TlsInfo {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
        peerCertificates = List.copyOf(peerCertificates);
    }

    /** A full (not resumed) handshake's information, as before 1.1.0. */
    public TlsInfo(String protocol, String cipherSuite, String alpnProtocol, String serverName,
            List<X509Certificate> peerCertificates) {
        this(protocol, cipherSuite, alpnProtocol, serverName, peerCertificates, false);
    }

    /** The negotiated ALPN protocol, if any. */
    public Optional<String> alpn() {
        return Optional.ofNullable(alpnProtocol);
    }
}
