package org.rawsockets.ssh.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.helpers.AbstractConnectionService;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.TcpipServerChannel;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.ssh.PortForward;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;

/**
 * The port forwards of one session, on SSHD's forwarder: local forwards listen through the socket
 * service transport's acceptor; remote forwards' connections are made by its connector.
 */
final class Forwards {

    private final SshEngine engine;
    private final SshSessionImpl owner;
    private final Set<Forward> open = ConcurrentHashMap.newKeySet();

    Forwards(SshEngine engine, SshSessionImpl owner) {
        this.engine = engine;
        this.owner = owner;
    }

    List<PortForward> list() {
        return open.stream().filter(Forward::isOpen).map(PortForward.class::cast).toList();
    }

    CompletionStage<PortForward> local(String bindAddress, int bindPort, String targetHost, int targetPort) {
        String what = "local forward " + bindAddress + ":" + bindPort + " -> " + targetHost + ":" + targetPort;
        return run(what, () -> {
            ClientSession s = owner.clientSession();
            SshdSocketAddress bound;
            try {
                bound = s.startLocalPortForwarding(new SshdSocketAddress(bindAddress, bindPort),
                        new SshdSocketAddress(targetHost, targetPort));
            } catch (Exception e) {
                NotAllowedException refused = Failures.find(e, NotAllowedException.class);
                if (refused != null) {
                    throw new SshException(Reason.NOT_ALLOWED, what + " on " + owner.target() + " not allowed: "
                            + refused.getMessage(), e);
                }
                throw owner.failure(Reason.FORWARD, what, e);
            }
            return new Forward(PortForward.Kind.LOCAL, bound, targetHost, targetPort);
        });
    }

    CompletionStage<PortForward> remote(String bindAddress, int bindPort, String targetHost, int targetPort) {
        String what = "remote forward " + bindAddress + ":" + bindPort + " -> " + targetHost + ":" + targetPort;
        return run(what, () -> {
            ClientSession s = owner.clientSession();
            SshdSocketAddress bound;
            try {
                bound = s.startRemotePortForwarding(new SshdSocketAddress(bindAddress, bindPort),
                        new SshdSocketAddress(targetHost, targetPort));
            } catch (Exception e) {
                if (!owner.isOpen()) {
                    throw owner.failure(Reason.FORWARD, what, e);
                }
                throw new SshException(Reason.FORWARD, what + " refused by " + owner.target() + ": "
                        + KeyFiles.oneLine(e) + " (check the server's AllowTcpForwarding, PermitListen and GatewayPorts,"
                        + " and that the port is free there)", e);
            }
            return new Forward(PortForward.Kind.REMOTE, bound, targetHost, targetPort);
        });
    }

    private interface Start {
        Forward start() throws SshException;
    }

    private CompletionStage<PortForward> run(String what, Start start) {
        CompletableFuture<PortForward> result = new CompletableFuture<>();
        try {
            engine.workers().execute(() -> {
                try {
                    Forward f = start.start();
                    open.add(f);
                    result.complete(f);
                } catch (SshException e) {
                    result.completeExceptionally(e);
                } catch (RuntimeException e) {
                    result.completeExceptionally(owner.failure(Reason.FORWARD, what, e));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new SshException(Reason.PROTOCOL, what + ": the SSH client is stopped or busy", e));
        }
        return result;
    }

    private final class Forward implements PortForward {
        private final Kind kind;
        private final SshdSocketAddress bound;
        private final String targetHost;
        private final int targetPort;
        private volatile boolean closed;

        Forward(Kind kind, SshdSocketAddress bound, String targetHost, int targetPort) {
            this.kind = kind;
            this.bound = bound;
            this.targetHost = targetHost;
            this.targetPort = targetPort;
        }

        @Override
        public Kind kind() {
            return kind;
        }

        @Override
        public String listenHost() {
            return bound.getHostName();
        }

        @Override
        public int listenPort() {
            return bound.getPort();
        }

        @Override
        public String targetHost() {
            return targetHost;
        }

        @Override
        public int targetPort() {
            return targetPort;
        }

        @Override
        public boolean isOpen() {
            return !closed && owner.isOpen();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            open.remove(this);
            ClientSession s = owner.clientSession();
            try {
                if (kind == Kind.LOCAL) {
                    s.stopLocalPortForwarding(bound); // the acceptor closes the connections, SSHD their channels
                } else {
                    s.stopRemotePortForwarding(bound);
                    closeForwardedChannels(s);
                }
            } catch (Exception e) {
                // the session is closing: its channels and listeners end with it
            }
        }

        /** Channels the server opened for this forward ({@code forwarded-tcpip} to its port). */
        private void closeForwardedChannels(ClientSession s) {
            ConnectionService service = s.getService(ConnectionService.class);
            if (!(service instanceof AbstractConnectionService c)) {
                return;
            }
            for (Channel ch : c.getChannels()) {
                if (ch instanceof TcpipServerChannel t && t.getTunnelEntrance() != null
                        && t.getTunnelEntrance().getPort() == bound.getPort()) {
                    // graceful: SSH_MSG_CHANNEL_CLOSE tells the server to close its connection too; SSHD
                    // ends the channel after its close timeout if the server does not answer
                    t.close(false);
                }
            }
        }

        @Override
        public String toString() {
            return (kind == Kind.LOCAL ? "-L " : "-R ") + bound.getHostName() + ":" + bound.getPort() + ":" + targetHost
                    + ":" + targetPort;
        }
    }
}
