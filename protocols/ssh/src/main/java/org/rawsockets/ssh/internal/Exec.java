package org.rawsockets.ssh.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;

/**
 * One remote command: an exec channel whose stdout and stderr are SSHD's piped streams (the channel
 * window is opened again only as they are read, so a slow consumer stops the server), pumped into
 * the caller's streams by two worker threads, under one time limit.
 */
final class Exec {

    record Exit(int status, String signal) {
    }

    private final SshEngine engine;
    private final SshSessionImpl session;
    private final String command;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final Duration timeout;
    private final CompletableFuture<Exit> result = new CompletableFuture<>();
    private volatile boolean timedOut;

    Exec(SshEngine engine, SshSessionImpl session, String command, OutputStream stdout, OutputStream stderr, Duration timeout) {
        this.engine = engine;
        this.session = session;
        this.command = command;
        this.stdout = stdout;
        this.stderr = stderr;
        this.timeout = timeout;
    }

    CompletableFuture<Exit> start() {
        ChannelExec channel;
        try {
            channel = session.clientSession().createExecChannel(command);
        } catch (Exception e) {
            result.completeExceptionally(session.failure(Reason.CHANNEL, "exec '" + command + "'", e));
            return result;
        }
        ScheduledFuture<?> timer = session.clientSession().getFactoryManager().getScheduledExecutorService().schedule(() -> {
            timedOut = true;
            // the time limit is the reason: said first, since closing a channel whose open is still
            // pending fails the open at once ("Closed"), which must not take its place (seen with
            // the fault suite's blackhole: the server never answered the channel open)
            result.completeExceptionally(new SshException(Reason.TIMEOUT, "exec '" + command + "' on " + session.target()
                    + " did not finish within " + timeout.toMillis() + " ms; the channel was closed", null));
            channel.close(true);
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((v, e) -> timer.cancel(false));
        try {
            channel.open().addListener(opened -> {
                if (!opened.isOpened()) {
                    channel.close(true);
                    result.completeExceptionally(session.failure(Reason.CHANNEL, "exec '" + command + "'", opened.getException()));
                    return;
                }
                try {
                    engine.workers().execute(() -> run(channel));
                } catch (RejectedExecutionException e) {
                    channel.close(true);
                    result.completeExceptionally(session.failure(Reason.CHANNEL, "exec '" + command + "' (no worker thread)", e));
                }
            });
        } catch (Exception e) {
            channel.close(true);
            result.completeExceptionally(session.failure(Reason.CHANNEL, "exec '" + command + "'", e));
        }
        return result;
    }

    private void run(ChannelExec channel) {
        try {
            channel.getInvertedIn().close(); // no stdin: EOF at once
            CompletableFuture<Void> err = new CompletableFuture<>();
            engine.workers().execute(() -> {
                try {
                    pump(channel.getInvertedErr(), stderr);
                    err.complete(null);
                } catch (Throwable t) {
                    err.completeExceptionally(t);
                }
            });
            pump(channel.getInvertedOut(), stdout);
            err.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            Integer status = channel.getExitStatus();
            String signal = channel.getExitSignal();
            if (timedOut) {
                return;
            }
            if (status == null && signal == null && !session.isOpen()) {
                result.completeExceptionally(session.failure(Reason.DISCONNECTED, "exec '" + command + "'", null));
                return;
            }
            result.complete(new Exit(status == null ? -1 : status, signal));
        } catch (Throwable t) {
            if (!timedOut) {
                result.completeExceptionally(session.failure(Reason.CHANNEL, "exec '" + command + "'", t));
            }
        } finally {
            channel.close(false);
        }
    }

    private static void pump(InputStream in, OutputStream out) throws java.io.IOException {
        byte[] buf = new byte[32 * 1024];
        for (int n; (n = in.read(buf)) >= 0;) {
            out.write(buf, 0, n);
        }
        out.flush();
    }
}
