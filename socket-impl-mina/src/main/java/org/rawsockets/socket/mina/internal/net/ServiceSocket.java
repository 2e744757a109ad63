package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.util.Set;

import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsOptions;

/**
 * A {@link Socket} backed by a {@link TcpSocket} of one bundle's socket service: what
 * {@link org.rawsockets.socket.SocketService#socketFactory(TcpSocketOptions)} makes. Every public
 * method of {@link Socket} is overridden (there is no JDK {@link SocketImpl} behind it); see the
 * factory method's Javadoc for the behaviour. The connection (connect, streams, TLS layering,
 * close) is kept by a {@link SocketConnection}, the options by {@link SocketSettings}, the state
 * the streams read by a {@link ViewState}; all three share this socket's lock.
 */
public final class ServiceSocket extends Socket {

    /** How long a close waits for the peer to take what is still queued before resetting. */
    static final long CLOSE_LIMIT_MS = 30_000;

    private final NetBackend backend;
    private final ViewState state = new ViewState(this, 0);
    private final SocketConnection connection;
    private final SocketSettings settings;

    ServiceSocket(NetBackend backend, TcpSocketOptions options) throws SocketException {
        super((SocketImpl) null);
        this.backend = backend;
        Object lock = new Object();
        this.connection = new SocketConnection(backend, state, lock);
        this.settings = new SocketSettings(backend, options, state, connection, lock);
    }

    NetBackend backend() {
        return backend;
    }

    static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    // ------------------------------------------------------------------ connect, TLS layering, close

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        InetSocketAddress a = SocketConnection.checkEndpoint(endpoint, timeout);
        backend.checkNotIoThread("Socket.connect");
        TcpSocket t = connection.connect(a, settings.connectOptions(timeout));
        settings.applyAfterConnect(t);
    }

    /**
     * Upgrades this socket's connection to TLS in place for an {@code SSLSocket} layered over it;
     * from then on this socket's own streams fail and the returned socket carries the data.
     */
    TcpSocket layerTls(TlsOptions tls) throws IOException {
        return connection.layerTls(tls);
    }

    /**
     * Closes the connection: what was written is still sent (FIN after it) unless
     * {@code setSoLinger(true, 0)} asked for a reset. With {@code SO_LINGER n > 0} the call waits up
     * to n seconds for that, then resets; otherwise it returns at once and a peer that does not take
     * the queued bytes within {@value #CLOSE_LIMIT_MS} ms gets a reset. A read or write blocked in
     * another thread throws {@link SocketException} at once.
     */
    @Override
    public void close() throws IOException {
        connection.close(settings);
    }

    /**
     * Sets the local end the connection binds before connecting
     * ({@link org.rawsockets.socket.TcpSocketOptions#localAddress()}, {@code localPort}); the
     * policy checks it as {@code tcp-bind} at connect. {@code null} or the wildcard with port 0:
     * the system's choice, as without a bind.
     */
    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        state.checkNotClosed();
        if (bindpoint != null && !(bindpoint instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("Unsupported address type " + bindpoint.getClass().getName());
        }
        InetSocketAddress b = (InetSocketAddress) bindpoint;
        if (b != null && b.isUnresolved()) {
            throw new SocketException("cannot bind to the unresolved address " + b + ": a local address is an IP address");
        }
        if (isConnected()) {
            throw new SocketException("Already connected: bind before connect");
        }
        settings.bind(b);
    }

    // ------------------------------------------------------------------ streams

    @Override
    public InputStream getInputStream() throws IOException {
        state.checkInputNotShutdown();
        return connection.streams().in();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        state.checkOutputNotShutdown();
        return connection.streams().out();
    }

    @Override
    public void shutdownInput() throws IOException {
        TcpSocket t = connection.requireOpen();
        state.shutdownInput(() -> t);
    }

    @Override
    public void shutdownOutput() throws IOException {
        TcpSocket t = connection.requireOpen();
        state.shutdownOutput(() -> t);
    }

    // ------------------------------------------------------------------ state

    @Override
    public boolean isConnected() {
        return connection.isConnected();
    }

    @Override
    public boolean isBound() {
        return connection.isConnected();
    }

    @Override
    public boolean isClosed() {
        return state.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
        return state.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return state.isOutputShutdown();
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress r = connection.remote();
        return r == null ? null : r.getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress r = connection.remote();
        return r == null ? 0 : r.getPort();
    }

    @Override
    public InetAddress getLocalAddress() {
        InetSocketAddress l = connection.local();
        if (l == null || state.isClosed()) {
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
        InetSocketAddress l = connection.local();
        return l == null ? -1 : l.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return connection.remote();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return connection.local();
    }

    @Override
    public java.nio.channels.SocketChannel getChannel() {
        return null;
    }

    // ------------------------------------------------------------------ options

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        settings.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return settings.getTcpNoDelay();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        settings.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return settings.getKeepAlive();
    }

    /** A hint, as for the JDK's sockets: applied to the open connection, else used at connect. */
    @Override
    public void setSendBufferSize(int size) throws SocketException {
        settings.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return settings.getSendBufferSize();
    }

    /** A hint, as for the JDK's sockets: applied to the open connection, else used at connect. */
    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        settings.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return settings.getReceiveBufferSize();
    }

    /**
     * Kept by the socket (the channel itself never lingers, which would block an I/O thread):
     * {@code close()} resets at once with 0, and waits up to {@code linger} seconds for the queued
     * bytes to go out with a positive value.
     */
    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        settings.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return settings.getSoLinger();
    }

    /**
     * The read timeout of the input stream in ms (0: none), read at the start of every
     * {@code read}, so it may change at any time.
     */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        state.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return state.getSoTimeout();
    }

    /** A hint (JDK: "the underlying network implementation may ignore this value"). */
    @Override
    public void setTrafficClass(int tc) throws SocketException {
        settings.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return settings.getTrafficClass();
    }

    /** Kept only: a client socket of the service is never bound explicitly, so it has no effect. */
    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        settings.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return settings.getReuseAddress();
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
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        settings.set(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return settings.get(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketSettings.OPTIONS;
    }

    @Override
    public String toString() {
        InetSocketAddress r = connection.remote();
        boolean closed = state.isClosed();
        if (r == null) {
            return "ServiceSocket[" + backend.owner() + (closed ? ", closed" : ", unconnected") + "]";
        }
        return "ServiceSocket[" + backend.owner() + ", addr=" + r.getAddress() + ",port=" + r.getPort()
                + ",localport=" + getLocalPort() + (closed ? ", closed" : "") + "]";
    }
}
