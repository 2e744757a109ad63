package org.rawsockets.ssh.internal.transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.io.DefaultIoConnectFuture;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoSession;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * Connects through the socket service. The target's host name (an unresolved
 * {@link InetSocketAddress}, as {@code SshClient.connect(user, InetSocketAddress.createUnresolved(host, port), ...)}
 * gives it) is handed to {@link SocketService#openTcp} as is: the service resolves it and the
 * policy checks it, and SSHD's known_hosts check still sees the name.
 */
final class SocketIoConnector extends SocketIoService implements IoConnector {

    private final FactoryManager manager;
    private final IoHandler handler;
    private final SocketService sockets;
    private final TcpSocketOptions options;
    private final Map<TcpSocket, Boolean> pending = new ConcurrentHashMap<>();

    SocketIoConnector(FactoryManager manager, IoHandler handler, SocketService sockets, TcpSocketOptions options,
            java.util.concurrent.Executor handlerThreads) {
        super(handlerThreads);
        this.manager = manager;
        this.handler = handler;
        this.sockets = sockets;
        this.options = options;
    }

    @Override
    public IoConnectFuture connect(SocketAddress targetAddress, AttributeRepository context, SocketAddress localAddress) {
        DefaultIoConnectFuture future = new DefaultIoConnectFuture(targetAddress, null);
        if (isClosing()) {
            future.setException(new java.io.IOException("the SSH client is stopping: no new connection to " + targetAddress));
            return future;
        }
        if (localAddress != null) {
            future.setException(new java.io.IOException(
                    "binding a local address is not supported by the socket-service SSH transport (" + localAddress + ")"));
            return future;
        }
        if (!(targetAddress instanceof InetSocketAddress target)) {
            future.setException(new java.io.IOException("not a host and port: " + targetAddress));
            return future;
        }
        org.apache.sshd.client.channel.ChannelDirectTcpip via = context == null ? null
                : context.getAttribute(SocketIoServiceFactoryFactory.VIA);
        if (via != null) {
            ChannelIoSession session = new ChannelIoSession(this, handler, via,
                    via.getSession().getIoSession().getLocalAddress(), target);
            established(future, session, session::startReading, session.getLocalAddress(), target, context);
            return future;
        }
        TcpSocket socket;
        try {
            String endpoint = context == null ? null : context.getAttribute(SocketIoServiceFactoryFactory.ENDPOINT);
            socket = endpoint != null ? sockets.openTcpEndpoint(endpoint, options)
                    : sockets.openTcp(target.getHostString(), target.getPort(), options);
        } catch (RuntimeException e) {
            future.setException(e);
            return future;
        }
        pending.put(socket, Boolean.TRUE);
        future.addListener(f -> {
            if (f.isCanceled()) {
                socket.close();
            }
        });
        socket.opened().whenComplete((info, failure) -> {
            pending.remove(socket);
            if (failure != null) {
                future.setException(unwrap(failure));
                return;
            }
            if (future.isCanceled() || isClosing()) {
                socket.close();
                if (!future.isDone()) {
                    future.setException(new java.io.IOException("the SSH client stopped while connecting to " + target));
                }
                return;
            }
            established(future, socket, info, context);
        });
        return future;
    }

    private void established(DefaultIoConnectFuture future, TcpSocket socket, TcpOpenInfo info, AttributeRepository context) {
        SocketIoSession session = new SocketIoSession(this, handler, socket, info, null);
        established(future, session, session::startReading, info.localAddress(), info.remoteAddress(), context);
    }

    private void established(DefaultIoConnectFuture future, IoSession session, Runnable startReading, SocketAddress local,
            SocketAddress remote, AttributeRepository context) {
        try {
            IoServiceEventListener l = listener;
            if (l != null) {
                l.connectionEstablished(this, local, context, remote);
            }
            if (context != null) {
                session.setAttribute(AttributeRepository.class, context);
            }
            handler.sessionCreated(session);
            sessions.put(session.getId(), session);
            future.setSession(session);
            if (session.isClosing()) {
                sessionClosed(session);
                handler.sessionClosed(session);
            } else {
                startReading.run();
            }
        } catch (Throwable e) {
            sessionClosed(session);
            session.close(true);
            future.setException(unwrap(e));
        }
    }

    @Override
    protected void doCloseImmediately() {
        for (TcpSocket s : pending.keySet()) {
            s.close();
        }
        super.doCloseImmediately();
    }
}
