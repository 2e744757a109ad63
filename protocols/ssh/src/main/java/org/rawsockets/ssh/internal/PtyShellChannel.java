package org.rawsockets.ssh.internal;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.PtyChannelConfiguration;
import org.apache.sshd.common.channel.PtyMode;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * SSHD's shell channel, but its {@code pty-req} asks for a reply (SSHD's own does not), so that a server
 * that refuses the terminal ({@code PermitTTY no}, a {@code no-pty} key) is reported instead of giving a
 * shell without one. The replies to channel requests come in the order of the requests: the first
 * after {@code pty-req} is its answer ({@link #ptyGranted()}), the next one is the {@code shell}
 * request's (SSHD's handling).
 */
final class PtyShellChannel extends ChannelShell {

    private final CompletableFuture<Boolean> ptyGranted = new CompletableFuture<>();
    private volatile boolean ptyPending;

    PtyShellChannel() {
        super(new PtyChannelConfiguration(), Map.of());
        addCloseFutureListener(f -> ptyGranted.completeExceptionally(new IOException("the channel closed before the"
                + " server answered the pseudo-terminal request")));
    }

    /** Completes with whether the server granted the pseudo-terminal. */
    CompletableFuture<Boolean> ptyGranted() {
        return ptyGranted;
    }

    @Override
    protected void doOpenPty() throws IOException {
        Session session = getSession();
        if (!isUsePty()) {
            ptyGranted.complete(true);
            sendEnvVariables(session);
            return;
        }
        Buffer b = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 128);
        b.putUInt(getRecipient());
        b.putString("pty-req");
        b.putBoolean(true);
        b.putString(getPtyType());
        b.putUInt(getPtyColumns());
        b.putUInt(getPtyLines());
        b.putUInt(getPtyWidth());
        b.putUInt(getPtyHeight());
        Buffer modes = new ByteArrayBuffer(getPtyModes().size() * 5 + 1, false);
        getPtyModes().forEach((mode, value) -> {
            modes.putByte((byte) mode.toInt());
            modes.putUInt(value.longValue());
        });
        modes.putByte(PtyMode.TTY_OP_END);
        b.putBytes(modes.getCompactData());
        ptyPending = true;
        writePacket(b);
        sendEnvVariables(session);
    }

    @Override
    public void handleSuccess() throws IOException {
        if (ptyPending) {
            ptyPending = false;
            ptyGranted.complete(true);
            return;
        }
        super.handleSuccess();
    }

    @Override
    public void handleFailure() throws IOException {
        if (ptyPending) {
            ptyPending = false;
            ptyGranted.complete(false);
            return;
        }
        super.handleFailure();
    }
}
