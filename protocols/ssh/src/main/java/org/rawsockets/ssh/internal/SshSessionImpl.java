package org.rawsockets.ssh.internal;

import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.rawsockets.ssh.ExecResult;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;

/** An authenticated session: exec over SSHD channels, output pumped by the engine's workers. */
final class SshSessionImpl implements SshSession {

    private final SshEngine engine;
    private final SshSettings settings;
    private final Attempt attempt;
    private final ClientSession session;
    private final String fingerprint;
    private final SftpFilesImpl sftp;
    private final Forwards forwards;
    /** The first transport failure of the session (a reset, a read error): why it closed, for messages. */
    private final java.util.concurrent.atomic.AtomicReference<Throwable> lost = new java.util.concurrent.atomic.AtomicReference<>();

    SshSessionImpl(SshEngine engine, SshSettings settings, Attempt attempt, ClientSession session) {
        this.engine = engine;
        this.settings = settings;
        this.attempt = attempt;
        this.session = session;
        this.fingerprint = KeyUtils.getFingerPrint(session.getServerKey());
        this.sftp = new SftpFilesImpl(engine, this);
        this.forwards = new Forwards(engine, this);
        session.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
            @Override
            public void sessionException(org.apache.sshd.common.session.Session s, Throwable t) {
                lost.compareAndSet(null, t);
            }
        });
        long every = settings.keepAliveInterval().toMillis();
        if (every > 0) {
            // keepalive@openssh.com global requests (what ssh's ServerAliveInterval sends) on SSHD's timer,
            // so an idle session keeps NAT and firewall state and the server's idle limits satisfied.
            java.util.concurrent.ScheduledFuture<?> keepalive = session.getFactoryManager().getScheduledExecutorService()
                    .scheduleWithFixedDelay(this::keepalive, every, every, TimeUnit.MILLISECONDS);
            session.addCloseFutureListener(f -> keepalive.cancel(false));
        }
    }

    @Override
    public String target() {
        return settings.user() + "@" + attempt.hostPort();
    }

    @Override
    public String serverKeyFingerprint() {
        return fingerprint;
    }

    @Override
    public CompletionStage<ExecResult> exec(String command, Duration timeout) {
        BoundedOutput out = new BoundedOutput(MAX_COLLECTED_OUTPUT);
        BoundedOutput err = new BoundedOutput(MAX_COLLECTED_OUTPUT);
        return new Exec(engine, this, command, out, err, timeout).start().thenApply(
                x -> new ExecResult(x.status(), x.signal(), out.bytes(), err.bytes(), out.truncated() || err.truncated()));
    }

    @Override
    public CompletionStage<Integer> exec(String command, OutputStream stdout, OutputStream stderr, Duration timeout) {
        return new Exec(engine, this, command, stdout, stderr, timeout).start().thenApply(Exec.Exit::status);
    }

    @Override
    public CompletionStage<org.rawsockets.ssh.PortForward> forwardLocal(String bindAddress, int bindPort, String targetHost,
            int targetPort) {
        return forwards.local(bindAddress, bindPort, targetHost, targetPort);
    }

    @Override
    public CompletionStage<org.rawsockets.ssh.PortForward> forwardRemote(String bindAddress, int bindPort, String targetHost,
            int targetPort) {
        return forwards.remote(bindAddress, bindPort, targetHost, targetPort);
    }

    @Override
    public CompletionStage<org.rawsockets.ssh.SshShell> shell(String term, int columns, int rows) {
        return ShellImpl.open(this, term, columns, rows);
    }

    Duration settingsConnectTimeout() {
        return settings.connectTimeout();
    }

    @Override
    public java.util.List<org.rawsockets.ssh.PortForward> forwards() {
        return forwards.list();
    }

    @Override
    public org.rawsockets.ssh.SftpFiles sftp() {
        return sftp;
    }

    @Override
    public ClientSession clientSession() {
        return session;
    }

    @Override
    public boolean isOpen() {
        return session.isOpen() && !session.isClosing();
    }

    /**
     * Sends SSH_MSG_DISCONNECT (the server logs a clean disconnect) and closes; past 5 s at once.
     * Does not block.
     */
    @Override
    public void close() {
        engine.forget(this);
        sftp.close();
        if (session.isClosing()) {
            return;
        }
        try {
            session.disconnect(org.apache.sshd.common.SshConstants.SSH2_DISCONNECT_BY_APPLICATION, "closed by the client");
        } catch (Exception e) {
            session.close(true);
            return;
        }
        try {
            session.getFactoryManager().getScheduledExecutorService().schedule(() -> session.close(true), 5, TimeUnit.SECONDS);
        } catch (RuntimeException stopping) {
            session.close(true);
        }
    }

    private void keepalive() {
        if (!isOpen()) {
            return;
        }
        try {
            org.apache.sshd.common.util.buffer.Buffer b = session.createBuffer(
                    org.apache.sshd.common.SshConstants.SSH_MSG_GLOBAL_REQUEST, 32);
            b.putString("keepalive@openssh.com");
            b.putBoolean(false);
            session.writePacket(b);
        } catch (Exception e) {
            session.close(true); // the connection is broken: end the session rather than keep a dead one
        }
    }

    /** For the failures of operations on this session. */
    SshException failure(SshException.Reason reason, String what, Throwable cause) {
        if (!isOpen()) {
            // the channel's own cause is mostly "Closed": why the connection closed says more
            Throwable why = lost.get() != null ? lost.get() : cause;
            return new SshException(SshException.Reason.DISCONNECTED, what + " on " + target()
                    + " failed: the SSH connection is closed" + (why == null ? "" : ": " + KeyFiles.oneLine(why)),
                    why);
        }
        return new SshException(reason, what + " on " + target() + " failed: "
                + (cause == null ? "unknown" : KeyFiles.oneLine(cause)), cause);
    }

    @Override
    public String toString() {
        return "SshSession[" + target() + "]";
    }

    static CompletableFuture<Void> none() {
        return CompletableFuture.completedFuture(null);
    }
}
