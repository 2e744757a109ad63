package org.rawsockets.socket.mina.internal;

import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;

import javax.net.ssl.SSLException;

import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NetworkException.Reason;

/**
 * Maps the JDK's and MINA's exceptions to a {@link NetworkException.Reason}, so that every
 * {@link NetworkException} the engine makes says what kind of failure it was. The JDK reports most
 * socket errors as plain {@link java.io.IOException}s or {@link java.net.SocketException}s whose
 * message is the operating system's ({@code strerror}), so the message is looked at where the type
 * says nothing more; TLS alerts from the peer arrive as {@link SSLException}s named after the alert.
 */
final class NetworkReasons {

    /** Alerts (RFC 8446 section 6.2) a peer sends when it does not accept a certificate. */
    private static final String[] CERTIFICATE_ALERTS = { "bad_certificate", "unsupported_certificate",
            "certificate_revoked", "certificate_expired", "certificate_unknown", "unknown_ca", "certificate_required",
            "bad_certificate_status_response" };

    private NetworkReasons() {
    }

    /** A NetworkException whose reason comes from {@code cause} (OTHER when nothing is recognised). */
    static NetworkException of(String message, Throwable cause) {
        return new NetworkException(reasonOf(cause), message, cause);
    }

    /** The reason for {@code cause}, {@link Reason#OTHER} when nothing in its cause chain is recognised. */
    static Reason reasonOf(Throwable cause) {
        if (cause instanceof NetworkException n) {
            return n.reason();
        }
        Throwable ssl = null;
        int depth = 0;
        for (Throwable t = cause; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof SSLException && ssl == null) {
                ssl = t;
            }
            if (ssl != null) {
                if (t instanceof CertificateException || t instanceof CertPathValidatorException
                        || t instanceof CertPathBuilderException || mentionsCertificateAlert(t)) {
                    return Reason.TLS_CERTIFICATE;
                }
                continue;
            }
            Reason r = plain(t);
            if (r != null) {
                return r;
            }
        }
        return ssl != null ? Reason.TLS_PROTOCOL : Reason.OTHER;
    }

    private static Reason plain(Throwable t) {
        if (t instanceof UnknownHostException) {
            return Reason.DNS;
        }
        if (t instanceof BindException) {
            return Reason.LOCAL_ADDRESS;
        }
        if (t instanceof NoRouteToHostException || t instanceof PortUnreachableException) {
            return Reason.UNREACHABLE;
        }
        if (t instanceof RejectedExecutionException) {
            return Reason.UNAVAILABLE;
        }
        if (t instanceof GeneralSecurityException) {
            return null; // e.g. a key that cannot be loaded: look further down, else OTHER
        }
        String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
        if (m.contains("unreachable") || m.contains("no route to host")) {
            return Reason.UNREACHABLE; // "Network is unreachable", "Host is unreachable"
        }
        if (t instanceof ConnectException || m.contains("connection refused")) {
            return Reason.REFUSED;
        }
        if (m.contains("connection reset") || m.contains("broken pipe")) {
            return Reason.RESET;
        }
        if (m.contains("address already in use") || m.contains("cannot assign requested address")) {
            return Reason.LOCAL_ADDRESS;
        }
        return null;
    }

    private static boolean mentionsCertificateAlert(Throwable t) {
        String m = t.getMessage();
        if (m == null) {
            return false;
        }
        for (String alert : CERTIFICATE_ALERTS) {
            if (m.contains(alert)) {
                return true;
            }
        }
        return false;
    }
}
