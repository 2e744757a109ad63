package org.rawsockets.socket;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS settings of a TCP socket. Immutable; build with {@link #builder()}.
 *
 * <p>Trust: by default the JDK's trust store and host name verification
 * ({@code HTTPS} endpoint identification against {@link #serverName()} or the destination host).
 * {@link Builder#trustedCertificatesPem(String)} replaces the JDK store by the given CA
 * certificates; {@link Builder#trustManager(X509TrustManager)} replaces the whole trust decision.
 */
public final class TlsOptions {

    private static final TlsOptions OFF = builder().build();

    private final TlsMode mode;
    private final String serverName;
    private final List<String> alpnProtocols;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    private final String trustedCertificatesPem;
    private final X509TrustManager trustManager;
    private final String clientCertificatePem;
    private final String clientKeyPem;
    private final X509KeyManager keyManager;
    private final boolean verifyHostname;

    private TlsOptions(Builder b) {
        this.mode = b.mode;
        this.serverName = b.serverName;
        this.alpnProtocols = List.copyOf(b.alpnProtocols);
        this.protocols = List.copyOf(b.protocols);
        this.cipherSuites = List.copyOf(b.cipherSuites);
        this.trustedCertificatesPem = b.trustedCertificatesPem;
        this.trustManager = b.trustManager;
        this.clientCertificatePem = b.clientCertificatePem;
        this.clientKeyPem = b.clientKeyPem;
        this.keyManager = b.keyManager;
        this.verifyHostname = b.verifyHostname;
    }

    /** TLS off. */
    public static TlsOptions off() {
        return OFF;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mode = mode;
        b.serverName = serverName;
        b.alpnProtocols = alpnProtocols;
        b.protocols = protocols;
        b.cipherSuites = cipherSuites;
        b.trustedCertificatesPem = trustedCertificatesPem;
        b.trustManager = trustManager;
        b.clientCertificatePem = clientCertificatePem;
        b.clientKeyPem = clientKeyPem;
        b.keyManager = keyManager;
        b.verifyHostname = verifyHostname;
        return b;
    }

    public TlsMode mode() {
        return mode;
    }

    /** SNI host name and the name the certificate is verified against; empty: the destination host. */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    /** ALPN protocols offered, in preference order; empty: no ALPN. */
    public List<String> alpnProtocols() {
        return alpnProtocols;
    }

    /** TLS protocol versions enabled, e.g. {@code TLSv1.3}; empty: the JDK's defaults. */
    public List<String> protocols() {
        return protocols;
    }

    /**
     * TLS cipher suites enabled, e.g. {@code TLS_AES_128_GCM_SHA256}; empty: the JDK's defaults.
     *
     * @since 1.1
     */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /** PEM CA certificates that replace the JDK trust store, if set. */
    public Optional<String> trustedCertificatesPem() {
        return Optional.ofNullable(trustedCertificatesPem);
    }

    /** A trust manager that replaces the trust decision, if set. */
    public Optional<X509TrustManager> trustManager() {
        return Optional.ofNullable(trustManager);
    }

    /** PEM client certificate chain for mutual TLS, if set (goes with {@link #clientKeyPem()}). */
    public Optional<String> clientCertificatePem() {
        return Optional.ofNullable(clientCertificatePem);
    }

    /** PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY}) for mutual TLS, if set. */
    public Optional<String> clientKeyPem() {
        return Optional.ofNullable(clientKeyPem);
    }

    /** A key manager for mutual TLS, if set. */
    public Optional<X509KeyManager> keyManager() {
        return Optional.ofNullable(keyManager);
    }

    /** Whether the server certificate must match the host name (default {@code true}). */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    @Override
    public String toString() {
        // Never prints key material.
        return "TlsOptions[mode=" + mode + ", serverName=" + serverName + ", alpn=" + alpnProtocols
                + ", protocols=" + protocols + (cipherSuites.isEmpty() ? "" : ", cipherSuites=" + cipherSuites)
                + ", customTrust=" + (trustedCertificatesPem != null || trustManager != null)
                + ", clientAuth=" + (clientKeyPem != null || keyManager != null) + ", verifyHostname="
                + verifyHostname + "]";
    }

    /** Builds {@link TlsOptions}; every setter checks its argument at once. */
    public static final class Builder {
        private TlsMode mode = TlsMode.OFF;
        private String serverName;
        private List<String> alpnProtocols = List.of();
        private List<String> protocols = List.of();
        private List<String> cipherSuites = List.of();
        private String trustedCertificatesPem;
        private X509TrustManager trustManager;
        private String clientCertificatePem;
        private String clientKeyPem;
        private X509KeyManager keyManager;
        private boolean verifyHostname = true;

        private Builder() {
        }

        public Builder mode(TlsMode mode) {
            this.mode = Objects.requireNonNull(mode, "tls mode");
            return this;
        }

        public Builder serverName(String serverName) {
            this.serverName = serverName == null ? null : Checks.host("tls serverName", serverName);
            return this;
        }

        public Builder alpnProtocols(List<String> alpnProtocols) {
            for (String p : alpnProtocols) {
                if (p == null || p.isEmpty() || p.length() > 255) {
                    throw new IllegalArgumentException(
                            "tls alpnProtocols entries must be 1..255 characters, was '" + p + "'");
                }
            }
            this.alpnProtocols = List.copyOf(alpnProtocols);
            return this;
        }

        public Builder alpnProtocols(String... alpnProtocols) {
            return alpnProtocols(List.of(alpnProtocols));
        }

        public Builder protocols(String... protocols) {
            this.protocols = List.of(protocols);
            return this;
        }

        /**
         * The cipher suites to enable, by their standard names; none: the JDK's defaults.
         *
         * @throws IllegalArgumentException when a name is null or empty
         * @since 1.1
         */
        public Builder cipherSuites(String... cipherSuites) {
            for (String c : cipherSuites) {
                if (c == null || c.isBlank()) {
                    throw new IllegalArgumentException("tls cipherSuites entries must be cipher suite names, was '"
                            + c + "'");
                }
            }
            this.cipherSuites = List.of(cipherSuites);
            return this;
        }

        public Builder trustedCertificatesPem(String pem) {
            if (pem != null && !pem.contains("-----BEGIN CERTIFICATE-----")) {
                throw new IllegalArgumentException(
                        "tls trustedCertificatesPem must hold PEM certificates (-----BEGIN CERTIFICATE-----)");
            }
            this.trustedCertificatesPem = pem;
            return this;
        }

        public Builder trustManager(X509TrustManager trustManager) {
            this.trustManager = trustManager;
            return this;
        }

        /** Client certificate chain and PKCS#8 private key, both PEM, for mutual TLS. */
        public Builder clientCertificate(String certificatePem, String privateKeyPem) {
            if ((certificatePem == null) != (privateKeyPem == null)) {
                throw new IllegalArgumentException("tls clientCertificate needs both the certificate and the key");
            }
            if (certificatePem != null && !certificatePem.contains("-----BEGIN CERTIFICATE-----")) {
                throw new IllegalArgumentException("tls clientCertificate certificate must be PEM");
            }
            if (privateKeyPem != null && !privateKeyPem.contains("-----BEGIN PRIVATE KEY-----")) {
                throw new IllegalArgumentException(
                        "tls clientCertificate key must be PEM PKCS#8 (-----BEGIN PRIVATE KEY-----); convert with"
                                + " 'openssl pkcs8 -topk8 -nocrypt'");
            }
            this.clientCertificatePem = certificatePem;
            this.clientKeyPem = privateKeyPem;
            return this;
        }

        public Builder keyManager(X509KeyManager keyManager) {
            this.keyManager = keyManager;
            return this;
        }

        public Builder verifyHostname(boolean verifyHostname) {
            this.verifyHostname = verifyHostname;
            return this;
        }

        public TlsOptions build() {
            if (trustManager != null && trustedCertificatesPem != null) {
                throw new IllegalArgumentException(
                        "tls trustManager and trustedCertificatesPem are exclusive: set one of them");
            }
            if (keyManager != null && clientKeyPem != null) {
                throw new IllegalArgumentException(
                        "tls keyManager and clientCertificate are exclusive: set one of them");
            }
            return new TlsOptions(this);
        }
    }
}
