package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSession;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.transport.socket.SocketSessionConfig;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.mina.internal.net.NetBackend;

/**
 * The engine side of the {@link java.net.Socket} views ({@code internal.net}) of one bundle's
 * service: opens its connections, and reaches into them where {@link java.net.Socket} needs more
 * than the public API gives (a read timeout that changes between reads, options of the open
 * connection, the TLS session).
 */
final class SocketViews implements NetBackend {

    private final OwnedService service;

    SocketViews(OwnedService service) {
        this.service = service;
    }

    @Override
    public TcpSocket open(String host, InetAddress pinned, int port, TcpSocketOptions options) {
        if (service.isReleased()) {
            throw new IllegalStateException("the socket service of bundle " + service.owner() + " was released");
        }
        return service.engine.openTcp(service, Checks.host("remoteAddress", host), pinned,
                Checks.port("remotePort", port, 1), Objects.requireNonNull(options, "options"), null);
    }

    private static TcpConnection.Facade facade(TcpSocket socket) {
        if (socket instanceof TcpConnection.Facade f) {
            return f;
        }
        throw new IllegalArgumentException("not a socket of this engine: " + socket);
    }

    @Override
    public int read(TcpSocket socket, byte[] b, int off, int len, long timeoutMillis) throws IOException {
        TcpRx rx = facade(socket).rx;
        try {
            return rx.takeInto(b, off, len, TimeUnit.MILLISECONDS.toNanos(timeoutMillis), "Socket InputStream.read");
        } catch (TimedOutException e) {
            if (!rx.isFinished()) {
                return TIMED_OUT;
            }
            // the stream ended or failed as the wait ran out: that outcome, without waiting
            return rx.takeInto(b, off, len, 0, "Socket InputStream.read");
        }
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> write(TcpSocket socket, byte[] b, int off, int len) {
        return facade(socket).tx.writeCopy(b, off, len);
    }

    @Override
    public long available(TcpSocket socket) {
        return facade(socket).rx.available();
    }

    @Override
    public void checkNotIoThread(String what) {
        IoThreads.checkNotIoThread(what);
    }

    private static SocketSessionConfig config(TcpSocket socket) throws SocketException {
        IoSession s = facade(socket).connection().debugSession();
        if (s == null || !s.isConnected()) {
            throw new SocketException("the connection to " + socket.info().destination() + " is closed");
        }
        return (SocketSessionConfig) s.getConfig();
    }

    @Override
    public <T> void setOption(TcpSocket socket, SocketOption<T> option, T value) throws SocketException {
        SocketSessionConfig c = config(socket);
        try {
            if (option == StandardSocketOptions.TCP_NODELAY) {
                c.setTcpNoDelay((Boolean) value);
            } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
                c.setKeepAlive((Boolean) value);
            } else if (option == StandardSocketOptions.SO_SNDBUF) {
                c.setSendBufferSize((Integer) value);
            } else if (option == StandardSocketOptions.SO_RCVBUF) {
                c.setReceiveBufferSize((Integer) value);
            } else if (option == StandardSocketOptions.IP_TOS) {
                c.setTrafficClass((Integer) value);
            } else {
                throw new SocketException(option + " cannot be set on an open connection of the socket service");
            }
        } catch (RuntimeException e) {
            // MINA wraps the channel's IOException
            throw (SocketException) new SocketException("setting " + option + " on the connection to "
                    + socket.info().destination() + " failed: " + e.getMessage()).initCause(e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(TcpSocket socket, SocketOption<T> option) {
        SocketSessionConfig c;
        try {
            c = config(socket);
        } catch (SocketException e) {
            return null;
        }
        try {
            Object v;
            if (option == StandardSocketOptions.TCP_NODELAY) {
                v = c.isTcpNoDelay();
            } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
                v = c.isKeepAlive();
            } else if (option == StandardSocketOptions.SO_SNDBUF) {
                v = c.getSendBufferSize();
            } else if (option == StandardSocketOptions.SO_RCVBUF) {
                v = c.getReceiveBufferSize();
            } else if (option == StandardSocketOptions.IP_TOS) {
                v = c.getTrafficClass();
            } else {
                return null;
            }
            return (T) v;
        } catch (RuntimeException e) {
            return null; // the channel closed meanwhile
        }
    }

    @Override
    public void close(TcpSocket socket, long limitMillis) {
        socket.close();
        TcpConnection c = facade(socket).connection();
        if (c.isFinished()) {
            return;
        }
        try {
            java.util.concurrent.ScheduledFuture<?> reset = service.engine.timer().schedule(() -> {
                if (!c.isFinished()) {
                    c.closer.abort(new SocketException("the peer did not take the queued bytes within " + limitMillis
                            + " ms of close()"));
                }
            }, limitMillis, TimeUnit.MILLISECONDS);
            c.closed.whenComplete((v, e) -> reset.cancel(false));
        } catch (RejectedExecutionException e) {
            // the engine is stopping: it closes every connection itself
        }
    }

    @Override
    public SSLSession tlsSession(TcpSocket socket) {
        IoSession s = facade(socket).connection().debugSession();
        Object v = s == null ? null : s.getAttribute(SslFilter.SSL_SECURED);
        return v instanceof SSLSession ss ? ss : null;
    }

    @Override
    public String owner() {
        return service.owner().toString();
    }
}
