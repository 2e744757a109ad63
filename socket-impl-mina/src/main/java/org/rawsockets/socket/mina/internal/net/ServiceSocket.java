package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Set;
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
 * A {@link Socket} backed by a {@link TcpSocket} of one bundle's socket service: what
 * {@link org.rawsockets.socket.SocketService#socketFactory(TcpSocketOptions)} makes. Every public
 * method of {@link Socket} is overridden (there is no JDK {@link SocketImpl} behind it); see the
 * factory method's Javadoc for the behaviour.
 */
public final class ServiceSocket extends Socket {

    /** How long a close waits for the peer to take what is still queued before resetting. */
    static final long CLOSE_LIMIT_MS = 30_000;

    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.IP_TOS, StandardSocketOptions.SO_REUSEADDR);

    private final NetBackend backend;
    private final TcpSocketOptions options;
    private final Object lock = new Object();

    // guarded by lock (written), volatile for the stream checks
    private volatile TcpSocket tcp;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private volatile boolean layered;
    private volatile int soTimeout;
    private volatile InetSocketAddress remote;
    private volatile InetSocketAddress local;
    private SocketStreams streams;
    // options set before connect (null: the factory's)
    private Boolean noDelay;
    private Boolean keepAlive;
    private Integer sendBufferSize;
    private Integer receiveBufferSize;
    private int linger = -1;
    private int trafficClass;
    private boolean reuseAddress;

    ServiceSocket(NetBackend backend, TcpSocketOptions options) throws SocketException {
        super((SocketImpl) null);
        this.backend = backend;
        this.options = options;
    }

    NetBackend backend() {
        return backend;
    }

    // ------------------------------------------------------------------ connect

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
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
        backend.checkNotIoThread("Socket.connect");
        TcpSocketOptions o = connectOptions(timeout);
        String host;
        InetAddress pinned = null;
        if (a.isUnresolved()) {
            host = a.getHostString();
        } else {
            pinned = a.getAddress();
            String name = a.getHostString();
            host = name == null || isLiteral(name) ? pinned.getHostAddress() : name;
        }
        TcpSocket t;
        synchronized (lock) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
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
        applyAfterConnect(t);
    }

    private TcpOpenInfo awaitOpen(CompletableFuture<TcpOpenInfo> f) throws IOException {
        while (true) {
            try {
                return f.get(SocketStreams.SLICE_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (closed) {
                    throw new SocketException("Socket closed while connecting");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Socket.connect interrupted");
            } catch (ExecutionException e) {
                if (closed) {
                    throw SocketErrors.with(new SocketException("Socket closed while connecting"), e.getCause());
                }
                throw SocketErrors.connect(e.getCause());
            }
        }
    }

    private TcpSocketOptions connectOptions(int timeout) {
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
        }
        if (timeout > 0) {
            b.connectTimeout(Duration.ofMillis(timeout));
        }
        return b.build();
    }

    /** Options set before connect that the open itself does not carry. */
    private void applyAfterConnect(TcpSocket t) {
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

    static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    // ------------------------------------------------------------------ TLS layering

    /**
     * Upgrades this socket's connection to TLS in place for an {@code SSLSocket} layered over it;
     * from then on this socket's own streams fail and the returned socket carries the data.
     */
    TcpSocket layerTls(TlsOptions tls) throws IOException {
        TcpSocket t;
        synchronized (lock) {
            if (closed) {
                throw new SocketException("Socket is closed: cannot layer TLS over it");
            }
            if (!connected) {
                throw new SocketException("Socket is not connected: cannot layer TLS over it");
            }
            if (layered) {
                throw new SocketException("TLS was already layered over this socket");
            }
            if (inputShutdown || outputShutdown) {
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

    private final SocketStreams.Owner streamOwner = new SocketStreams.Owner() {
        @Override
        public int soTimeout() {
            return soTimeout;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public boolean isInputShutdown() {
            return inputShutdown;
        }

        @Override
        public boolean isOutputShutdown() {
            return outputShutdown;
        }

        @Override
        public void close() throws IOException {
            ServiceSocket.this.close();
        }
    };

    private SocketStreams streams() throws SocketException {
        synchronized (lock) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (!connected) {
                throw new SocketException("Socket is not connected");
            }
            if (streams == null) {
                streams = new SocketStreams(backend, tcp, streamOwner);
            }
            return streams;
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        if (inputShutdown) {
            throw new SocketException("Socket input is shutdown");
        }
        return streams().in();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        if (outputShutdown) {
            throw new SocketException("Socket output is shutdown");
        }
        return streams().out();
    }

    @Override
    public void shutdownInput() throws IOException {
        TcpSocket t = requireOpen();
        if (inputShutdown) {
            throw new SocketException("Socket input is already shutdown");
        }
        inputShutdown = true;
        t.readable().cancel();
    }

    @Override
    public void shutdownOutput() throws IOException {
        TcpSocket t = requireOpen();
        if (outputShutdown) {
            throw new SocketException("Socket output is already shutdown");
        }
        outputShutdown = true;
        t.writable().close();
    }

    private TcpSocket requireOpen() throws SocketException {
        synchronized (lock) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (!connected) {
                throw new SocketException("Socket is not connected");
            }
            return tcp;
        }
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes the connection: what was written is still sent (FIN after it) unless
     * {@code setSoLinger(true, 0)} asked for a reset. With {@code SO_LINGER n > 0} the call waits up
     * to n seconds for that, then resets; otherwise it returns at once and a peer that does not take
     * the queued bytes within {@value #CLOSE_LIMIT_MS} ms gets a reset. A read or write blocked in
     * another thread throws {@link SocketException} at once.
     */
    @Override
    public void close() throws IOException {
        TcpSocket t;
        int l;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            t = tcp;
            l = linger;
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
        backend.close(t, CLOSE_LIMIT_MS);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            // closing a failed connect
        }
    }

    // ------------------------------------------------------------------ state

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public boolean isBound() {
        return connected;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress r = remote;
        return r == null ? null : r.getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress r = remote;
        return r == null ? 0 : r.getPort();
    }

    @Override
    public InetAddress getLocalAddress() {
        InetSocketAddress l = local;
        if (l == null || closed) {
            try {
                return InetAddress.getByAddress(new byte[4]);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return l.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress l = local;
        return l == null ? -1 : l.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return remote;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return local;
    }

    @Override
    public java.nio.channels.SocketChannel getChannel() {
        return null;
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (bindpoint != null && !(bindpoint instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("Unsupported address type " + bindpoint.getClass().getName());
        }
        InetSocketAddress b = (InetSocketAddress) bindpoint;
        if (b != null && (b.getPort() != 0 || b.getAddress() == null || !b.getAddress().isAnyLocalAddress())) {
            throw new SocketException("binding a client socket to " + b + " is not supported by the socket service"
                    + " (the operating system picks the local address and port)");
        }
        // an ephemeral bind is what connect does anyway
    }

    // ------------------------------------------------------------------ options

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        TcpSocket t = optionTarget();
        if (t == null) {
            synchronized (lock) {
                noDelay = on;
            }
        } else {
            backend.setOption(t, StandardSocketOptions.TCP_NODELAY, on);
        }
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        Boolean v = currentOption(StandardSocketOptions.TCP_NODELAY);
        if (v != null) {
            return v;
        }
        synchronized (lock) {
            return noDelay != null ? noDelay : options.noDelay();
        }
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        TcpSocket t = optionTarget();
        if (t == null) {
            synchronized (lock) {
                keepAlive = on;
            }
        } else {
            backend.setOption(t, StandardSocketOptions.SO_KEEPALIVE, on);
        }
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        Boolean v = currentOption(StandardSocketOptions.SO_KEEPALIVE);
        if (v != null) {
            return v;
        }
        synchronized (lock) {
            return keepAlive != null ? keepAlive : options.keepAliveDelay().isPresent();
        }
    }

    /** A hint, as for the JDK's sockets: applied to the open connection, else used at connect. */
    @Override
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("negative send size");
        }
        TcpSocket t = optionTarget();
        if (t == null) {
            synchronized (lock) {
                sendBufferSize = size;
            }
        } else {
            backend.setOption(t, StandardSocketOptions.SO_SNDBUF, size);
        }
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        Integer v = currentOption(StandardSocketOptions.SO_SNDBUF);
        if (v != null) {
            return v;
        }
        synchronized (lock) {
            return sendBufferSize != null ? sendBufferSize : options.sendBufferSize().orElse(64 * 1024);
        }
    }

    /** A hint, as for the JDK's sockets: applied to the open connection, else used at connect. */
    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("invalid receive size");
        }
        TcpSocket t = optionTarget();
        if (t == null) {
            synchronized (lock) {
                receiveBufferSize = size;
            }
        } else {
            backend.setOption(t, StandardSocketOptions.SO_RCVBUF, size);
        }
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        Integer v = currentOption(StandardSocketOptions.SO_RCVBUF);
        if (v != null) {
            return v;
        }
        synchronized (lock) {
            return receiveBufferSize != null ? receiveBufferSize : options.receiveBufferSize().orElse(64 * 1024);
        }
    }

    /**
     * Kept by the socket (the channel itself never lingers, which would block an I/O thread):
     * {@code close()} resets at once with 0, and waits up to {@code linger} seconds for the queued
     * bytes to go out with a positive value.
     */
    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (on && linger < 0) {
            throw new IllegalArgumentException("invalid value for SO_LINGER");
        }
        synchronized (lock) {
            this.linger = on ? Math.min(linger, 65535) : -1;
        }
    }

    @Override
    public int getSoLinger() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        synchronized (lock) {
            return linger;
        }
    }

    /**
     * The read timeout of the input stream in ms (0: none), read at the start of every
     * {@code read}, so it may change at any time.
     */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        return soTimeout;
    }

    /** A hint (JDK: "the underlying network implementation may ignore this value"). */
    @Override
    public void setTrafficClass(int tc) throws SocketException {
        if (tc < 0 || tc > 255) {
            throw new IllegalArgumentException("tc is not in range 0 -- 255");
        }
        TcpSocket t = optionTarget();
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

    @Override
    public int getTrafficClass() throws SocketException {
        synchronized (lock) {
            return trafficClass;
        }
    }

    /** Kept only: a client socket of the service is never bound explicitly, so it has no effect. */
    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        synchronized (lock) {
            reuseAddress = on;
        }
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        synchronized (lock) {
            return reuseAddress;
        }
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        if (on) {
            throw new SocketException("SO_OOBINLINE (urgent data) is not supported by the socket service");
        }
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return false;
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data is not supported by the socket service");
    }

    /** A hint the JDK's own sockets ignore too. */
    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        // no effect, as for the JDK's sockets
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
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
            throw new UnsupportedOperationException("'" + name + "' not supported by the socket service");
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
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
            throw new UnsupportedOperationException("'" + name + "' not supported by the socket service");
        }
        return (T) v;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    /** The connection to set an option on now, or null before connect; throws once closed. */
    private TcpSocket optionTarget() throws SocketException {
        synchronized (lock) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            return connected ? tcp : null;
        }
    }

    private <T> T currentOption(SocketOption<T> o) throws SocketException {
        TcpSocket t = optionTarget();
        return t == null ? null : backend.getOption(t, o);
    }

    @Override
    public String toString() {
        InetSocketAddress r = remote;
        if (r == null) {
            return "ServiceSocket[" + backend.owner() + (closed ? ", closed" : ", unconnected") + "]";
        }
        return "ServiceSocket[" + backend.owner() + ", addr=" + r.getAddress() + ",port=" + r.getPort()
                + ",localport=" + getLocalPort() + (closed ? ", closed" : "") + "]";
    }
}
