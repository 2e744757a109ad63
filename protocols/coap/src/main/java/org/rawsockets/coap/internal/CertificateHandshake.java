package org.rawsockets.coap.internal;

import java.net.InetSocketAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.util.CertPathUtil;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertLevel;
import org.eclipse.californium.scandium.dtls.CertificateIdentityResult;
import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite.CertificateKeyAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;
import org.eclipse.californium.scandium.dtls.x509.CertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * The certificate side of one {@code coaps} connector: the server's certificate is checked by
 * Scandium against the configured CA certificates (or its raw public key against the pinned one), and
 * its name here against {@code serverName} (the configured host by default); the client certificate,
 * if any, is handed to Scandium when the server asks for one. What went wrong is remembered
 * ({@link #problem()}, {@link #certificateRequested()}) so that the failed request gets a typed reason
 * rather than Scandium's alert.
 */
final class CertificateHandshake {

    /** Why we refused the server's certificate. */
    enum Kind {
        UNTRUSTED, NAME_MISMATCH, REVOKED,
        /** With crlPath: the revocation of a certificate of the chain cannot be decided (or the check failed). */
        REVOCATION_UNDECIDED
    }

    /** Our refusal of the server's certificate: what, and the words for the user. */
    record Problem(Kind kind, String detail) {
    }

    private final CertificateSettings settings;
    private final CertificateSettings.Loaded loaded;
    private final String expectedName;
    private final Verifier verifier;
    private final ClientIdentity identity;
    private volatile Problem problem;
    private volatile boolean certificateRequested;
    private volatile String clientCertificateUnfit;

    /**
     * @param expectedName the name the server certificate must carry (serverName, else the host; an IP
     *        literal is matched against the certificate's IP addresses)
     */
    CertificateHandshake(CertificateSettings settings, CertificateSettings.Loaded loaded, String expectedName) {
        this.settings = settings;
        this.loaded = loaded;
        this.expectedName = expectedName;
        this.verifier = new Verifier();
        this.identity = new ClientIdentity();
    }

    NewAdvancedCertificateVerifier verifier() {
        return verifier;
    }

    CertificateProvider identity() {
        return identity;
    }

    CertificateSettings settings() {
        return settings;
    }

    /** The name the server certificate is checked against. */
    String expectedName() {
        return expectedName;
    }

    /** Our refusal of the server's certificate in the last handshake, or {@code null}. */
    Problem problem() {
        return problem;
    }

    /** Whether the server asked for a client certificate in the last handshake. */
    boolean certificateRequested() {
        return certificateRequested;
    }

    /**
     * Why the client certificate did not fit what the server asked for in the last handshake (so
     * Scandium sent none), or {@code null}.
     */
    String clientCertificateUnfit() {
        return clientCertificateUnfit;
    }

    /** A new handshake starts: forget the last one's findings. */
    void reset() {
        problem = null;
        certificateRequested = false;
        clientCertificateUnfit = null;
    }

    private final class Verifier implements NewAdvancedCertificateVerifier {
        private final NewAdvancedCertificateVerifier scandium;

        Verifier() {
            StaticNewAdvancedCertificateVerifier.Builder b = StaticNewAdvancedCertificateVerifier.builder();
            List<CertificateType> types = new ArrayList<>();
            if (loaded.pinned() != null) {
                b.setTrustedRPKs(new RawPublicKeyIdentity(loaded.pinned()));
                types.add(CertificateType.RAW_PUBLIC_KEY);
            }
            if (loaded.trusted() != null) {
                b.setTrustedCertificates(loaded.trusted().toArray(X509Certificate[]::new));
                types.add(CertificateType.X_509);
            }
            scandium = b.setSupportedCertificateTypes(types).build();
        }

        @Override
        public List<CertificateType> getSupportedCertificateTypes() {
            return scandium.getSupportedCertificateTypes();
        }

        @Override
        public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
                InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject,
                boolean truncateCertificatePath, CertificateMessage message) {
            // the chain (or raw key) by Scandium, the name here: its check would use the peer's address only
            CertificateVerificationResult result = scandium.verifyCertificate(cid, serverName, remotePeer,
                    clientUsage, false, truncateCertificatePath, message);
            if (result.getException() != null) {
                problem = new Problem(Kind.UNTRUSTED, untrusted(message, result.getException()));
                return result;
            }
            if (loaded.crls() != null && message.getCertificateChain() != null && !message.isEmpty()) {
                CrlCheck.Refusal refusal = CrlCheck.check(message.getCertificateChain().getCertificates(),
                        loaded.trusted(), loaded.crls(), settings.crls());
                if (refusal != null) {
                    problem = new Problem(refusal.revoked() ? Kind.REVOKED : Kind.REVOCATION_UNDECIDED, refusal.detail());
                    return new CertificateVerificationResult(cid, new HandshakeException(refusal.detail(),
                            new AlertMessage(AlertLevel.FATAL, refusal.revoked() ? AlertDescription.CERTIFICATE_REVOKED
                                    : AlertDescription.CERTIFICATE_UNKNOWN)), null);
                }
            }
            if (settings.verifyHostname() && message.getCertificateChain() != null && !message.isEmpty()) {
                X509Certificate leaf = (X509Certificate) message.getCertificateChain().getCertificates().get(0);
                if (!nameMatches(leaf)) {
                    String names = names(leaf);
                    problem = new Problem(Kind.NAME_MISMATCH, "the server certificate (CN "
                            + CertPathUtil.getSubjectsCn(leaf) + ", names " + names + ") does not name '"
                            + expectedName + "'");
                    return new CertificateVerificationResult(cid, new HandshakeException("certificate does not name "
                            + expectedName, new AlertMessage(AlertLevel.FATAL, AlertDescription.BAD_CERTIFICATE)),
                            null);
                }
            }
            return result;
        }

        private String untrusted(CertificateMessage message, HandshakeException e) {
            if (message.getCertificateChain() == null) {
                return "the server's raw public key is not the one pinned by serverPublicKeyPath "
                        + settings.serverPublicKey();
            }
            Throwable cause = e.getCause();
            String why = e.getMessage() + (cause != null && cause.getMessage() != null ? ": " + cause.getMessage()
                    : "");
            if (message.isEmpty()) {
                return "the server sent no certificate (" + why + ")";
            }
            X509Certificate leaf = (X509Certificate) message.getCertificateChain().getCertificates().get(0);
            if (settings.caCertificates() == null) {
                return "the server sent an X.509 certificate (CN " + CertPathUtil.getSubjectsCn(leaf) + ") but this"
                        + " device only accepts the raw public key pinned by serverPublicKeyPath "
                        + settings.serverPublicKey() + " (set caCertificatesPath to trust certificates)";
            }
            return "the server certificate (CN " + CertPathUtil.getSubjectsCn(leaf) + ", issued by "
                    + leaf.getIssuerX500Principal().getName() + ") is not trusted by caCertificatesPath "
                    + settings.caCertificates() + " (" + why + ")";
        }

        private boolean nameMatches(X509Certificate leaf) {
            if (isIpLiteral(expectedName)) {
                return CertPathUtil.matchLiteralIP(leaf, expectedName);
            }
            return CertPathUtil.matchDestination(leaf, expectedName);
        }

        @Override
        public List<X500Principal> getAcceptedIssuers() {
            return scandium.getAcceptedIssuers();
        }

        @Override
        public void setResultHandler(HandshakeResultHandler resultHandler) {
            // synchronous
        }
    }

    /** The subject alternative names of {@code c}, for the message. */
    static String names(X509Certificate c) {
        try {
            Collection<List<?>> alt = c.getSubjectAlternativeNames();
            if (alt == null) {
                return "none";
            }
            List<String> names = new ArrayList<>();
            for (List<?> n : alt) {
                names.add(String.valueOf(n.get(1)));
            }
            return String.join(", ", names);
        } catch (CertificateParsingException e) {
            return "unreadable";
        }
    }

    /** An IPv4 or IPv6 literal (never resolved). */
    static boolean isIpLiteral(String name) {
        if (name.indexOf(':') >= 0) {
            return true;
        }
        return name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /** Presents the client certificate when asked; remembers that the server asked. */
    private final class ClientIdentity implements CertificateProvider {
        private final SingleCertificateProvider scandium = loaded.clientChain() == null ? null
                : new SingleCertificateProvider(loaded.clientKey(),
                        loaded.clientChain().toArray(X509Certificate[]::new), CertificateType.X_509);

        @Override
        public List<CertificateKeyAlgorithm> getSupportedCertificateKeyAlgorithms() {
            return scandium != null ? scandium.getSupportedCertificateKeyAlgorithms()
                    : List.of(CertificateKeyAlgorithm.EC);
        }

        @Override
        public List<CertificateType> getSupportedCertificateTypes() {
            return List.of(CertificateType.X_509);
        }

        @Override
        public CertificateIdentityResult requestCertificateIdentity(ConnectionId cid, boolean client,
                List<X500Principal> issuers, ServerNames serverNames,
                List<CertificateKeyAlgorithm> certificateKeyAlgorithms,
                List<SignatureAndHashAlgorithm> signatureAndHashAlgorithms, List<SupportedGroup> curves) {
            certificateRequested = true;
            if (scandium == null) {
                return new CertificateIdentityResult(cid); // an empty Certificate message
            }
            clientCertificateUnfit = unfit(certificateKeyAlgorithms, signatureAndHashAlgorithms);
            return scandium.requestCertificateIdentity(cid, client, issuers, serverNames, certificateKeyAlgorithms,
                    signatureAndHashAlgorithms, curves);
        }

        /**
         * What Scandium's client checks before it sends the certificate (else it sends an empty one):
         * the server accepts the key's kind, a signature for it, and the signatures of the chain.
         */
        private String unfit(List<CertificateKeyAlgorithm> kinds, List<SignatureAndHashAlgorithm> signatures) {
            X509Certificate leaf = loaded.clientChain().get(0);
            String key = leaf.getPublicKey().getAlgorithm();
            if (kinds != null && !kinds.isEmpty() && kinds.stream().noneMatch(k -> k.isCompatible(key))) {
                return "the server accepts client certificates with " + kinds + " keys only and clientCertificatePath"
                        + " " + settings.clientCertificate() + " has an " + key + " key; give this device a certificate"
                        + " of a kind the server accepts (or let the server accept " + key + ")";
            }
            List<SignatureAndHashAlgorithm> common = SignatureAndHashAlgorithm.getCommonSignatureAlgorithms(
                    signatures, CertificateSuites.SIGNATURES);
            if (SignatureAndHashAlgorithm.getSupportedSignatureAlgorithm(common, leaf.getPublicKey()) == null) {
                return "the server verifies the signatures " + signatures + " only, none of which this client signs"
                        + " with its " + key + " key of clientKeyPath " + settings.clientKey();
            }
            if (!SignatureAndHashAlgorithm.isSignedWithSupportedAlgorithms(signatures, loaded.clientChain())) {
                return "the certificates of clientCertificatePath " + settings.clientCertificate() + " are signed with"
                        + " an algorithm the server does not verify (it lists " + signatures + ")";
            }
            return null;
        }

        @Override
        public void setResultHandler(HandshakeResultHandler resultHandler) {
            // synchronous
        }
    }
}
