package org.rawsockets.socket;

import java.util.Objects;

/**
 * The network or the peer failed the operation: name resolution, connection refused or reset,
 * unreachable host, TLS handshake or certificate failure, an I/O error. The cause, when there is
 * one, is the operating system's or the TLS engine's exception.
 *
 * <p>{@link #reason()} says which kind of failure it was, so that a protocol can decide whether to
 * retry (or report) without parsing the message: see {@link Reason} for what each value means and
 * whether a retry can help.
 */
public class NetworkException extends RawSocketException {
    private static final long serialVersionUID = 1L;

    /**
     * The kind of a network failure. New values may be added in a minor version: treat an unknown
     * value as {@link #OTHER}.
     *
     * @since 1.1.0
     */
    public enum Reason {
        /** The name could not be resolved (unknown host, no address of the requested family). Retry only after fixing the name or the DNS. */
        DNS,
        /** The peer's host answered that nothing listens on the port (TCP RST to the SYN). A retry may succeed once the service is up. */
        REFUSED,
        /** No route to the host or network, or an ICMP unreachable (UDP port unreachable). A retry may succeed later. */
        UNREACHABLE,
        /** The peer reset the established connection (TCP RST, broken pipe). The exchange was cut: a retry is up to the protocol. */
        RESET,
        /** The peer closed the connection before the open (or TLS handshake) completed. Often a server refusing the client: a retry may succeed. */
        CLOSED_BY_PEER,
        /**
         * A certificate was not accepted during the TLS handshake: the server's certificate is not trusted, expired or
         * does not match the name, or the peer rejected ours. A retry does not help until the trust or key material changes.
         */
        TLS_CERTIFICATE,
        /** Any other TLS failure: no common protocol version or cipher suite, a peer that does not speak TLS, a malformed record. */
        TLS_PROTOCOL,
        /** The local address cannot be used (already in use, not a local address) for a listen or bind. */
        LOCAL_ADDRESS,
        /** The service itself cannot take the work now (stopping, queues full). A retry later may succeed. */
        UNAVAILABLE,
        /** Anything else (an I/O error not recognised as one of the above). */
        OTHER
    }

    private final Reason reason;

    /**
     * @param reason the kind of failure
     * @param message what failed, where and why
     * @param cause the operating system's or TLS engine's exception, or {@code null}
     * @since 1.1.0
     */
    public NetworkException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** A failure of kind {@link Reason#OTHER}. */
    public NetworkException(String message, Throwable cause) {
        this(Reason.OTHER, message, cause);
    }

    /** A failure of kind {@link Reason#OTHER} without a cause. */
    public NetworkException(String message) {
        this(Reason.OTHER, message, null);
    }

    /**
     * The kind of failure, never {@code null} ({@link Reason#OTHER} when it was not recognised or
     * the exception was made with a constructor without a reason).
     *
     * @since 1.1.0
     */
    public Reason reason() {
        return reason;
    }
}
