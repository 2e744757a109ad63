package org.rawsockets.coap.internal;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.rawsockets.coap.CoapHandshakeException;
import org.rawsockets.coap.CoapHandshakeException.Reason;

/**
 * DTLS 1.2 with certificates for one {@code coaps} device: the server is trusted by its X.509 chain
 * (ending at one of the CA certificates of {@code caCertificates}) or by its pinned raw public key
 * (RFC 7250, {@code serverPublicKey}); optionally the client presents its own certificate. The files
 * are read at each socket opening ({@link #load}), so they can be renewed without reconfiguring.
 *
 * @param caCertificates PEM file of the CA certificates the server's chain must end at, or {@code null}
 * @param serverPublicKey PEM file with the server's pinned public key (raw public key), or {@code null}
 * @param verifyHostname whether the server certificate must name {@code serverName}
 * @param serverName the name (DNS name or IP literal) the server certificate must carry; {@code null}:
 *        the address the socket is connected to
 * @param clientCertificate PEM file of the client certificate chain, or {@code null}
 * @param clientKey PEM file of its PKCS#8 private key (RSA, EC or Ed25519; plain or encrypted), or {@code null}
 * @param passphraseSecret the secret holding the passphrase of an encrypted {@code clientKey}, or {@code null}
 * @param passphrase reads that passphrase (at each opening, never kept), or {@code null}
 * @param crls PEM file of the certificate revocation lists the server's chain is checked against (one of
 *        each CA issuing a certificate of the chain), or {@code null}: revocation not checked
 */
