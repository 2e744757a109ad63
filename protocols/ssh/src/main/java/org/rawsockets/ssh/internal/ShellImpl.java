package org.rawsockets.ssh.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.common.channel.PtyMode;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshShell;

/** A shell channel with a PTY on SSHD's piped streams (window-bounded). */
public final class ShellImpl implements SshShell {

    private final SshSessionImpl session;
    private final ChannelShell channel;
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();

    private ShellImpl(SshSessionImpl session, ChannelShell channel) {
        this.session = session;
        this.channel = channel;
        channel.addCloseFutureListener(f -> {
            Integer status = channel.getExitStatus();
            exited.complete(status == null ? -1 : status);
        });
    }

    static CompletionStage<SshShell> open(SshSessionImpl session, String term, int columns, int rows) {
        return open(session, term, columns, rows, true);
    }

    /**
     * A PTY shell on {@code session} as {@link org.rawsockets.ssh.SshSession#shell(String, int, int)} opens it, where
     * {@code echo false} is for a caller whose own terminal edits and shows the typed line and turns line
     * ends into CR LF itself (line mode): the server's terminal is asked not to echo what is typed and to
     * send line ends as they are (pty modes {@code ECHO 0}, {@code ONLCR 0}).
     */
    public static CompletionStage<SshShell> open(org.rawsockets.ssh.SshSession session, String term, int columns, int rows,
            boolean echo) {
        if (session instanceof SshSessionImpl impl) {
            return open(impl, term, columns, rows, echo);
        }
        return session.shell(term, columns, rows);
    }

    private static CompletionStage<SshShell> open(SshSessionImpl session, String term, int columns, int rows, boolean echo) {
        CompletableFuture<SshShell> result = new CompletableFuture<>();
        if (columns < 1 || rows < 1) {
            result.completeExceptionally(new IllegalArgumentException("terminal size must be at least 1x1, was "
                    + columns + "x" + rows));
            return result;
        }
        String what = "shell (" + term + " " + columns + "x" + rows + ")";
        PtyShellChannel channel;
        try {
            channel = new PtyShellChannel();
            session.clientSession().getService(org.apache.sshd.common.session.ConnectionService.class).registerChannel(channel);
            channel.setUsePty(true);
            channel.setPtyType(term);
            channel.setPtyColumns(columns);
            channel.setPtyLines(rows);
            if (!echo) {
                java.util.Map<PtyMode, Integer> modes = new java.util.EnumMap<>(channel.getPtyModes());
                modes.put(PtyMode.ECHO, 0);
                modes.put(PtyMode.ONLCR, 0);
                channel.setPtyModes(modes);
            }
            channel.setRedirectErrorStream(true);
            long limit = session.settingsConnectTimeout().toMillis();
            ScheduledFuture<?> timer = session.clientSession().getFactoryManager().getScheduledExecutorService().schedule(() -> {
                if (result.completeExceptionally(new SshException(Reason.TIMEOUT, what + " on " + session.target()
                        + " did not open within " + limit + " ms", null))) {
                    channel.close(true);
                }
            }, limit, TimeUnit.MILLISECONDS);
            result.whenComplete((v, e) -> timer.cancel(false));
            channel.open().addListener(f -> {
                if (!f.isOpened()) {
                    result.completeExceptionally(session.failure(Reason.CHANNEL, what, f.getException()));
                    return;
                }
                channel.ptyGranted().whenComplete((granted, e) -> {
                    if (e != null) {
                        result.completeExceptionally(session.failure(Reason.CHANNEL, what, e));
                    } else if (!granted) {
                        channel.close(true);
                        result.completeExceptionally(new SshException(Reason.CHANNEL, session.target()
                                + " refused a pseudo-terminal for the " + what + " (check PermitTTY in the server's"
                                + " sshd_config, and no-pty or restrict on the key's line in authorized_keys)", null));
                    } else if (!result.complete(new ShellImpl(session, channel))) {
                        channel.close(true);
                    }
                });
            });
        } catch (Exception e) {
            result.completeExceptionally(session.failure(Reason.CHANNEL, what, e));
        }
        return result;
    }

    @Override
    public OutputStream input() {
        return channel.getInvertedIn();
    }

    @Override
    public InputStream output() {
        return channel.getInvertedOut();
    }

    @Override
    public void resize(int columns, int rows) throws SshException {
        try {
            channel.sendWindowChange(columns, rows);
        } catch (IOException e) {
            throw session.failure(Reason.CHANNEL, "terminal resize to " + columns + "x" + rows, e);
        }
    }

    @Override
    public CompletionStage<Integer> exited() {
        return exited;
    }

    @Override
    public void close() {
        channel.close(false);
    }
}
