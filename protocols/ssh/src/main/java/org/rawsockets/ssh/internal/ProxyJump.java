package org.rawsockets.ssh.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.common.channel.StreamingChannel.Streaming;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.rawsockets.socket.DnsQueryType;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;

/**
 * {@code ProxyJump}: connect the bastion (itself possibly through another), open a
 * {@code direct-tcpip} channel from it to the target, and run the target's SSH session in that
 * channel (the transport's {@code ChannelIoSession}). The target's session owns the bastion's:
 * closing it closes both; a failure at any step closes what was opened. Before anything is opened, the
 * socket policy is asked whether this bundle may reach the final target ({@code SocketService.checkTcp}):
 * the bastion's socket is checked as any open, and the operator's grant must name the target too.
 */
final class ProxyJump {

    private ProxyJump() {
    }

    static CompletionStage<SshSession> connect(SshEngine engine, SshSettings settings,
            Function<ChannelDirectTcpip, CompletionStage<SshSession>> target) {
        SshSettings bastionSettings = settings.jump().orElseThrow();
        String host = settings.host().orElseThrow();
        int port = settings.port();
        // the operator's grant names the final target too: checked (after DNS, as an open would be,
        // and audited when refused) before anything is opened, the bastion's socket included
        return checkTarget(engine, settings, bastionSettings).thenCompose(ok -> engine.connect(bastionSettings)).thenCompose(bastion -> {
            CompletableFuture<ChannelDirectTcpip> opened = open(bastion, host, port, settings);
            return opened.thenCompose(target).whenComplete((s, e) -> {
                if (s == null) {
                    bastion.close();
                    return;
                }
                // The target's session ends first (its SSH_MSG_DISCONNECT travels in the channel), then
                // the channel's close exchange, then the bastion's session; at most 5 s after the target's.
                ChannelDirectTcpip channel = opened.join();
                s.clientSession().addCloseFutureListener(f -> {
                    channel.addCloseFutureListener(c -> bastion.close());
                    try {
                        bastion.clientSession().getFactoryManager().getScheduledExecutorService()
                                .schedule(bastion::close, 5, TimeUnit.SECONDS);
                    } catch (RuntimeException stopping) {
                        bastion.close();
                    }
                });
            });
        });
    }

    private static CompletionStage<Void> checkTarget(SshEngine engine, SshSettings settings, SshSettings bastion) {
        String what = "ProxyJump to " + settings.hostPort() + " through bastion " + bastion.target();
        CompletionStage<Void> check;
        try {
            check = engine.sockets().checkTcp(settings.host().orElseThrow(), settings.port(), DnsQueryType.ANY);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new SshException(Reason.NOT_ALLOWED, what + " not checked: " + e.getMessage(), e));
        }
        return check.handle((ok, e) -> {
            if (e == null) {
                return null;
            }
            NotAllowedException refused = Failures.find(e, NotAllowedException.class);
            if (refused != null) {
                throw new CompletionException(new SshException(Reason.NOT_ALLOWED, what + " not allowed (the socket policy"
                        + " checks the final target as if the gateway connected to it): " + refused.getMessage(), refused));
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new CompletionException(new SshException(Reason.NETWORK, what + ": the policy check of the target failed: "
                    + KeyFiles.oneLine(cause), cause));
        });
    }

    private static CompletableFuture<ChannelDirectTcpip> open(SshSession bastion, String host, int port, SshSettings settings) {
        CompletableFuture<ChannelDirectTcpip> result = new CompletableFuture<>();
        String what = "bastion " + bastion.target() + " could not open a connection to " + settings.hostPort();
        String check = " (check that the bastion allows TCP forwarding (AllowTcpForwarding) and reaches " + settings.hostPort() + ")";
        ChannelDirectTcpip channel;
        try {
            channel = bastion.clientSession().createDirectTcpipChannel(new SshdSocketAddress("127.0.0.1", 0),
                    new SshdSocketAddress(host, port));
            channel.setStreaming(Streaming.Async);
            ScheduledFuture<?> timer = bastion.clientSession().getFactoryManager().getScheduledExecutorService().schedule(() -> {
                if (result.completeExceptionally(new SshException(Reason.TIMEOUT, what + ": no answer within "
                        + settings.connectTimeout().toMillis() + " ms" + check, null))) {
                    channel.close(true);
                }
            }, settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            result.whenComplete((c, e) -> timer.cancel(false));
            channel.open().addListener(f -> {
                if (f.isOpened()) {
                    if (!result.complete(channel)) {
                        channel.close(true);
                    }
                } else {
                    Throwable e = f.getException();
                    result.completeExceptionally(new SshException(bastion.isOpen() ? Reason.CHANNEL : Reason.DISCONNECTED,
                            what + ": " + (e == null ? "refused" : KeyFiles.oneLine(e)) + check, e));
                }
            });
        } catch (Exception e) {
            result.completeExceptionally(new SshException(Reason.CHANNEL, what + ": " + KeyFiles.oneLine(e) + check, e));
        }
        return result;
    }
}
