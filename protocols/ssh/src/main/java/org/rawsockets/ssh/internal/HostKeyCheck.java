package org.rawsockets.ssh.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;

import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.rawsockets.ssh.HostKeyMode;
import org.rawsockets.ssh.SshException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's one {@link ServerKeyVerifier}: checks each connection's host key with SSHD's
 * OpenSSH known_hosts verifier (hashed entries, {@code [host]:port}, {@code @revoked},
 * {@code @cert-authority} as SSHD supports them) in the connection's mode, and records why a key
 * was refused (unknown, changed, revoked, with the key's SHA256 fingerprint) for the error.
 */
final class HostKeyCheck implements ServerKeyVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(HostKeyCheck.class);

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        Attempt a = SshEngine.attempt(session);
        if (a == null) {
            return false;
        }
        String fingerprint = KeyUtils.getFingerPrint(serverKey);
        a.fingerprint = fingerprint;
        a.serverKey = serverKey;
        if (a.probe) {
            a.hostKeyReason = Reason.HOST_KEY_UNKNOWN;
            a.hostKeyProblem = "host key of " + a.hostPort() + ": " + fingerprint + " (probe only, not authenticated)";
            return false;
        }
        HostKeyMode mode = a.settings.hostKeyMode();
        if (mode == HostKeyMode.OFF) {
            LOG.warn("SSH host key of {} NOT CHECKED (host key mode off): {} {}; anyone in the path can impersonate it",
                    a.hostPort(), KeyUtils.getKeyType(serverKey), fingerprint);
            return true;
        }
        Path file = a.settings.knownHosts().orElseThrow();
        ServerKeyVerifier unknown = (s, r, k) -> {
            if (mode == HostKeyMode.ACCEPT_NEW) {
                LOG.info("SSH host key of {} learnt into {}: {} {}", a.hostPort(), file, KeyUtils.getKeyType(k), fingerprint);
                return true;
            }
            a.hostKeyReason = Reason.HOST_KEY_UNKNOWN;
            a.hostKeyProblem = "host key of " + a.hostPort() + " is not in " + file + " (" + KeyUtils.getKeyType(k) + " "
                    + fingerprint + "): check the fingerprint with the server's administrator, then add it"
                    + " (ssh:fingerprint, or ssh-keyscan) or use host key mode accept-new";
            return false;
        };
        KnownHostsServerKeyVerifier known = new KnownHostsServerKeyVerifier(unknown, file) {
            @Override
            protected void handleRevokedKey(ClientSession s, SocketAddress r, PublicKey k) {
                a.hostKeyReason = Reason.HOST_KEY_CHANGED;
                a.hostKeyProblem = "host key of " + a.hostPort() + " (" + fingerprint + ") is marked @revoked in " + file
                        + ": the server must get a new key";
                super.handleRevokedKey(s, r, k);
            }
        };
        known.setModifiedServerKeyAcceptor((s, r, entry, expected, actual) -> {
            a.hostKeyReason = Reason.HOST_KEY_CHANGED;
            a.hostKeyProblem = "HOST KEY CHANGED for " + a.hostPort() + ": the server presented " + KeyUtils.getKeyType(actual)
                    + " " + fingerprint + " but " + file + " has " + KeyUtils.getKeyType(expected) + " "
                    + KeyUtils.getFingerPrint(expected) + "; someone may be intercepting the connection, or the server"
                    + " was reinstalled: verify the new fingerprint with its administrator before replacing the entry";
            return false;
        });
        // The name the user configured (not only the resolved address) is what known_hosts is matched
        // against, as OpenSSH does: "host" for port 22, "[host]:port" otherwise.
        return known.verifyServerKey(session, InetSocketAddress.createUnresolved(a.host, a.port), serverKey);
    }
}
