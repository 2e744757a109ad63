package org.rawsockets.socket.mina.internal;

import java.util.Locale;

import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * How a bundle's TLS options compose with a named endpoint's: the operator wins. The endpoint's
 * address, port, TLS mode, server name and trust are the operator's; a bundle option that
 * contradicts them fails the open with an {@link IllegalArgumentException} naming both, except
 * where the two compose safely:
 *
 * <pre>
 * bundle mode \ endpoint tls   OFF            ON                        STARTTLS
 * OFF (the default)            plain          TLS from the first byte   refused (the bundle would never upgrade)
 * ON                           refused        TLS                       refused
 * STARTTLS                     refused        refused                   STARTTLS (the protocol upgrades)
 * </pre>
 *
 * When the result is TLS (ON, or STARTTLS at the upgrade), the server's certificate is checked
 * against the endpoint's CA certificates (or the JDK trust store when the endpoint has none) and
 * against the endpoint's server name (or its host), always with host name verification. A bundle's
 * own trust manager, trusted certificates or {@code verifyHostname(false)}, or a server name other
 * than the endpoint's, would replace the operator's trust decision: refused. What the bundle may
 * still choose: ALPN protocols, TLS protocol versions, its client certificate (mutual TLS), and
 * every non-TLS option.
 */
final class EndpointTls {

    private EndpointTls() {
    }

    /** The TLS options an open of endpoint {@code e} uses, given the bundle's. */
    static TlsOptions forOpen(MinaSocketEngine.Endpoint e, TlsOptions bundle) {
        String name = e.info().name();
        TlsMode ep = e.info().tls();
        TlsMode asked = bundle.mode();
        boolean composes = switch (ep) {
            case OFF -> asked == TlsMode.OFF;
            case ON -> asked != TlsMode.STARTTLS;
            case STARTTLS -> asked == TlsMode.STARTTLS;
        };
        if (!composes) {
            throw new IllegalArgumentException("the bundle opens endpoint '" + name + "' with TlsMode." + asked
                    + " but the operator configured it with tls=" + ep + " (" + describe(ep) + "): " + why(asked, ep)
                    + ". The endpoint's TLS mode is the operator's: change the endpoint's 'tls' (factory PID "
                    + "org.rawsockets.socket.endpoint) or the bundle's setting so that they agree");
        }
        if (ep == TlsMode.OFF) {
            return bundle;
        }
        String serverName = operatorServerName(e.info().serverName(), e.info().host());
        checkTrust("endpoint '" + name + "'", bundle, serverName, "when it opens");
        TlsOptions.Builder b = bundle.toBuilder().mode(ep).verifyHostname(true).trustManager(null)
                .trustedCertificatesPem(e.caCertificatesPem());
        if (e.info().serverName() != null) {
            b.serverName(e.info().serverName());
        }
        return b.build();
    }

    /**
     * The TLS options of {@code startTls(requested)} on a socket opened through endpoint
     * {@code endpointName} with {@code opened} (the result of {@link #forOpen}): the same rule, the
     * trust and server name stay the endpoint's.
     */
    static TlsOptions forStartTls(String endpointName, String host, TlsOptions opened, TlsOptions requested) {
        String serverName = operatorServerName(opened.serverName().orElse(null), host);
        checkTrust("endpoint '" + endpointName + "'", requested, serverName, "in startTls()");
        TlsOptions.Builder b = requested.toBuilder().mode(opened.mode()).verifyHostname(true).trustManager(null)
                .trustedCertificatesPem(opened.trustedCertificatesPem().orElse(null));
        b.serverName(opened.serverName().orElse(null));
        return b.build();
    }

    /** The name the certificate is checked against: the endpoint's serverName, else its host. */
    private static String operatorServerName(String serverName, String host) {
        return serverName != null ? serverName : host;
    }

    private static void checkTrust(String endpoint, TlsOptions bundle, String serverName, String when) {
        String option = null;
        if (bundle.trustManager().isPresent()) {
            option = "its own trust manager (TlsOptions.trustManager)";
        } else if (bundle.trustedCertificatesPem().isPresent()) {
            option = "its own trusted CA certificates (TlsOptions.trustedCertificatesPem)";
        } else if (!bundle.verifyHostname()) {
            option = "verifyHostname(false)";
        } else if (bundle.serverName().isPresent()
                && !bundle.serverName().get().toLowerCase(Locale.ROOT).equals(serverName.toLowerCase(Locale.ROOT))) {
            option = "serverName '" + bundle.serverName().get() + "'";
        }
        if (option != null) {
            throw new IllegalArgumentException("the bundle sets " + option + " " + when + " " + endpoint
                    + ", whose trust is the operator's (its CA certificates, or the JDK trust store, and the server"
                    + " name '" + serverName + "' with host name verification): a bundle option never replaces it."
                    + " Remove the option from the bundle's settings; the operator sets caCertificatesPem/"
                    + "caCertificatesPath and serverName on the endpoint");
        }
    }

    private static String describe(TlsMode m) {
        return switch (m) {
            case OFF -> "plain TCP";
            case ON -> "implicit TLS";
            case STARTTLS -> "plain TCP upgraded by the protocol";
        };
    }

    private static String why(TlsMode asked, TlsMode ep) {
        if (ep == TlsMode.OFF) {
            return "the endpoint would never give the TLS the bundle asked for";
        }
        if (asked == TlsMode.OFF) {
            return "a bundle that does not upgrade would leave the connection in plain text";
        }
        return "the two TLS modes speak differently on the wire";
    }
}
