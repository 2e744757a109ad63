package org.rawsockets.ssh.internal.shell;

/**
 * {@code ssh:exec -c}: the remote command exited with a non-zero status. {@link #exitStatus()} is
 * public so that {@code gateway -c} (the launcher, which finds it by name) exits with the same status.
 */
public final class RemoteCommandFailed extends IllegalStateException {

    private static final long serialVersionUID = 1L;
    private final int exitStatus;

    RemoteCommandFailed(String message, int exitStatus) {
        super(message);
        this.exitStatus = exitStatus;
    }

    /** The remote exit status (-1 when a signal ended the command). */
    public int exitStatus() {
        return exitStatus;
    }
}
