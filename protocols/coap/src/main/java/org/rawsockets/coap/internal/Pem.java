package org.rawsockets.coap.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Reads the PEM files of a {@code coaps} device with certificates: CA certificates, a client
 * certificate chain, a PKCS#8 private key (RSA, EC or Ed25519; plain or encrypted), an EC public key
 * (raw public key). Every
 * failure is a {@link PemException} whose message says what the file holds instead and how to fix it;
 * never key material. Files are at most 1 MiB.
 */
final class Pem {

    static final long MAX_BYTES = 1024 * 1024;

    private Pem() {
    }

    /** A PEM file that cannot be used; the message names the problem (not the path: callers add it). */
    static final class PemException extends Exception {
        private static final long serialVersionUID = 1L;

        PemException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The certificates of {@code file}, in file order; at least one. */
    static List<X509Certificate> certificates(Path file) throws PemException {
        String text = read(file);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new PemException("holds no PEM certificate (-----BEGIN CERTIFICATE-----)", null);
        }
        try {
            List<X509Certificate> list = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))) {
                list.add((X509Certificate) c);
            }
            if (list.isEmpty()) {
                throw new PemException("holds no PEM certificate (-----BEGIN CERTIFICATE-----)", null);
            }
            return List.copyOf(list);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new PemException("holds a certificate that cannot be parsed (" + e.getMessage() + ")", e);
        }
    }

    /** Reads the passphrase of an encrypted key when it is needed. */
    @FunctionalInterface
    interface Passphrase {
        char[] read() throws PemException;
    }

    /**
     * The certificate revocation lists of a PEM file ({@code -----BEGIN X509 CRL-----} blocks, as
     * {@code openssl ca -gencrl} writes them), at least one.
     */
    static List<java.security.cert.X509CRL> crls(Path file) throws PemException {
        String text = read(file);
        if (!text.contains("-----BEGIN X509 CRL-----")) {
            throw new PemException("holds no PEM certificate revocation list (-----BEGIN X509 CRL-----)", null);
        }
        try {
            List<java.security.cert.X509CRL> list = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCRLs(
                    new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))) {
                list.add((java.security.cert.X509CRL) c);
            }
            if (list.isEmpty()) {
                throw new PemException("holds no PEM certificate revocation list (-----BEGIN X509 CRL-----)", null);
            }
            return List.copyOf(list);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new PemException("holds a revocation list that cannot be parsed (" + e.getMessage() + ")", e);
        }
    }

    /** Whether {@code file} holds an encrypted PKCS#8 key ({@code BEGIN ENCRYPTED PRIVATE KEY}). */
    static boolean encrypted(Path file) throws PemException {
        return read(file).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    }

    /**
     * The kinds of client key: what Scandium 3.13 signs a DTLS 1.2 CertificateVerify with on Java 17
     * ({@code SignatureAndHashAlgorithm}: RSA PKCS#1 v1.5, ECDSA, and Ed25519 through the JDK's own
     * EdDSA).
     */
    enum KeyKind {
        RSA("SHA256withRSA"), EC("SHA256withECDSA"), ED25519("Ed25519");

        /** The JCA signature that proves a certificate and a key are one pair. */
        final String signature;

        KeyKind(String signature) {
            this.signature = signature;
        }

        /** The kind of {@code key}, or {@code null} for a key DTLS cannot sign with here. */
        static KeyKind of(java.security.Key key) {
            String a = key.getAlgorithm();
            if ("RSA".equals(a)) {
                return RSA;
            }
            if ("EC".equals(a)) {
                return EC;
            }
            if (("Ed25519".equals(a) || "EdDSA".equals(a)) && key instanceof java.security.interfaces.EdECKey ed
                    && "Ed25519".equals(ed.getParams().getName())) {
                return ED25519;
            }
            return null;
        }
    }

    /** The openssl command converting a traditional (PKCS#1 or SEC1) key file to PKCS#8. */
    static final String TO_PKCS8 = "'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8' (or encrypted: 'openssl"
            + " pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.pk8' and .passphrase)";

    /**
     * The PKCS#8 private key of {@code file} (RSA, EC or Ed25519: see {@link KeyKind}): plain
     * ({@code BEGIN PRIVATE KEY}) or encrypted with PBES2 ({@code BEGIN ENCRYPTED PRIVATE KEY}, as
     * {@code openssl pkcs8 -topk8} writes it) and then decrypted with {@code passphrase}, read now.
     * A traditional PKCS#1 RSA or SEC1 EC key file is refused with the command that converts it.
     */
    static PrivateKey privateKey(Path file, Passphrase passphrase) throws PemException {
        String text = read(file);
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            throw new PemException("holds a PKCS#1 RSA key (BEGIN RSA PRIVATE KEY), which is not read here; convert it"
                    + " to PKCS#8 (BEGIN PRIVATE KEY) with " + TO_PKCS8, null);
        }
        if (text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new PemException("holds a SEC1 EC key (BEGIN EC PRIVATE KEY), which is not read here; convert it to"
                    + " PKCS#8 (BEGIN PRIVATE KEY) with " + TO_PKCS8, null);
        }
        byte[] der;
        byte[] encrypted = block(text, "ENCRYPTED PRIVATE KEY");
        if (encrypted != null) {
            if (passphrase == null) {
                throw new PemException("holds an encrypted key (BEGIN ENCRYPTED PRIVATE KEY) and .passphrase is not set"
                        + " (secret:NAME, the file holding its passphrase)", null);
            }
            char[] pass = passphrase.read();
            try {
                der = org.rawsockets.protocols.config.Pbes2.decrypt(encrypted, pass);
            } catch (GeneralSecurityException e) {
                throw new PemException("cannot be decrypted with the passphrase of .passphrase: a wrong passphrase, or"
                        + " not PBES2 with PBKDF2 and AES-CBC/DES-EDE3-CBC (" + e.getMessage() + ")", null);
            } finally {
                Arrays.fill(pass, '\0');
            }
        } else {
            der = block(text, "PRIVATE KEY");
        }
        if (der == null) {
            throw new PemException("holds no PKCS#8 private key (-----BEGIN PRIVATE KEY-----)", null);
        }
        try {
            for (String algorithm : List.of("RSA", "EC", "EdDSA")) {
                PrivateKey key;
                try {
                    key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (GeneralSecurityException | RuntimeException e) {
                    continue;
                }
                if (KeyKind.of(key) == null) {
                    throw new PemException("holds an " + ((java.security.interfaces.EdECKey) key).getParams().getName()
                            + " key: DTLS client certificates here are RSA, EC (ECDSA) or Ed25519 (Scandium 3.13"
                            + " signs with no other EdDSA curve)", null);
                }
                return key;
            }
            throw new PemException("holds a private key that is neither RSA, EC nor Ed25519 (the kinds of DTLS client"
                    + " certificate this client can sign with)", null);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** The EC public key ({@code BEGIN PUBLIC KEY}, or the key of the first certificate) of {@code file}. */
    static PublicKey ecPublicKey(Path file) throws PemException {
        String text = read(file);
        byte[] der = block(text, "PUBLIC KEY");
        PublicKey key;
        if (der != null) {
            try {
                key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                throw new PemException("holds no EC public key (raw public keys here are EC: P-256 or P-384, as RFC"
                        + " 7252 section 9.1.3.2 has them; for an RSA server use caCertificatesPath)", e);
            }
        } else if (text.contains("-----BEGIN CERTIFICATE-----")) {
            key = certificates(file).get(0).getPublicKey();
        } else {
            throw new PemException("holds no PEM public key (-----BEGIN PUBLIC KEY-----; 'openssl pkey -pubout' writes"
                    + " it from the server's key)", null);
        }
        if (!(key instanceof ECKey)) {
            throw new PemException("holds a " + key.getAlgorithm() + " key, not an EC one (raw public keys here are EC,"
                    + " as RFC 7252 section 9.1.3.2 has them; for an RSA server use caCertificatesPath)", null);
        }
        return key;
    }

    private static String read(Path file) throws PemException {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new PemException("is larger than 1 MiB", null);
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new PemException("cannot be read (" + e + ")", e);
        }
    }

    /** The DER bytes of the first {@code -----BEGIN TYPE-----} block, or {@code null}. */
    private static byte[] block(String text, String type) throws PemException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        if (b < 0) {
            return null;
        }
        int e = text.indexOf(end, b);
        if (e < 0) {
            throw new PemException("has " + begin + " without " + end, null);
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException x) {
            throw new PemException("has a " + type + " block that is not Base64", x);
        }
    }
}
