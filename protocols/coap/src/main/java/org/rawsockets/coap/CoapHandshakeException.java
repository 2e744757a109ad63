package org.rawsockets.coap;

/**
 * The DTLS 1.2 handshake of a {@code coaps} device did not complete, so no request was sent. The
 * {@link #reason()} says why in a form a program can act on; the message names the device, its
 * address, the PSK identity (never the key) or the certificate settings, and what to configure.
 */
public class CoapHandshakeException extends CoapException {

    private static final long serialVersionUID = 1L;

    /** Why the handshake failed. */
    public enum Reason {
        /** The server could not verify our Finished (or we its): the pre-shared keys differ. */
        WRONG_KEY,
        /** The server does not know the PSK identity. */
        UNKNOWN_IDENTITY,
        /** The server supports none of the offered cipher suites. */
        NO_COMMON_CIPHER,
        /** No complete answer within {@code handshakeTimeoutMillis} (no DTLS server at that port?). */
        TIMEOUT,
        /**
         * The PSK key could not be read from the gateway's secrets folder, or a certificate or key file
         * ({@code caCertificatesPath}, {@code clientCertificatePath}, {@code clientKeyPath},
         * {@code serverPublicKeyPath}) could not be read or used.
         */
        KEY_UNAVAILABLE,
        /**
         * The server's certificate chain does not end at one of the CA certificates of
         * {@code caCertificatesPath} (or has expired), or its raw public key is not the pinned one; or,
         * with {@code crlPath}, the revocation of a certificate of the chain cannot be decided (no CRL of
         * its issuer there).
         *
         * @since 1.3
         */
        UNTRUSTED_CERTIFICATE,
        /**
         * The server's certificate is trusted but does not name {@code serverName} (by default the
         * configured host).
         *
         * @since 1.3
         */
        NAME_MISMATCH,
        /**
         * The server asked for a client certificate and refused the handshake without one; configure
         * {@code clientCertificatePath} and {@code clientKeyPath}.
         *
         * @since 1.3
         */
        CLIENT_CERTIFICATE_REQUIRED,
        /**
         * The server asked for a client certificate and refused the one configured.
         *
         * @since 1.3
         */
        CLIENT_CERTIFICATE_REJECTED,
        /**
         * The server's certificate (or a CA certificate of its chain) is revoked by a CRL of
         * {@code crlPath}.
         *
         * @since 1.4
         */
        REVOKED_CERTIFICATE,
        /** Any other fatal alert or failure; the message has the alert. */
        FAILED
    }

    private final Reason reason;

    public CoapHandshakeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the handshake failed. */
    public Reason reason() {
        return reason;
    }
}