record CertificateSettings(Path caCertificates, Path serverPublicKey, boolean verifyHostname, String serverName,
        Path clientCertificate, Path clientKey, String passphraseSecret, PassphraseSource passphrase, Path crls) {

    /** Reads the passphrase of an encrypted client key from the gateway's secrets. */
    @FunctionalInterface
    interface PassphraseSource {
        String read() throws java.io.IOException;
    }

    /** Without a passphrase. */
    CertificateSettings(Path caCertificates, Path serverPublicKey, boolean verifyHostname, String serverName,
            Path clientCertificate, Path clientKey) {
        this(caCertificates, serverPublicKey, verifyHostname, serverName, clientCertificate, clientKey, null, null, null);
    }

    CertificateSettings {
        if (caCertificates == null && serverPublicKey == null) {
            throw new IllegalArgumentException("caCertificatesPath or serverPublicKeyPath is needed");
        }
        if ((clientCertificate == null) != (clientKey == null)) {
            throw new IllegalArgumentException("clientCertificatePath and clientKeyPath go together");
        }
        if ((passphrase == null) != (passphraseSecret == null) || (passphrase != null && clientKey == null)) {
            throw new IllegalArgumentException(".passphrase goes with an encrypted clientKeyPath");
        }
        if (crls != null && caCertificates == null) {
            throw new IllegalArgumentException("crlPath goes with caCertificatesPath (revocation of certificates)");
        }
    }

    /** The server trusted by its certificate chain, no client certificate. */
    static CertificateSettings trusting(Path caCertificates, String serverName) {
        return new CertificateSettings(caCertificates, null, true, serverName, null, null);
    }

    CertificateSettings withClientCertificate(Path certificate, Path key) {
        return new CertificateSettings(caCertificates, serverPublicKey, verifyHostname, serverName, certificate, key,
                null, null, crls);
    }

    CertificateSettings withVerifyHostname(boolean verify) {
        return new CertificateSettings(caCertificates, serverPublicKey, verify, serverName, clientCertificate,
                clientKey, passphraseSecret, passphrase, crls);
    }

    /** With the revocation lists of {@code file} ({@code null}: none). */
    CertificateSettings withCrls(Path file) {
        return new CertificateSettings(caCertificates, serverPublicKey, verifyHostname, serverName, clientCertificate,
                clientKey, passphraseSecret, passphrase, file);
    }

    /** Whether a client certificate is configured. */
    boolean hasClientCertificate() {
        return clientCertificate != null;
    }

    /** The files' contents, read now. */
    record Loaded(List<X509Certificate> trusted, PublicKey pinned, List<X509Certificate> clientChain,
            PrivateKey clientKey, List<java.security.cert.X509CRL> crls) {
    }

    /** A file that cannot be used: the property, the file and what is wrong with it. */
    static final class FileProblem extends Exception {
        private static final long serialVersionUID = 1L;
        final String property;
        final transient Path file;
        final String problem;

        FileProblem(String property, Path file, String problem, Throwable cause) {
            super(property + " " + file + " " + problem, cause);
            this.property = property;
            this.file = file;
            this.problem = problem;
        }
    }

    /** Reads the files; a problem is {@link Reason#KEY_UNAVAILABLE} naming the device, the property and the file. */
    Loaded load(String device) throws CoapHandshakeException {
        try {
            return read(true);
        } catch (FileProblem e) {
            throw new CoapHandshakeException(Reason.KEY_UNAVAILABLE, "coap " + device + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the files. With {@code decrypt} false (at activation: secrets are read only when needed) an
     * encrypted client key is only checked to be one, with its {@code .passphrase} configured, and the
     * returned client key is {@code null}.
     */
    Loaded read(boolean decrypt) throws FileProblem {
        List<X509Certificate> trusted = caCertificates == null ? null
                : read("caCertificatesPath", caCertificates, () -> Pem.certificates(caCertificates));
        PublicKey pinned = serverPublicKey == null ? null
                : read("serverPublicKeyPath", serverPublicKey, () -> Pem.ecPublicKey(serverPublicKey));
        List<java.security.cert.X509CRL> revocations = crls == null ? null : read("crlPath", crls, () -> Pem.crls(crls));
        if (revocations != null) {
            java.util.Date now = new java.util.Date();
            for (java.security.cert.X509CRL crl : revocations) {
                if (crl.getNextUpdate() != null && crl.getNextUpdate().before(now)) {
                    throw new FileProblem("crlPath", crls, "holds the revocation list of " + crl.getIssuerX500Principal()
                            .getName() + " that was to be replaced by " + crl.getNextUpdate().toInstant() + " (its"
                            + " next update): put the issuer's current list there", null);
                }
            }
        }
        List<X509Certificate> chain = null;
        PrivateKey key = null;
        if (clientCertificate != null) {
            chain = read("clientCertificatePath", clientCertificate, () -> Pem.certificates(clientCertificate));
            boolean encrypted = read("clientKeyPath", clientKey, () -> Pem.encrypted(clientKey));
            if (encrypted && passphrase == null) {
                throw new FileProblem("clientKeyPath", clientKey, "holds an encrypted key (BEGIN ENCRYPTED PRIVATE"
                        + " KEY) and .passphrase is not set", null);
            }
            if (!encrypted && passphrase != null) {
                throw new FileProblem("clientKeyPath", clientKey, "is not encrypted while .passphrase (secret "
                        + passphraseSecret + ") is set", null);
            }
            if (encrypted && !decrypt) {
                return new Loaded(trusted, pinned, chain, null, revocations);
            }
            Pem.Passphrase pass = passphrase == null ? null : () -> {
                try {
                    return passphrase.read().toCharArray();
                } catch (java.io.IOException e) {
                    throw new Pem.PemException("is encrypted and its passphrase cannot be read: " + e.getMessage(), e);
                }
            };
            key = read("clientKeyPath", clientKey, () -> Pem.privateKey(clientKey, pass));
            Pem.KeyKind kind = Pem.KeyKind.of(key);
            PublicKey certificateKey = chain.get(0).getPublicKey();
            if (Pem.KeyKind.of(certificateKey) != kind) {
                throw new FileProblem("clientKeyPath", clientKey, "holds " + article(kind) + " key while the first"
                        + " certificate of clientCertificatePath " + clientCertificate + " has "
                        + article(Pem.KeyKind.of(certificateKey)) + " key: give the certificate and its own key",
                        null);
            }
            if (!matches(certificateKey, key, kind)) {
                throw new FileProblem("clientKeyPath", clientKey, "is not the key of the first certificate of"
                        + " clientCertificatePath " + clientCertificate + " (both " + kind + ", but not one key pair:"
                        + " give the certificate and its own key)", null);
            }
        }
        return new Loaded(trusted, pinned, chain, key, revocations);
    }

    private static String article(Pem.KeyKind kind) {
        return kind == null ? "an unsupported" : kind == Pem.KeyKind.RSA ? "an RSA" : kind == Pem.KeyKind.EC
                ? "an EC" : "an Ed25519";
    }

    /**
     * Whether {@code key} signs what {@code certificateKey} verifies (so they are one key pair), with
     * the signature of their kind (SHA256withRSA, SHA256withECDSA, Ed25519).
     */
    private static boolean matches(PublicKey certificateKey, PrivateKey key, Pem.KeyKind kind) {
        try {
            byte[] probe = new byte[32];
            new java.security.SecureRandom().nextBytes(probe);
            java.security.Signature sign = java.security.Signature.getInstance(kind.signature);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            java.security.Signature verify = java.security.Signature.getInstance(kind.signature);
            verify.initVerify(certificateKey);
            verify.update(probe);
            return verify.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read() throws Pem.PemException;
    }

    private static <T> T read(String property, Path file, Reader<T> reader) throws FileProblem {
        try {
            return reader.read();
        } catch (Pem.PemException e) {
            throw new FileProblem(property, file, e.getMessage(), e);
        }
    }

    /** For {@code coap:devices}: what the server is checked against, and the client certificate. */
    String describe() {
        StringBuilder b = new StringBuilder(caCertificates != null ? "certificates (CA " + caCertificates
                : "raw public key (pinned " + serverPublicKey);
        if (caCertificates != null) {
            b.append(!verifyHostname ? ", name not verified" : serverName == null ? ", server name: the address"
                    : ", server name '" + serverName + "'");
        }
        if (crls != null) {
            b.append(", revocation lists ").append(crls);
        }
        if (clientCertificate != null) {
            b.append(", client certificate ").append(clientCertificate);
        }
        return b.append(')').toString();
    }
}
