package org.rawsockets.ssh;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A port forward of an {@link SshSession}, started with {@link SshSession#forwardLocal} ({@code ssh -L})
 * or {@link SshSession#forwardRemote} ({@code ssh -R}). It ends with {@link #close()} or with its session.
 */
@ProviderType
public interface PortForward extends AutoCloseable {

    /** Which side listens. */
    enum Kind {
        /** The gateway listens (through its socket service); the server connects to the target. */
        LOCAL,
        /** The server listens; the gateway connects to the target (through its socket service). */
        REMOTE
    }

    Kind kind();

    /** The address listened on (an IP literal for {@link Kind#LOCAL}, the requested address for {@link Kind#REMOTE}). */
    String listenHost();

    /** The port listened on (the one chosen when 0 was asked for). */
    int listenPort();

    /** Where each forwarded connection goes. */
    String targetHost();

    int targetPort();

    /** Whether the forward still runs (not closed, session open). */
    boolean isOpen();

    /**
     * Stops the forward: a local one stops listening, a remote one is cancelled on the server
     * ({@code cancel-tcpip-forward}); either way the connections it carries and their channels are
     * closed at once. Idempotent; does not block.
     */
    @Override
    void close();
}
