package org.rawsockets.irc.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import org.rawsockets.protocols.config.Pbes2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS client certificate (for SASL EXTERNAL / CertFP) from PEM files: the certificate chain and a
 * PKCS#8 private key, plain ({@code BEGIN PRIVATE KEY}) or encrypted with a passphrase
 * ({@code BEGIN ENCRYPTED PRIVATE KEY}, PBES2 as {@code openssl pkcs8 -topk8 -v2 aes-256-cbc} writes
 * it). The files and the passphrase are read at each TLS handshake (a rotated certificate or
 * passphrase is used at the next connect, the passphrase is never kept); a failure is logged with
 * the path and the reason and the handshake goes on without a certificate (the server then refuses
 * EXTERNAL with 904, which fails the registration when SASL is required).
 */
final class ClientKeys extends X509ExtendedKeyManager {

    private static final Logger LOG = LoggerFactory.getLogger(ClientKeys.class);
    static final String ALIAS = "irc-client";

    private final String network;
    private final Path certificate;
    private final Path key;
    private final Supplier<String> passphrase;
    private volatile X509Certificate[] chain;
    private volatile PrivateKey privateKey;

    /** @param passphrase read when an encrypted key is loaded; null when the key is not encrypted */
    ClientKeys(String network, Path certificate, Path key, Supplier<String> passphrase) {
        this.network = network;
        this.certificate = certificate;
        this.key = key;
        this.passphrase = passphrase;
    }

    /** Whether the PEM text is an encrypted PKCS#8 key. */
    static boolean encrypted(String pem) {
        return pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    }

    /** Loads the certificate and key now; the exception says which file and why. */
    void load() throws IOException, GeneralSecurityException {
        X509Certificate[] c = certificates(Files.readString(certificate, US_ASCII));
        if (c.length == 0) {
            throw new GeneralSecurityException(certificate + " holds no PEM certificate");
        }
        privateKey = privateKey(Files.readString(key, US_ASCII));
        chain = c;
    }

    private X509Certificate[] certificates(String pem) throws GeneralSecurityException {
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        return f.generateCertificates(new ByteArrayInputStream(pem.getBytes(US_ASCII))).stream()
                .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
    }

    private PrivateKey privateKey(String pem) throws GeneralSecurityException, IOException {
        boolean enc = encrypted(pem);
        String label = enc ? "ENCRYPTED PRIVATE KEY" : "PRIVATE KEY";
        int b = pem.indexOf("-----BEGIN " + label + "-----");
        int e = pem.indexOf("-----END " + label + "-----");
        if (b < 0 || e < 0) {
            throw new GeneralSecurityException(key + " holds no PKCS#8 key (-----BEGIN PRIVATE KEY----- or -----BEGIN"
                    + " ENCRYPTED PRIVATE KEY-----); convert it with 'openssl pkcs8 -topk8'");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(b + label.length() + 16, e));
        PKCS8EncodedKeySpec spec;
        if (enc) {
            if (passphrase == null) {
                throw new GeneralSecurityException(key + " is encrypted: set the passphrase (.passphrase = secret:NAME)");
            }
            char[] pass = passphrase.get().toCharArray();
            try {
                spec = new PKCS8EncodedKeySpec(Pbes2.decrypt(der, pass));
            } catch (GeneralSecurityException x) {
                throw new GeneralSecurityException(key + " could not be decrypted: wrong passphrase or an unsupported"
                        + " encryption (" + x.getMessage() + "; PBES2 with PBKDF2 and AES-CBC or DES-EDE3-CBC is supported)", x);
            } finally {
                java.util.Arrays.fill(pass, '\0');
            }
        } else {
            spec = new PKCS8EncodedKeySpec(der);
        }
        for (String type : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(type).generatePrivate(spec);
            } catch (GeneralSecurityException x) {
                // next type
            }
        }
        throw new GeneralSecurityException(key + " is not an RSA, EC or EdDSA private key");
    }

    private String choose() {
        try {
            load();
            return ALIAS;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warn("IRC network {}: the TLS client certificate is not sent: {}", network, e.getMessage());
            chain = null;
            privateKey = null;
            return null;
        }
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return choose();
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return choose();
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? privateKey : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
