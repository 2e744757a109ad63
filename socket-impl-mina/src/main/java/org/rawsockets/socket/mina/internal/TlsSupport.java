package org.rawsockets.socket.mina.internal;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsOptions;

/** TLS contexts from {@link TlsOptions} (PEM trust, PEM client keys, managers) and the client filter. */
final class TlsSupport {

    static {
        // MINA runs delegated SSLEngine tasks on a static pool whose core threads never time out;
        // let them end when idle so that a stopped engine leaves no thread behind.
        if (ClientTlsFilter.executor() instanceof ThreadPoolExecutor tpe) {
            tpe.allowCoreThreadTimeOut(true);
        }
    }

    private TlsSupport() {
    }

    static void init() {
        // triggers the static initialiser
    }

    /**
     * Builds a new SSL context for {@code tls}; {@link GeneralSecurityException} with a usable message.
     * Connections take theirs from {@link TlsContexts} (one per configuration), not from here.
     */
    static SSLContext context(TlsOptions tls) throws GeneralSecurityException {
        TrustManager[] tms = null;
        if (tls.trustManager().isPresent()) {
            tms = new TrustManager[] { tls.trustManager().get() };
        } else if (tls.trustedCertificatesPem().isPresent()) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            try {
                ks.load(null, null);
            } catch (java.io.IOException e) {
                throw new GeneralSecurityException(e);
            }
            int i = 0;
            for (X509Certificate c : certificates(tls.trustedCertificatesPem().get(), "tls trustedCertificatesPem")) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            tms = tmf.getTrustManagers();
        }
        KeyManager[] kms = null;
        if (tls.keyManager().isPresent()) {
            kms = new KeyManager[] { tls.keyManager().get() };
        } else if (tls.clientCertificatePem().isPresent()) {
            List<X509Certificate> chain = certificates(tls.clientCertificatePem().get(), "tls clientCertificate");
            PrivateKey key = privateKey(tls.clientKeyPem().orElseThrow());
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            try {
                ks.load(null, null);
            } catch (java.io.IOException e) {
                throw new GeneralSecurityException(e);
            }
            char[] pw = new char[0];
            ks.setKeyEntry("client", key, pw, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            kms = kmf.getKeyManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kms, tms, null);
        return ctx;
    }

