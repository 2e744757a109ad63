package org.rawsockets.socket.mina.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import org.rawsockets.socket.TlsOptions;

/**
 * The engine's {@link SSLContext}s, one per distinct TLS configuration instead of one per
 * connection, so that the JDK's client session cache (which lives in the context) lets a second
 * connection to the same server resume the first one's session, and PEM trust and keys are parsed
 * once per configuration, not per connection.
 *
 * <p>A context depends only on the trust and key material (protocols, cipher suites, ALPN, SNI and
 * host name verification are set on each connection's {@code SSLEngine}); the key is therefore
 * that material: the SHA-256 of the PEM texts (the key does not keep the PEM, a private key's
 * included), or the identity of a {@code TrustManager}/{@code KeyManager} the caller supplied (a
 * different object is a different configuration, even if it trusts the same). The JDK resumes a
 * session only with the same peer host and port ({@code createSSLEngine(host, port)}) and the same
 * host name verification algorithm, so sharing a context between connections with different
 * verification settings does not let one resume the other's session unchecked.
 *
 * <p>Bounded: at most {@link #MAX} contexts, the least recently used is dropped (its sessions with
 * it; a later connection with that configuration builds a new context and makes a full handshake).
 */
final class TlsContexts {

    /** Contexts kept at most. */
    static final int MAX = 64;

    private final int max;
    private final LinkedHashMap<Key, SSLContext> contexts; // access order; guarded by this

    TlsContexts() {
        this(MAX);
    }

    TlsContexts(int max) {
        this.max = max;
        this.contexts = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, SSLContext> eldest) {
                return size() > TlsContexts.this.max;
            }
        };
    }

    /**
     * The context for {@code tls}: the cached one, or a new one (built outside the lock: parsing PEM
     * and initialising the managers takes milliseconds; two callers racing for a new configuration
     * both build, the first one stored wins).
     *
     * @throws GeneralSecurityException with a usable message when the material is unusable (nothing cached)
     */
    SSLContext get(TlsOptions tls) throws GeneralSecurityException {
        Key k = Key.of(tls);
        synchronized (this) {
            SSLContext c = contexts.get(k);
            if (c != null) {
                return c;
            }
        }
        SSLContext built = TlsSupport.context(tls);
        synchronized (this) {
            SSLContext raced = contexts.putIfAbsent(k, built);
            return raced != null ? raced : built;
        }
    }

    synchronized int size() {
        return contexts.size();
    }

    synchronized void clear() {
        contexts.clear();
    }

    /** What a context depends on; see the class comment. */
    record Key(Identity trustManager, Identity keyManager, Digest trustPem, Digest keyPem) {

        static Key of(TlsOptions tls) {
            if (tls.trustManager().isPresent()) {
                // the PEM trust is ignored then (TlsSupport.context): not part of the key either
                return new Key(new Identity(tls.trustManager().get()), keyManager(tls), null, keyPem(tls));
            }
            return new Key(null, keyManager(tls), Digest.of(tls.trustedCertificatesPem()), keyPem(tls));
        }

        private static Identity keyManager(TlsOptions tls) {
            return tls.keyManager().map(Identity::new).orElse(null);
        }

        private static Digest keyPem(TlsOptions tls) {
            if (tls.keyManager().isPresent() || tls.clientCertificatePem().isEmpty()) {
                return null;
            }
            return Digest.of(Optional.of(tls.clientCertificatePem().get() + "\0" + tls.clientKeyPem().orElse("")));
        }
    }

    /** An object compared by identity (a caller's manager: its equals says nothing about what it trusts). */
    record Identity(Object o) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Identity i && i.o == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(o);
        }

        @Override
        public String toString() {
            return o.getClass().getName() + "@" + Integer.toHexString(hashCode());
        }
    }

    /** The SHA-256 of a text (a PEM bundle), so that the key does not hold the text itself. */
    record Digest(byte[] sha256) {
        static Digest of(Optional<String> text) {
            if (text.isEmpty()) {
                return null;
            }
            try {
                return new Digest(MessageDigest.getInstance("SHA-256").digest(text.get().getBytes(StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from the JDK", e);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Digest d && Arrays.equals(d.sha256, sha256);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(sha256);
        }

        @Override
        public String toString() {
            return "sha256:" + java.util.HexFormat.of().formatHex(sha256, 0, 8);
        }
    }
}
