package org.rawsockets.coap.internal;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CRLReason;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.californium.elements.util.CertPathUtil;

/**
 * The revocation check of a server's certificate chain against the configured certificate revocation
 * lists (RFC 5280 section 6.3), by the JDK's PKIX validator with its revocation checker limited to the
 * lists given (no OCSP, nothing fetched from the network): each certificate of the chain below the
 * trust anchor must be covered by a current, correctly signed list of its issuer and not be on it.
 */
final class CrlCheck {

    /** Why the chain is refused: revoked, or its revocation cannot be decided. */
    record Refusal(boolean revoked, String detail) {
    }

    private CrlCheck() {
    }

    /**
     * @param chain the server's chain, leaf first (already verified up to one of {@code trusted})
     * @param file the crlPath, for the message
     * @return {@code null} when no certificate of the chain is revoked and every one is covered
     */
    static Refusal check(List<? extends Certificate> chain, List<X509Certificate> trusted, List<X509CRL> crls, Path file) {
        List<X509Certificate> path = new ArrayList<>();
        for (Certificate c : chain) {
            if (!trusted.contains(c)) { // the anchor itself is not part of the path
                path.add((X509Certificate) c);
            }
        }
        if (path.isEmpty()) {
            return null;
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate t : trusted) {
                anchors.add(new TrustAnchor(t, null));
            }
            PKIXParameters p = new PKIXParameters(anchors);
            p.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
            CertPathValidator validator = CertPathValidator.getInstance("PKIX");
            PKIXRevocationChecker revocation = (PKIXRevocationChecker) validator.getRevocationChecker();
            revocation.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
                    PKIXRevocationChecker.Option.NO_FALLBACK));
            p.addCertPathChecker(revocation);
            p.setRevocationEnabled(true);
            validator.validate(CertificateFactory.getInstance("X.509").generateCertPath(path), p);
            return null;
        } catch (CertPathValidatorException e) {
            X509Certificate at = e.getIndex() >= 0 && e.getIndex() < path.size() ? path.get(e.getIndex()) : path.get(0);
            String which = (at == path.get(0) ? "the server certificate" : "the CA certificate") + " (CN "
                    + CertPathUtil.getSubjectsCn(at) + ", serial " + at.getSerialNumber().toString(16) + ", issued by "
                    + at.getIssuerX500Principal().getName() + ")";
            if (e.getReason() == BasicReason.REVOKED) {
                return new Refusal(true, which + " is revoked" + entry(at, crls) + " by the revocation list of crlPath "
                        + file);
            }
            if (e.getReason() == BasicReason.UNDETERMINED_REVOCATION_STATUS) {
                return new Refusal(false, "the revocation of " + which + " cannot be decided: crlPath " + file
                        + " holds no current revocation list signed by its issuer");
            }
            return new Refusal(false, which + " fails the revocation check of crlPath " + file + " (" + e.getMessage()
                    + ")");
        } catch (GeneralSecurityException e) {
            return new Refusal(false, "the revocation check of crlPath " + file + " could not run (" + e + ")");
        }
    }

    /** " on DATE (reason)" from the list that names {@code c}, or "". */
    private static String entry(X509Certificate c, List<X509CRL> crls) {
        for (X509CRL crl : crls) {
            if (crl.getIssuerX500Principal().equals(c.getIssuerX500Principal())) {
                X509CRLEntry e = crl.getRevokedCertificate(c);
                if (e != null) {
                    CRLReason reason = e.getRevocationReason();
                    return " since " + e.getRevocationDate().toInstant()
                            + (reason == null ? "" : " (" + reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                                    + ")");
                }
            }
        }
        return "";
    }
}
