package org.rawsockets.socket.mina.internal.net;

import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * The TLS settings of one {@link ServiceSslSocket}: the factory's {@link TlsOptions} (what the bundle
 * chose) refined by what the library sets before the handshake. A library may narrow the
 * protocols and cipher suites to a subset of what the options allow, set SNI and ALPN, and ask for
 * host name verification; it cannot widen the options or turn verification off.
 */
final class TlsSettings {

    private static final SSLParameters DEFAULTS;
    private static final SSLParameters SUPPORTED;

    static {
        try {
            SSLContext ctx = SSLContext.getDefault();
            DEFAULTS = ctx.getDefaultSSLParameters();
            SUPPORTED = ctx.getSupportedSSLParameters();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }

    private final TlsOptions tls;
    // guarded by this
    private String[] protocols;
    private String[] cipherSuites;
    private String sniName;
    private String[] alpn;
    private boolean verifyHostname;
    volatile boolean needClientAuth;
    volatile boolean wantClientAuth;
    volatile boolean sessionCreation = true;

    TlsSettings(TlsOptions tls) {
        this.tls = tls;
        this.verifyHostname = tls.verifyHostname();
    }

    String[] supportedCipherSuites() {
        return SUPPORTED.getCipherSuites();
    }

    String[] supportedProtocols() {
        return SUPPORTED.getProtocols();
    }

    synchronized String[] enabledCipherSuites() {
        if (cipherSuites != null) {
            return cipherSuites.clone();
        }
        return tls.cipherSuites().isEmpty() ? DEFAULTS.getCipherSuites() : tls.cipherSuites().toArray(new String[0]);
    }

    synchronized String[] enabledProtocols() {
        if (protocols != null) {
            return protocols.clone();
        }
        return tls.protocols().isEmpty() ? DEFAULTS.getProtocols() : tls.protocols().toArray(new String[0]);
    }

    void setEnabledCipherSuites(String[] suites) {
        String[] checked = subset("cipher suite", suites, supportedCipherSuites(), tls.cipherSuites());
        synchronized (this) {
            cipherSuites = checked;
        }
    }

    void setEnabledProtocols(String[] list) {
        String[] checked = subset("protocol", list, supportedProtocols(), tls.protocols());
        synchronized (this) {
            protocols = checked;
        }
    }

    /** {@code wanted} must be supported and, when the options list some, among them. */
    private static String[] subset(String what, String[] wanted, String[] supported, List<String> allowed) {
        if (wanted == null) {
            throw new IllegalArgumentException(what + " list is null");
        }
        Set<String> sup = Set.of(supported);
        for (String w : wanted) {
            if (w == null || !sup.contains(w)) {
                throw new IllegalArgumentException("Unsupported " + what + ": " + w);
            }
            if (!allowed.isEmpty() && !allowed.contains(w)) {
                throw new IllegalArgumentException(what + " " + w + " is not enabled by the socket service's TLS"
                        + " options of this bundle (" + allowed + "): a library may narrow them, not widen them");
            }
        }
        return wanted.clone();
    }

    synchronized SSLParameters parameters(String peerHost) {
        SSLParameters p = new SSLParameters(enabledCipherSuites(), enabledProtocols());
        String sni = sniName != null ? sniName : tls.serverName().orElse(peerHost);
        if (sni != null && !ServiceSocket.isLiteral(sni)) {
            p.setServerNames(List.of(new SNIHostName(sni)));
        }
        if (verifyHostname) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        String[] a = alpn != null ? alpn : tls.alpnProtocols().toArray(new String[0]);
        p.setApplicationProtocols(a);
        p.setNeedClientAuth(needClientAuth);
        if (!needClientAuth) {
            p.setWantClientAuth(wantClientAuth);
        }
        return p;
    }

    void setParameters(SSLParameters p) {
        if (p.getCipherSuites() != null) {
            setEnabledCipherSuites(p.getCipherSuites());
        }
        if (p.getProtocols() != null) {
            setEnabledProtocols(p.getProtocols());
        }
        synchronized (this) {
            List<SNIServerName> names = p.getServerNames();
            if (names != null) {
                sniName = null;
                for (SNIServerName n : names) {
                    if (n instanceof SNIHostName h) {
                        sniName = h.getAsciiName();
                    }
                }
            }
            String algo = p.getEndpointIdentificationAlgorithm();
            if (algo != null && !algo.isEmpty()) {
                if (!algo.equalsIgnoreCase("HTTPS")) {
                    throw new IllegalArgumentException("endpoint identification algorithm " + algo + " is not supported"
                            + " by the socket service (HTTPS is)");
                }
                verifyHostname = true; // stricter only: null never turns the bundle's verification off
            }
            if (p.getApplicationProtocols() != null && p.getApplicationProtocols().length > 0) {
                alpn = p.getApplicationProtocols().clone();
            }
        }
        needClientAuth = p.getNeedClientAuth();
        wantClientAuth = p.getWantClientAuth();
    }

    /** The options of the {@code startTls} upgrade. */
    synchronized TlsOptions toOptions(String peerHost) throws javax.net.ssl.SSLHandshakeException {
        if (!sessionCreation) {
            throw new javax.net.ssl.SSLHandshakeException("session creation is disabled on this SSLSocket, and the"
                    + " socket service has no session to resume");
        }
        TlsOptions.Builder b = tls.toBuilder().mode(TlsMode.STARTTLS).verifyHostname(verifyHostname);
        if (protocols != null) {
            b.protocols(protocols);
        }
        if (cipherSuites != null) {
            b.cipherSuites(cipherSuites);
        }
        if (alpn != null) {
            b.alpnProtocols(Arrays.asList(alpn));
        }
        String name = sniName != null ? sniName : tls.serverName().orElse(peerHost);
        if (name != null && tls.serverName().isEmpty()) {
            b.serverName(name);
        }
        return b.build();
    }

    /** The session the JDK's sockets report after a failed handshake. */
    static final SSLSession FAILED_SESSION = new SSLSession() {
        @Override
        public byte[] getId() {
            return new byte[0];
        }

        @Override
        public SSLSessionContext getSessionContext() {
            return null;
        }

        @Override
        public long getCreationTime() {
            return 0;
        }

        @Override
        public long getLastAccessedTime() {
            return 0;
        }

        @Override
        public void invalidate() {
        }

        @Override
        public boolean isValid() {
            return false;
        }

        @Override
        public void putValue(String name, Object value) {
        }

        @Override
        public Object getValue(String name) {
            return null;
        }

        @Override
        public void removeValue(String name) {
        }

        @Override
        public String[] getValueNames() {
            return new String[0];
        }

        @Override
        public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
            throw new SSLPeerUnverifiedException("the TLS handshake failed");
        }

        @Override
        public Certificate[] getLocalCertificates() {
            return null;
        }

        @Override
        public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
            throw new SSLPeerUnverifiedException("the TLS handshake failed");
        }

        @Override
        public Principal getLocalPrincipal() {
            return null;
        }

        @Override
        public String getCipherSuite() {
            return "SSL_NULL_WITH_NULL_NULL";
        }

        @Override
        public String getProtocol() {
            return "NONE";
        }

        @Override
        public String getPeerHost() {
            return null;
        }

        @Override
        public int getPeerPort() {
            return -1;
        }

        @Override
        public int getPacketBufferSize() {
            return 16709;
        }

        @Override
        public int getApplicationBufferSize() {
            return 16384;
        }
    };
}
