package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;

/**
 * The socket options of one {@link ServiceSocket}: kept until connect (and then carried by the
 * open or applied right after it), set on the open connection afterwards. Shares the socket's
 * lock with its {@link SocketConnection}.
 */
final class SocketSettings {

    static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.IP_TOS, StandardSocketOptions.SO_REUSEADDR);

    private final NetBackend backend;
    private final TcpSocketOptions options;
    private final ViewState state;
    private final SocketConnection connection;
    private final Object lock;

    // guarded by lock; set before connect (null: the factory's)
    private Boolean noDelay;
    private Boolean keepAlive;
    private Integer sendBufferSize;
    private Integer receiveBufferSize;
    private InetSocketAddress bindpoint;
    // guarded by lock; kept by the socket
    private int linger = -1;
    private int trafficClass;
    private boolean reuseAddress;

    SocketSettings(NetBackend backend, TcpSocketOptions options, ViewState state, SocketConnection connection,
            Object lock) {
        this.backend = backend;
        this.options = options;
        this.state = state;
        this.connection = connection;
        this.lock = lock;
    }

    // ------------------------------------------------------------------ at connect

    /** The factory's options with those set before connect and the connect timeout (ms, 0: none). */
    TcpSocketOptions connectOptions(int timeout) {
        TcpSocketOptions.Builder b = options.toBuilder().allowHalfOpen(true)
                .tls(options.tls().toBuilder().mode(TlsMode.STARTTLS).build());
        synchronized (lock) {
            if (noDelay != null) {
                b.noDelay(noDelay);
            }
            if (Boolean.FALSE.equals(keepAlive)) {
                b.keepAliveDelay(null);
            }
            if (sendBufferSize != null) {
                b.sendBufferSize(sendBufferSize);
            }
            if (receiveBufferSize != null) {
                b.receiveBufferSize(receiveBufferSize);
            }
            if (bindpoint != null) {
                InetAddress a = bindpoint.getAddress();
                b.localAddress(a == null || a.isAnyLocalAddress() ? null : a.getHostAddress());
                b.localPorts(bindpoint.getPort(), bindpoint.getPort());
            }
        }
        if (timeout > 0) {
            b.connectTimeout(Duration.ofMillis(timeout));
        }
        return b.build();
    }

    /** The local end to bind at connect (null: the system's choice). */
    void bind(InetSocketAddress local) {
        synchronized (lock) {
            bindpoint = local;
        }
    }

    /** Options set before connect that the open itself does not carry. */
    void applyAfterConnect(TcpSocket t) {
        boolean ka;
        int tc;
        synchronized (lock) {
            ka = Boolean.TRUE.equals(keepAlive) && options.keepAliveDelay().isEmpty();
            tc = trafficClass;
        }
        try {
            if (ka) {
                backend.setOption(t, StandardSocketOptions.SO_KEEPALIVE, true);
            }
            if (tc != 0) {
                backend.setOption(t, StandardSocketOptions.IP_TOS, tc);
            }
        } catch (SocketException e) {
            // keep-alive and traffic class before connect: applied where the connection still exists
        }
    }

    // ------------------------------------------------------------------ the options

    void setTcpNoDelay(boolean on) throws SocketException {
        setOrKeep(StandardSocketOptions.TCP_NODELAY, on, v -> noDelay = v);
    }

    boolean getTcpNoDelay() throws SocketException {
        return currentOrKept(StandardSocketOptions.TCP_NODELAY, () -> noDelay != null ? noDelay : options.noDelay());
    }

    void setKeepAlive(boolean on) throws SocketException {
        setOrKeep(StandardSocketOptions.SO_KEEPALIVE, on, v -> keepAlive = v);
    }

    boolean getKeepAlive() throws SocketException {
        return currentOrKept(StandardSocketOptions.SO_KEEPALIVE,
                () -> keepAlive != null ? keepAlive : options.keepAliveDelay().isPresent());
    }

    void setSendBufferSize(int size) throws SocketException {
        setBufferSize(StandardSocketOptions.SO_SNDBUF, size, "negative send size", v -> sendBufferSize = v);
    }

    int getSendBufferSize() throws SocketException {
        return currentOrKept(StandardSocketOptions.SO_SNDBUF, () -> bufferSize(sendBufferSize, options.sendBufferSize()));
    }

    void setReceiveBufferSize(int size) throws SocketException {
        setBufferSize(StandardSocketOptions.SO_RCVBUF, size, "invalid receive size", v -> receiveBufferSize = v);
    }

    int getReceiveBufferSize() throws SocketException {
        return currentOrKept(StandardSocketOptions.SO_RCVBUF,
                () -> bufferSize(receiveBufferSize, options.receiveBufferSize()));
    }

    /** A hint, as for the JDK's sockets: applied to the open connection, else used at connect. */
    private void setBufferSize(SocketOption<Integer> o, int size, String invalid, Consumer<Integer> keep)
            throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException(invalid);
        }
        setOrKeep(o, size, keep);
    }

    /** The size kept for connect, else the factory's, else the default of 64 KiB. */
    private static int bufferSize(Integer kept, OptionalInt factory) {
        return kept != null ? kept : factory.orElse(64 * 1024);
    }

    void setSoLinger(boolean on, int linger) throws SocketException {
        state.checkNotClosed();
        if (on && linger < 0) {
            throw new IllegalArgumentException("invalid value for SO_LINGER");
        }
        synchronized (lock) {
            this.linger = on ? Math.min(linger, 65535) : -1;
        }
    }

    int getSoLinger() throws SocketException {
        state.checkNotClosed();
        return linger();
    }

    /** The SO_LINGER value in seconds, -1 when off. */
    int linger() {
        synchronized (lock) {
            return linger;
        }
    }

    void setTrafficClass(int tc) throws SocketException {
        if (tc < 0 || tc > 255) {
            throw new IllegalArgumentException("tc is not in range 0 -- 255");
        }
        TcpSocket t = connection.optionTarget();
        synchronized (lock) {
            trafficClass = tc;
        }
        if (t != null) {
            try {
                backend.setOption(t, StandardSocketOptions.IP_TOS, tc);
            } catch (SocketException e) {
                // a hint
            }
        }
    }

    int getTrafficClass() {
        synchronized (lock) {
            return trafficClass;
        }
    }

    void setReuseAddress(boolean on) throws SocketException {
        state.checkNotClosed();
        synchronized (lock) {
            reuseAddress = on;
        }
    }

    boolean getReuseAddress() {
        synchronized (lock) {
            return reuseAddress;
        }
    }

    // ------------------------------------------------------------------ by SocketOption

    /** {@link java.net.Socket#setOption}: the same as the option's own setter. */
    <T> void set(SocketOption<T> name, T value) throws IOException {
        if (name == null) {
            throw new NullPointerException("name");
        }
        if (name == StandardSocketOptions.TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (name == StandardSocketOptions.SO_LINGER) {
            int v = (Integer) value;
            setSoLinger(v >= 0, Math.max(v, 0));
        } else if (name == StandardSocketOptions.IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else {
            throw unsupported(name);
        }
    }

    /** {@link java.net.Socket#getOption}: the same as the option's own getter. */
    @SuppressWarnings("unchecked")
    <T> T get(SocketOption<T> name) throws IOException {
        if (name == null) {
            throw new NullPointerException("name");
        }
        Object v;
        if (name == StandardSocketOptions.TCP_NODELAY) {
            v = getTcpNoDelay();
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            v = getKeepAlive();
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            v = getSendBufferSize();
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            v = getReceiveBufferSize();
        } else if (name == StandardSocketOptions.SO_LINGER) {
            v = getSoLinger();
        } else if (name == StandardSocketOptions.IP_TOS) {
            v = getTrafficClass();
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            v = getReuseAddress();
        } else {
            throw unsupported(name);
        }
        return (T) v;
    }

    private static UnsupportedOperationException unsupported(SocketOption<?> name) {
        return new UnsupportedOperationException("'" + name + "' not supported by the socket service");
    }

    // ------------------------------------------------------------------ before or after connect

    /** Sets {@code o} on the open connection, or keeps the value for connect. */
    private <T> void setOrKeep(SocketOption<T> o, T value, Consumer<T> keep) throws SocketException {
        TcpSocket t = connection.optionTarget();
        if (t == null) {
            synchronized (lock) {
                keep.accept(value);
            }
        } else {
            backend.setOption(t, o, value);
        }
    }

    /** The value of {@code o} on the open connection, else the one kept for connect (or the factory's). */
    private <T> T currentOrKept(SocketOption<T> o, Supplier<T> kept) throws SocketException {
        TcpSocket t = connection.optionTarget();
        T v = t == null ? null : backend.getOption(t, o);
        if (v != null) {
            return v;
        }
        synchronized (lock) {
            return kept.get();
        }
    }
}
