package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * The connection of one {@link ServiceSocket}: connect, the streams, TLS layering and close.
 * Shares the socket's lock with its {@link SocketSettings}.
 */
final class SocketConnection {

    private final NetBackend backend;
    private final ViewState state;
    private final Object lock;

    // guarded by lock (written), volatile for the unlocked reads
    private volatile TcpSocket tcp;
    private volatile boolean connected;
    private volatile boolean layered;
    private volatile InetSocketAddress remote;
    private volatile InetSocketAddress local;
    private SocketStreams streams;

    SocketConnection(NetBackend backend, ViewState state, Object lock) {
        this.backend = backend;
        this.state = state;
        this.lock = lock;
    }

    boolean isConnected() {
        return connected;
    }

    InetSocketAddress remote() {
        return remote;
    }

    InetSocketAddress local() {
        return local;
    }

    // ------------------------------------------------------------------ connect

    /** The checks of {@link java.net.Socket#connect(SocketAddress, int)} on its arguments. */
    static InetSocketAddress checkEndpoint(SocketAddress endpoint, int timeout) {
        if (endpoint == null) {
            throw new IllegalArgumentException("connect: The address can't be null");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        if (!(endpoint instanceof InetSocketAddress a)) {
            throw new IllegalArgumentException("Unsupported address type " + endpoint.getClass().getName()
                    + ": the socket service connects to InetSocketAddress only");
        }
        return a;
    }

    /** Opens the connection to {@code a} and waits until it is open; closes the socket when it fails. */
    TcpSocket connect(InetSocketAddress a, TcpSocketOptions o) throws IOException {
        String host;
        InetAddress pinned = null;
        if (a.isUnresolved()) {
            host = a.getHostString();
        } else {
            pinned = a.getAddress();
            String name = a.getHostString();
            host = name == null || ServiceSocket.isLiteral(name) ? pinned.getHostAddress() : name;
        }
        TcpSocket t;
        synchronized (lock) {
            state.checkNotClosed();
            if (tcp != null) {
                throw new SocketException(connected ? "already connected" : "connection already in progress");
            }
            try {
                t = backend.open(host, pinned, a.getPort(), o);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("connect to " + a + ": " + e.getMessage(), e);
            } catch (IllegalStateException e) {
                closeQuietly();
                throw SocketErrors.with(new SocketException("cannot connect to " + a + ": " + e.getMessage()), e);
            }
            tcp = t;
        }
        TcpOpenInfo info;
        try {
            info = awaitOpen(t.opened().toCompletableFuture());
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
        synchronized (lock) {
            remote = info.remoteAddress();
            local = info.localAddress();
            connected = true;
        }
        return t;
    }

    private TcpOpenInfo awaitOpen(CompletableFuture<TcpOpenInfo> f) throws IOException {
        while (true) {
            try {
                return f.get(SocketStreams.SLICE_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (state.isClosed()) {
                    throw new SocketException("Socket closed while connecting");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Socket.connect interrupted");
            } catch (ExecutionException e) {
                if (state.isClosed()) {
                    throw SocketErrors.with(new SocketException("Socket closed while connecting"), e.getCause());
                }
                throw SocketErrors.connect(e.getCause());
            }
        }
    }

    // ------------------------------------------------------------------ TLS layering

    /** See {@link ServiceSocket#layerTls(TlsOptions)}. */
    TcpSocket layerTls(TlsOptions tls) throws IOException {
        TcpSocket t;
        synchronized (lock) {
            if (state.isClosed()) {
                throw new SocketException("Socket is closed: cannot layer TLS over it");
            }
            if (!connected) {
                throw new SocketException("Socket is not connected: cannot layer TLS over it");
            }
            if (layered) {
                throw new SocketException("TLS was already layered over this socket");
            }
            if (state.isInputShutdown() || state.isOutputShutdown()) {
                throw new SocketException("Socket is half-closed: cannot layer TLS over it");
            }
            if (streams != null && streams.hasUnread()) {
                throw new SocketException("Socket has received bytes that were not read: TLS can only be layered"
                        + " where the protocol has agreed to upgrade and nothing unread is pending");
            }
            layered = true;
            t = tcp;
        }
        try {
            return t.startTls(tls.toBuilder().mode(TlsMode.STARTTLS).build());
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw SocketErrors.with(new SocketException("cannot layer TLS over the socket to "
                    + t.info().destination() + ": " + e.getMessage()), e);
        }
    }

    // ------------------------------------------------------------------ streams

    /** The streams of the open connection, made at the first call. */
    SocketStreams streams() throws SocketException {
        synchronized (lock) {
            TcpSocket t = requireOpen();
            if (streams == null) {
                streams = new SocketStreams(backend, t, state);
            }
            return streams;
        }
    }

    /** The open connection; throws when closed or not connected yet. */
    TcpSocket requireOpen() throws SocketException {
        synchronized (lock) {
            state.checkNotClosed();
            if (!connected) {
                throw new SocketException("Socket is not connected");
            }
            return tcp;
        }
    }

    /** The connection to set an option on now, or null before connect; throws once closed. */
    TcpSocket optionTarget() throws SocketException {
        synchronized (lock) {
            state.checkNotClosed();
            return connected ? tcp : null;
        }
    }

    // ------------------------------------------------------------------ close

    /** See {@link ServiceSocket#close()}; {@code settings} gives the SO_LINGER value at the close. */
    void close(SocketSettings settings) throws IOException {
        TcpSocket t;
        int l;
        synchronized (lock) {
            if (!state.markClosed()) {
                return;
            }
            t = tcp;
            l = settings.linger();
        }
        if (t == null) {
            return;
        }
        if (l == 0) {
            t.writable().abort(new SocketException("closed with SO_LINGER 0"));
            return;
        }
        if (l > 0 && connected) {
            backend.checkNotIoThread("Socket.close with SO_LINGER");
            backend.close(t, TimeUnit.SECONDS.toMillis(l));
            try {
                t.closed().toCompletableFuture().get(l, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // reset by the limit, or the connection failed: closed either way
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        backend.close(t, ServiceSocket.CLOSE_LIMIT_MS);
    }

    private void closeQuietly() {
        try {
            state.close();
        } catch (IOException e) {
            // closing a failed connect
        }
    }
}