    static List<X509Certificate> certificates(String pem, String what) throws GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        Collection<? extends Certificate> certs = cf
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException(what + " holds no PEM certificate");
        }
        return out;
    }

    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        String begin = "-----BEGIN PRIVATE KEY-----";
        int s = pem.indexOf(begin);
        int e = pem.indexOf("-----END PRIVATE KEY-----");
        if (s < 0 || e < s) {
            throw new GeneralSecurityException("tls client key must be PEM PKCS#8 (-----BEGIN PRIVATE KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(s + begin.length(), e));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String alg : new String[] { "RSA", "EC", "Ed25519", "RSASSA-PSS" }) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException ex) {
                last = ex;
            }
        }
        throw new GeneralSecurityException("tls client key is not an RSA, EC or Ed25519 PKCS#8 key", last);
    }

    /**
     * Sends close_notify on {@code s} and closes the TLS outbound side, keeping the filter so that
     * what the peer still sends is decrypted (a TLS half-close).
     *
     * @return false when the session has no TLS handler (the caller falls back to a full close)
     */
    static boolean closeOutbound(IoSession s, String filterName) {
        Object h = s.getAttribute(ClientTlsFilter.handlerKey());
        org.apache.mina.core.filterchain.IoFilter.NextFilter next = s.getFilterChain().getNextFilter(filterName);
        if (!(h instanceof org.apache.mina.filter.ssl.SslHandler handler) || next == null) {
            return false;
        }
        try {
            handler.close(next, false);
            return true;
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether {@code host} is an IP literal (no SNI for those): it has a colon, or is digits and
     * dots only. No regular expression: a bound UDP socket asks this for every datagram it sends.
     */
    static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char ch = host.charAt(i);
            if (ch != '.' && (ch < '0' || ch > '9')) {
                return false;
            }
        }
        return true;
    }

    /**
     * A client-mode SslFilter that applies SNI, ALPN, protocols, cipher suites and host name
     * verification. Its engine reports a handshake that fails in a delegated task to
     * {@code onTaskFailure} ({@link ReportingSslEngine}); {@code beforeHandshake}, when given, runs
     * once the filter is in the chain with its TLS handler, just before the handshake starts
     * (STARTTLS: raw bytes may go to TLS from then on).
     */
    static final class ClientTlsFilter extends SslFilter {
        private final TlsOptions tls;
        private final String sniName;
        private final String peerHost;
        private final java.util.function.Consumer<javax.net.ssl.SSLException> onTaskFailure;
        private final Runnable beforeHandshake;
        private volatile ReportingSslEngine engine;
        /** When the engine was made, just before the handshake: a session created earlier was resumed. */
        private volatile long engineCreated;

        ClientTlsFilter(SSLContext ctx, TlsOptions tls, String destinationHost,
                java.util.function.Consumer<javax.net.ssl.SSLException> onTaskFailure, Runnable beforeHandshake) {
            super(ctx);
            this.tls = tls;
            this.peerHost = tls.serverName().orElse(destinationHost);
            this.sniName = isIpLiteral(peerHost) ? null : peerHost;
            this.onTaskFailure = onTaskFailure;
            this.beforeHandshake = beforeHandshake;
        }

        /** The handshake failure a delegated task (certificate checks) produced, or null. */
        javax.net.ssl.SSLException taskFailure() {
            ReportingSslEngine e = engine;
            return e == null ? null : e.taskFailure();
        }

        static java.util.concurrent.Executor executor() {
            return EXECUTOR;
        }

        static org.apache.mina.core.session.AttributeKey handlerKey() {
            return SSL_HANDLER;
        }

        String sniName() {
            return sniName;
        }

        @Override
        protected SSLEngine createEngine(IoSession session, InetSocketAddress addr) {
            // host and port: the JDK client session cache (in the shared context) resumes by them
            engineCreated = System.currentTimeMillis();
            SSLEngine e = sslContext.createSSLEngine(peerHost, addr == null ? -1 : addr.getPort());
            e.setUseClientMode(true);
            SSLParameters p = e.getSSLParameters();
            if (sniName != null) {
                p.setServerNames(List.of(new SNIHostName(sniName)));
            }
            if (tls.verifyHostname()) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!tls.alpnProtocols().isEmpty()) {
                p.setApplicationProtocols(tls.alpnProtocols().toArray(new String[0]));
            }
            if (!tls.protocols().isEmpty()) {
                p.setProtocols(tls.protocols().toArray(new String[0]));
            }
            if (!tls.cipherSuites().isEmpty()) {
                p.setCipherSuites(tls.cipherSuites().toArray(new String[0]));
            }
            e.setSSLParameters(p);
            ReportingSslEngine r = new ReportingSslEngine(e, onTaskFailure, beforeHandshake);
            this.engine = r;
            return r;
        }

        /** Whether the peer's close_notify arrived (the TLS inbound side is done). */
        boolean inboundDone() {
            SSLEngine e = engine;
            return e != null && e.isInboundDone();
        }

        TlsInfo info() {
            SSLEngine e = engine;
            SSLSession s = e.getSession();
            List<X509Certificate> peer = new ArrayList<>();
            try {
                for (Certificate c : s.getPeerCertificates()) {
                    if (c instanceof X509Certificate x) {
                        peer.add(x);
                    }
                }
            } catch (SSLPeerUnverifiedException ignored) {
                // the peer sent no certificate
            }
            String alpn = e.getApplicationProtocol();
            // a resumed session keeps its creation time (TLS 1.2: the same session; TLS 1.3: the JDK
            // copies it from the resumed one); a full handshake creates its session after the engine
            boolean resumed = s.getCreationTime() < engineCreated;
            return new TlsInfo(s.getProtocol(), s.getCipherSuite(), alpn == null || alpn.isEmpty() ? null : alpn,
                    sniName, peer, resumed);
        }
    }
}
