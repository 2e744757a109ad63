package org.rawsockets.coap.internal;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm.HashAlgorithm;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm.SignatureAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite.CertificateKeyAlgorithm;

/**
 * The cipher suites and signature algorithms of DTLS 1.2 with certificates. In DTLS 1.2 a suite's
 * certificate kind is the <em>server's</em> (ECDHE_ECDSA: an EC or Ed25519 server certificate,
 * ECDHE_RSA: an RSA one); the client certificate's kind is negotiated apart (the server's
 * CertificateRequest lists the kinds it accepts), so an RSA client certificate goes with an
 * ECDHE_ECDSA suite and the reverse. By default a device trusting CA certificates offers Scandium's
 * recommended suites of both kinds, as the server's certificate is whatever its PKI made it; one
 * pinning a raw public key (RFC 7250, EC here) offers the ECDHE_ECDSA ones.
 */
final class CertificateSuites {

    /**
     * The signature and hash algorithms offered (signature_algorithms) and accepted: those of
     * Scandium's recommended hashes for RSA PKCS#1 v1.5 and ECDSA, and Ed25519 (Scandium 3.13 uses
     * the JDK's EdDSA on Java 15 and later). Scandium's default is SHA256 only, which a P-384 or
     * SHA-384 signing peer would not find.
     */
    static final List<SignatureAndHashAlgorithm> SIGNATURES = List.of(SignatureAndHashAlgorithm.SHA256_WITH_ECDSA,
            SignatureAndHashAlgorithm.SHA384_WITH_ECDSA, of(HashAlgorithm.SHA512, SignatureAlgorithm.ECDSA),
            SignatureAndHashAlgorithm.INTRINSIC_WITH_ED25519, SignatureAndHashAlgorithm.SHA256_WITH_RSA,
            of(HashAlgorithm.SHA384, SignatureAlgorithm.RSA), of(HashAlgorithm.SHA512, SignatureAlgorithm.RSA));

    private static SignatureAndHashAlgorithm of(HashAlgorithm hash, SignatureAlgorithm signature) {
        return new SignatureAndHashAlgorithm(hash, signature);
    }

    private CertificateSuites() {
    }

    /** The server certificate kinds a device accepts: EC and RSA with CA certificates, EC with a raw public key only. */
    static List<CertificateKeyAlgorithm> serverKinds(boolean caCertificates) {
        return caCertificates ? List.of(CertificateKeyAlgorithm.EC, CertificateKeyAlgorithm.RSA)
                : List.of(CertificateKeyAlgorithm.EC);
    }

    /** Scandium's recommended suites for those server certificate kinds, ECDHE_ECDSA first. */
    static List<CipherSuite> defaults(boolean caCertificates) {
        return CipherSuite.getCertificateCipherSuites(true, serverKinds(caCertificates));
    }

    /** The certificate suites this JVM supports for those kinds, for messages. */
    static List<CipherSuite> supported(boolean caCertificates) {
        return CipherSuite.getCertificateCipherSuites(false, serverKinds(caCertificates));
    }

    /**
     * Checks one configured suite: {@code null} when it fits a device with certificates, else why not
     * (for a one-line rejection of {@code dtlsCipherSuites}).
     */
    static String problem(CipherSuite cs, boolean caCertificates) {
        if (cs == null || !cs.isSupported()) {
            return "not a cipher suite this JVM supports";
        }
        if (cs.isPskBased() || !cs.requiresServerCertificateMessage()) {
            return "not a certificate cipher suite (e.g. a pre-shared key one)";
        }
        if (!caCertificates && cs.getCertificateKeyAlgorithm() != CertificateKeyAlgorithm.EC) {
            return "an RSA suite while only a raw public key is pinned (serverPublicKeyPath is EC)";
        }
        if (!serverKinds(true).contains(cs.getCertificateKeyAlgorithm())) {
            return "a " + cs.getCertificateKeyAlgorithm() + " suite, which this client does not offer";
        }
        return null;
    }

    /** The server certificate kinds {@code suites} admit, e.g. {@code "EC (ECDSA or Ed25519) or RSA"}. */
    static String kinds(List<CipherSuite> suites) {
        List<String> kinds = new ArrayList<>();
        for (CipherSuite s : suites) {
            String k = s.getCertificateKeyAlgorithm() == CertificateKeyAlgorithm.EC ? "EC (ECDSA or Ed25519)"
                    : s.getCertificateKeyAlgorithm().name();
            if (!kinds.contains(k)) {
                kinds.add(k);
            }
        }
        return String.join(" or ", kinds);
    }

    /** The suites offered: the configured ones, else the defaults. */
    static List<CipherSuite> offered(List<String> configured, boolean caCertificates) {
        return configured.isEmpty() ? defaults(caCertificates)
                : configured.stream().map(CipherSuite::getTypeByName).toList();
    }
}
