package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * One SSLContext per distinct TLS configuration: equal material shares one (also through options
 * built anew, or differing only in per-connection settings), different material does not, a
 * caller's TrustManager keys by identity, and the cache stays bounded.
 */
class TlsContextsTest {

    private final org.rawsockets.socket.contract.TestPki pki = org.rawsockets.socket.contract.TestPki.get();

    private TlsOptions.Builder trust(String pem) {
        return TlsOptions.builder().mode(TlsMode.ON).trustedCertificatesPem(pem);
    }

    @Test
    void equalMaterialSharesOneContext() throws Exception {
        TlsContexts cache = new TlsContexts();
        String ca = pki.read(pki.caPem());
        SSLContext a = cache.get(trust(ca).build());
        assertSame(a, cache.get(trust(ca).build()), "equal options built anew");
        assertSame(a, cache.get(trust(ca).protocols("TLSv1.2").cipherSuites("TLS_AES_128_GCM_SHA256")
                .alpnProtocols("h2").serverName("other.test").verifyHostname(false).build()),
                "per-connection settings (engine parameters) do not make another context");
        assertNotSame(a, cache.get(trust(ca + pki.read(pki.otherCaPem())).build()), "other trust PEM");
        assertNotSame(a, cache.get(trust(ca).clientCertificate(pki.read(pki.clientPem()),
                pki.read(pki.clientKey())).build()), "a client key");
        assertSame(cache.get(TlsOptions.builder().mode(TlsMode.ON).build()),
                cache.get(TlsOptions.builder().mode(TlsMode.ON).build()), "the JDK's trust");
        assertEquals(4, cache.size());
    }

    @Test
    void aCallersTrustManagerKeysByIdentity() throws Exception {
        TlsContexts cache = new TlsContexts();
        X509TrustManager tm1 = jdkTrustManager();
        X509TrustManager tm2 = jdkTrustManager();
        SSLContext a = cache.get(TlsOptions.builder().mode(TlsMode.ON).trustManager(tm1).build());
        assertSame(a, cache.get(TlsOptions.builder().mode(TlsMode.ON).trustManager(tm1).build()));
        assertNotSame(a, cache.get(TlsOptions.builder().mode(TlsMode.ON).trustManager(tm2).build()),
                "another manager object, even one trusting the same, is another configuration");
    }

    @Test
    void boundedLeastRecentlyUsedFirst() throws Exception {
        TlsContexts cache = new TlsContexts();
        String ca = pki.read(pki.caPem());
        SSLContext first = cache.get(trust(ca).build());
        SSLContext second = cache.get(trust(ca + "\n").build()); // other text: another key
        for (int i = 0; i < TlsContexts.MAX; i++) {
            cache.get(trust(ca + "\n".repeat(i + 2)).build());
            cache.get(trust(ca).build()); // keeps the first one recently used
        }
        assertEquals(TlsContexts.MAX, cache.size(), "bounded");
        assertSame(first, cache.get(trust(ca).build()), "the recently used one stayed");
        assertNotSame(second, cache.get(trust(ca + "\n").build()), "the least recently used one was dropped");
    }

    @Test
    void unusableMaterialIsNotCached() {
        TlsContexts cache = new TlsContexts();
        assertThrows(GeneralSecurityException.class,
                () -> cache.get(trust("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
                        .build()));
        assertEquals(0, cache.size());
    }

    private static X509TrustManager jdkTrustManager() throws Exception {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        return (X509TrustManager) f.getTrustManagers()[0];
    }
}
