package org.rawsockets.ssh.internal;

import org.apache.sshd.client.session.ClientSession;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.RawSocketException;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;

/** Turns what went wrong during a connect into one typed, one-line {@link SshException}. */
final class Failures {

    private Failures() {
    }

    static SshException map(Attempt a, ClientSession session, Throwable t) {
        SshException own = find(t, SshException.class);
        if (own != null) {
            return own;
        }
        String target = a.settings.user() + "@" + a.hostPort();
        RawSocketException net = find(t, RawSocketException.class);
        if (net instanceof NotAllowedException) {
            return new SshException(Reason.NOT_ALLOWED, "SSH to " + a.hostPort() + " not allowed: " + net.getMessage(), net);
        }
        if (net instanceof TimedOutException && !hasServerVersion(session)) {
            return new SshException(Reason.TIMEOUT, "SSH to " + a.hostPort() + ": " + net.getMessage(), net);
        }
        if (a.hostKeyProblem != null) {
            return new SshException(a.hostKeyReason, a.hostKeyProblem, a.fingerprint, t);
        }
        String stage = session == null ? "TCP connect" : !hasServerVersion(session) ? "waiting for the SSH identification"
                : session.isAuthenticated() ? "session" : a.fingerprint == null ? "key exchange" : "authentication";
        if (a.timedOut) {
            return new SshException(Reason.TIMEOUT, "SSH to " + target + " timed out after " + a.settings.connectTimeout().toSeconds()
                    + " s during " + stage + (session != null && !hasServerVersion(session)
                            ? " (the peer accepted TCP but sent no SSH identification: is it an SSH server?)" : ""), t);
        }
        if (net instanceof NetworkException n && session == null) {
            return new SshException(Reason.NETWORK, "cannot connect to SSH server " + a.hostPort() + ": " + n.getMessage(), n);
        }
        if (session != null && !hasServerVersion(session)) {
            java.io.StreamCorruptedException garbage = find(t, java.io.StreamCorruptedException.class);
            if (garbage != null && String.valueOf(garbage.getMessage()).startsWith("Incorrect identification")) {
                // SSHD's limits on what may come before the identification line (size, lines, characters)
                return new SshException(Reason.NOT_SSH, a.hostPort() + " is not an SSH server: it sent text that is not an"
                        + " SSH identification line (" + KeyFiles.oneLine(garbage) + "; check the port)", t);
            }
            return new SshException(Reason.NOT_SSH, a.hostPort() + " is not an SSH server: it closed the connection without an"
                    + " SSH identification line (check the port)", t);
        }
        if (!a.refused().isEmpty() || (t != null && String.valueOf(t.getMessage()).contains("authentication methods"))) {
            String tried = a.refused().isEmpty() ? "no method the client could use" : String.join(", ", a.refused());
            return new SshException(Reason.AUTH_FAILED, "SSH authentication failed for user " + a.settings.user() + " at "
                    + a.hostPort() + ": server refused " + tried + "; methods left: " + a.serverMethodsText()
                    + " (check the user, password or key, and that the key is in the server's authorized_keys)", t);
        }
        if (net != null) {
            return new SshException(Reason.NETWORK, "SSH connection to " + a.hostPort() + " broke during " + stage + ": "
                    + net.getMessage(), net);
        }
        String why = t == null ? "closed" : KeyFiles.oneLine(t);
        return new SshException(session != null && !session.isOpen() ? Reason.DISCONNECTED : Reason.PROTOCOL,
                "SSH to " + target + " failed during " + stage + ": " + why, t);
    }

    private static boolean hasServerVersion(ClientSession s) {
        return s != null && s.getServerVersion() != null;
    }

    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (int i = 0; t != null && i < 20; i++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
