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
 * @param clientKey PEM file of its PKCS#8 EC private key, or {@code null}
 */
record CertificateSettings(Path caCertificates, Path serverPublicKey, boolean verifyHostname, String serverName,
        Path clientCertificate, Path clientKey) {

    CertificateSettings {
        if (caCertificates == null && serverPublicKey == null) {
            throw new IllegalArgumentException("caCertificatesPath or serverPublicKeyPath is needed");
        }
        if ((clientCertificate == null) != (clientKey == null)) {
            throw new IllegalArgumentException("clientCertificatePath and clientKeyPath go together");
        }
    }

    /** The server trusted by its certificate chain, no client certificate. */
    static CertificateSettings trusting(Path caCertificates, String serverName) {
        return new CertificateSettings(caCertificates, null, true, serverName, null, null);
    }

    CertificateSettings withClientCertificate(Path certificate, Path key) {
        return new CertificateSettings(caCertificates, serverPublicKey, verifyHostname, serverName, certificate, key);
    }

    CertificateSettings withVerifyHostname(boolean verify) {
        return new CertificateSettings(caCertificates, serverPublicKey, verify, serverName, clientCertificate,
                clientKey);
    }

    /** Whether a client certificate is configured. */
    boolean hasClientCertificate() {
        return clientCertificate != null;
    }

    /** The files' contents, read now. */
    record Loaded(List<X509Certificate> trusted, PublicKey pinned, List<X509Certificate> clientChain,
            PrivateKey clientKey) {
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
            return read();
        } catch (FileProblem e) {
            throw new CoapHandshakeException(Reason.KEY_UNAVAILABLE, "coap " + device + ": " + e.getMessage(), e);
        }
    }

    /** Reads the files. */
    Loaded read() throws FileProblem {
        List<X509Certificate> trusted = caCertificates == null ? null
                : read("caCertificatesPath", caCertificates, () -> Pem.certificates(caCertificates));
        PublicKey pinned = serverPublicKey == null ? null
                : read("serverPublicKeyPath", serverPublicKey, () -> Pem.ecPublicKey(serverPublicKey));
        List<X509Certificate> chain = null;
        PrivateKey key = null;
        if (clientCertificate != null) {
            chain = read("clientCertificatePath", clientCertificate, () -> Pem.certificates(clientCertificate));
            key = read("clientKeyPath", clientKey, () -> Pem.ecPrivateKey(clientKey));
            if (!matches(chain.get(0).getPublicKey(), key)) {
                throw new FileProblem("clientKeyPath", clientKey, "is not the key of the first certificate of"
                        + " clientCertificatePath " + clientCertificate + " (an EC certificate and its own key are"
                        + " needed)", null);
            }
        }
        return new Loaded(trusted, pinned, chain, key);
    }

    /** Whether {@code key} signs what {@code certificateKey} verifies (so they are one key pair). */
    private static boolean matches(PublicKey certificateKey, PrivateKey key) {
        try {
            byte[] probe = new byte[32];
            new java.security.SecureRandom().nextBytes(probe);
            java.security.Signature sign = java.security.Signature.getInstance("SHA256withECDSA");
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            java.security.Signature verify = java.security.Signature.getInstance("SHA256withECDSA");
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
            b.append(verifyHostname ? ", server name '" + (serverName == null ? "address" : serverName) + "'"
                    : ", name not verified");
        }
        if (clientCertificate != null) {
            b.append(", client certificate ").append(clientCertificate);
        }
        return b.append(')').toString();
    }
}
