package org.rawsockets.ssh.internal.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpServerOpenInfo;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * Listens through the socket service ({@link SocketService#listenTcp}) for SSHD: the listener of a
 * local port forward ({@code ssh -L}) is a {@link TcpServerSocket} of this bundle, so the socket
 * policy decides which address and port may be exposed, quotas count the listener and every accepted
 * connection, and stopping the bundle closes them.
 *
 * <p>{@link #unbind(SocketAddress)} stops listening <em>and</em> closes the connections accepted on
 * that address (SSHD then closes their channels): ending a forward ends its traffic in bounded time.
 */
final class SocketIoAcceptor extends SocketIoService implements IoAcceptor {

    /** Time limit for the socket service to bind (the policy check and the bind itself). */
    static final long BIND_TIMEOUT_SECONDS = 30;

    private final IoHandler handler;
    private final SocketService sockets;
    private final TcpSocketOptions options;
    private final Map<InetSocketAddress, Listener> listeners = new ConcurrentHashMap<>();

    SocketIoAcceptor(IoHandler handler, SocketService sockets, TcpSocketOptions options, java.util.concurrent.Executor handlerThreads) {
        super(handlerThreads);
        this.handler = handler;
        this.sockets = sockets;
        this.options = options;
    }

    @Override
    public void bind(Collection<? extends SocketAddress> addresses) throws IOException {
        for (SocketAddress a : addresses) {
            bind(a);
        }
    }

    @Override
    public void bind(SocketAddress address) throws IOException {
        if (isClosing()) {
            throw new IOException("the SSH client is stopping: cannot listen on " + address);
        }
        if (!(address instanceof InetSocketAddress a)) {
            throw new IOException("not a host and port: " + address);
        }
        InetAddress ip = a.getAddress();
        String host = ip != null ? ip.getHostAddress() : a.getHostString();
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        TcpServerSocket server;
        TcpServerOpenInfo info;
        try {
            server = sockets.listenTcp(TcpServerSocketOptions.builder().local(host, a.getPort()).acceptedOptions(options).build());
        } catch (RuntimeException e) {
            throw new IOException("cannot listen on " + host + ":" + a.getPort() + ": " + e.getMessage(), e);
        }
        try {
            info = server.opened().toCompletableFuture().get(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            server.close();
            Throwable cause = unwrap(e.getCause());
            throw new IOException("cannot listen on " + host + ":" + a.getPort() + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            server.close();
            throw new IOException("listening on " + host + ":" + a.getPort() + " did not start within "
                    + BIND_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while listening on " + host + ":" + a.getPort());
        }
        Listener l = new Listener(server, info.localAddress());
        listeners.put(info.localAddress(), l);
        l.acceptNext();
    }

    @Override
    public void unbind(Collection<? extends SocketAddress> addresses) {
        for (SocketAddress a : addresses) {
            unbind(a);
        }
    }

    /** Stops listening on {@code address} (or on its port, for a wildcard or host name) and closes its connections. */
    @Override
    public void unbind(SocketAddress address) {
        Listener l = listeners.remove(address);
        if (l == null && address instanceof InetSocketAddress a) {
            for (InetSocketAddress bound : listeners.keySet()) {
                if (bound.getPort() == a.getPort()) {
                    l = listeners.remove(bound);
                    break;
                }
            }
        }
        if (l != null) {
            l.close();
        }
    }

    @Override
    public void unbind() {
        for (InetSocketAddress a : listeners.keySet()) {
            unbind(a);
        }
    }

    /** The addresses listened on (a new, modifiable set: SSHD computes differences on it). */
    @Override
    public Set<SocketAddress> getBoundAddresses() {
        return new HashSet<>(listeners.keySet());
    }

    @Override
    protected void doCloseImmediately() {
        unbind();
        super.doCloseImmediately();
    }

    /** One listening socket and the connections it accepted. */
    private final class Listener {
        private final TcpServerSocket server;
        private final InetSocketAddress address;
        private final Set<SocketIoSession> accepted = ConcurrentHashMap.newKeySet();
        private volatile boolean closed;

        Listener(TcpServerSocket server, InetSocketAddress address) {
            this.server = server;
            this.address = address;
        }

        /** One accept at a time: while SSHD does not take connections, the backlog holds them. */
        void acceptNext() {
            if (closed) {
                return;
            }
            server.readable().read().whenComplete(this::accepted);
        }

        private void accepted(ReadResult<TcpSocket> r, Throwable e) {
            if (e != null || r.done() || closed) {
                if (r != null && !r.done()) {
                    r.value().close();
                }
                if (!closed) {
                    listeners.remove(address, this);
                    close();
                }
                return;
            }
            TcpSocket socket = r.value();
            socket.opened().whenComplete((info, failure) -> {
                if (failure == null) {
                    established(socket, info);
                } else {
                    socket.close();
                }
            });
            acceptNext();
        }

        private void established(TcpSocket socket, TcpOpenInfo info) {
            SocketIoSession session = new SocketIoSession(SocketIoAcceptor.this, handler, socket, info, address);
            if (closed || isClosing()) {
                socket.close();
                return;
            }
            accepted.add(session);
            session.addCloseFutureListener(f -> accepted.remove(session));
            sessions.put(session.getId(), session);
            try {
                IoServiceEventListener l = listener;
                if (l != null) {
                    l.connectionAccepted(SocketIoAcceptor.this, info.localAddress(), info.remoteAddress(), address);
                }
                handler.sessionCreated(session);
            } catch (Throwable t) {
                session.close(true);
                return;
            }
            if (closed) {
                session.close(true);
            } else {
                session.startReading();
            }
        }

        void close() {
            closed = true;
            server.close();
            for (SocketIoSession s : accepted) {
                s.close(true);
            }
        }
    }
}
