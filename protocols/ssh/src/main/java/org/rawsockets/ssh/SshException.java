package org.rawsockets.ssh;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * An SSH operation failed. The message is one line a user can act on (what, where, why); the
 * {@link #reason()} lets a program decide without parsing it, and the cause is the underlying
 * error (a {@link org.rawsockets.socket.RawSocketException} for the network and the policy).
 */
public class SshException extends IOException {

    private static final long serialVersionUID = 1L;

    /** What kind of failure it was. */
    public enum Reason {
        /** The socket policy or a quota refused the connection; no packet left. */
        NOT_ALLOWED,
        /** The TCP connection failed or broke (DNS, refused, reset...): see the cause's {@code reason()}. */
        NETWORK,
        /** A time limit passed (connect, key exchange, authentication, command). */
        TIMEOUT,
        /** The peer does not speak SSH (no SSH identification line: an HTTP or other server). */
        NOT_SSH,
        /** The server's host key is not in known_hosts and the mode is {@link HostKeyMode#STRICT}. */
        HOST_KEY_UNKNOWN,
        /** The server's host key differs from the one known_hosts has for it (or is revoked). */
        HOST_KEY_CHANGED,
        /** The server refused every authentication method tried. */
        AUTH_FAILED,
        /** A private key file could not be read or decrypted (missing, wrong passphrase, unknown format). */
        KEY_FILE,
        /** The server closed the connection or the session was closed. */
        DISCONNECTED,
        /** A channel (exec, SFTP) could not be opened or failed. */
        CHANNEL,
        /** A port forward could not be set up (cannot listen, the server refused it). */
        FORWARD,
        /** An SFTP request failed (no such file, permission denied...). */
        SFTP,
        /** The configuration lacks something it refers to (a secret file). */
        CONFIGURATION,
        /** Anything else in the SSH protocol. */
        PROTOCOL
    }

    private final Reason reason;
    private final String fingerprint;

    public SshException(Reason reason, String message, Throwable cause) {
        this(reason, message, null, cause);
    }

    public SshException(Reason reason, String message, String fingerprint, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.fingerprint = fingerprint;
    }

    /** What kind of failure it was. */
    public Reason reason() {
        return reason;
    }

    /** For host key failures: the SHA256 fingerprint of the key the server presented ({@code SHA256:...}). */
    public Optional<String> fingerprint() {
        return Optional.ofNullable(fingerprint);
    }
}
