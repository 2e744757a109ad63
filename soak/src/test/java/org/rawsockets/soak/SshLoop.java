package org.rawsockets.soak;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.rawsockets.ssh.SshConnector;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;

/**
 * SSH: one session (MINA SSHD through the socket service) to the OpenSSH sshd of {@link Peers}, held open; each
 * operation execs {@code echo <id>-<n>} on it (a channel of its own: sshd forks a shell per command) and checks
 * exit status 0, the exact stdout and an empty stderr.
 */
final class SshLoop extends Loops.Loop {

    private final SshConnector ssh;
    private final SshSettings settings;
    private SshSession session;

    SshLoop(int id, Metrics.Kind kind, Loops.Run run, SshConnector ssh, Peers peers) {
        super(id, kind, run);
        this.ssh = ssh;
        this.settings = SshSettings.builder().host("127.0.0.1").port(peers.ssh).user("root").keyFile(peers.sshKey)
                .knownHosts(peers.sshKnownHosts).connectTimeout(Duration.ofSeconds(60)).build();
    }

    @Override
    CompletionStage<?> open() {
        return ssh.connect(settings).thenAccept(s -> session = s);
    }

    @Override
    CompletionStage<?> exchange(long n) {
        String word = id + "-" + n;
        return session.exec("echo " + word, Duration.ofSeconds(30)).thenAccept(r -> {
            if (r.exitStatus() != 0 || !r.stdoutText().equals(word + "\n") || !r.stderrText().isEmpty() || r.truncated()) {
                throw new Loops.WrongValue("SSH " + id + " command " + n + ": exit " + r.exitStatus() + ", stdout '"
                        + r.stdoutText() + "', stderr '" + r.stderrText() + "'");
            }
        });
    }

    @Override
    CompletionStage<?> close() {
        if (session != null) {
            session.close();
        }
        return CompletableFuture.completedFuture(null);
    }
}
