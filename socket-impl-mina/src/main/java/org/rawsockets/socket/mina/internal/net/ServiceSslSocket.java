package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TlsOptions;

/**
 * An {@link SSLSocket} whose TLS runs inside the socket service over a {@link ServiceSocket}
 * (its own, or one it was layered over): what
 * {@link org.rawsockets.socket.SocketService#sslSocketFactory(org.rawsockets.socket.TcpSocketOptions)}
 * makes. The TCP-level methods go to that socket; the handshake upgrades its connection in place
 * ({@link TcpSocket#startTls(TlsOptions)}) with the factory's TLS options, refined by what the
 * library set ({@link TlsSettings}). Its streams are {@link LazyTlsStreams}; the state they read
 * (closed, half-closed sides, read timeout) is a {@link ViewState} of its own.
 */
public final class ServiceSslSocket extends SSLSocket {

    private final ServiceSocket base;
    private final boolean autoClose;
    private final TlsSettings settings;
    private final Object lock = new Object();
    private final List<HandshakeCompletedListener> listeners = new CopyOnWriteArrayList<>();

    private final ViewState state;
    private final LazyTlsStreams lazy;
    private volatile String peerHost;
    // guarded by lock
    private TcpSocket secured;
    private SSLSession session;
    private String applicationProtocol;
    private IOException handshakeFailure;

    /**
     * @param base the socket the TLS runs over (connected, or to be connected by {@link #connect})
     * @param peerHost the host name for SNI and verification, or null (then the connect address's)
     */
    ServiceSslSocket(ServiceSocket base, TlsOptions tls, String peerHost, boolean autoClose) throws SocketException {
        this.base = base;
        this.autoClose = autoClose;
        this.settings = new TlsSettings(tls);
        this.peerHost = peerHost;
        this.state = new ViewState(this, base.isClosed() ? 0 : base.getSoTimeout());
        this.lazy = new LazyTlsStreams(base.backend(), state, new LazyTlsStreams.Handshake() {
            @Override
            public TcpSocket secured() throws IOException {
                return ServiceSslSocket.this.secured();
            }

            @Override
            public boolean isSecured() {
                synchronized (lock) {
                    return secured != null;
                }
            }
        }, lock);
    }

    // ------------------------------------------------------------------ connect and handshake

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        state.checkNotClosed();
        base.connect(endpoint, timeout);
        if (peerHost == null && endpoint instanceof InetSocketAddress a) {
            String h = a.getHostString();
            peerHost = h != null && !ServiceSocket.isLiteral(h) ? h : null;
        }
    }

    /**
     * Runs the TLS handshake (once; later calls return at once). Waits at most {@code soTimeout}
     * when one is set, else until the service's connect timeout ends the handshake.
     */
    @Override
    public void startHandshake() throws IOException {
        checkConnected();
        base.backend().checkNotIoThread("SSLSocket.startHandshake");
        SSLSession done;
        synchronized (lock) {
            if (handshakeFailure != null) {
                throw handshakeFailure;
            }
            if (secured != null) {
                return;
            }
            TcpSocket up;
            try {
                up = base.layerTls(settings.toOptions(peerHost));
            } catch (IOException e) {
                handshakeFailure = e;
                throw e;
            }
            TcpOpenInfo info;
            try {
                info = await(up.opened().toCompletableFuture());
            } catch (IOException e) {
                handshakeFailure = e;
                closeQuietly();
                throw e;
            }
            session = base.backend().tlsSession(up);
            applicationProtocol = info.tls().flatMap(t -> t.alpn()).orElse("");
            if (session == null) {
                SSLHandshakeException e = new SSLHandshakeException("the TLS session with " + up.info().destination()
                        + " ended right after the handshake");
                handshakeFailure = e;
                closeQuietly();
                throw e;
            }
            secured = up;
            done = session;
        }
        if (!listeners.isEmpty()) {
            HandshakeCompletedEvent ev = new HandshakeCompletedEvent(this, done);
            for (HandshakeCompletedListener l : listeners) {
                l.handshakeCompleted(ev);
            }
        }
    }

    private TcpOpenInfo await(CompletableFuture<TcpOpenInfo> f) throws IOException {
        int limit = state.soTimeout();
        long deadline = limit > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limit) : Long.MAX_VALUE;
        while (true) {
            try {
                return f.get(SocketStreams.SLICE_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (state.isClosed() || base.isClosed()) {
                    throw new SocketException("Socket closed during the TLS handshake");
                }
                if (limit > 0 && System.nanoTime() - deadline > 0) {
                    throw new SocketTimeoutException("TLS handshake timed out: not done within " + limit
                            + " ms (soTimeout)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("SSLSocket.startHandshake interrupted");
            } catch (ExecutionException e) {
                throw SocketErrors.handshake(e.getCause());
            }
        }
    }

    private TcpSocket secured() throws IOException {
        TcpSocket t;
        synchronized (lock) {
            t = secured;
        }
        if (t == null) {
            startHandshake();
            synchronized (lock) {
                t = secured;
            }
        }
        return t;
    }

    @Override
    public SSLSession getSession() {
        try {
            secured();
        } catch (IOException e) {
            return TlsSettings.FAILED_SESSION; // as the JDK's sockets after a failed handshake
        }
        synchronized (lock) {
            return session;
        }
    }

    @Override
    public SSLSession getHandshakeSession() {
        return null;
    }

    @Override
    public String getApplicationProtocol() {
        synchronized (lock) {
            return secured == null ? null : applicationProtocol;
        }
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return null;
    }

    @Override
    public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        listeners.add(listener);
    }

    @Override
    public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
        if (!listeners.remove(listener)) {
            throw new IllegalArgumentException("no such listener");
        }
    }

    // ------------------------------------------------------------------ TLS settings

    @Override
    public String[] getSupportedCipherSuites() {
        return settings.supportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return settings.enabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        settings.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return settings.supportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return settings.enabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        settings.setEnabledProtocols(protocols);
    }

    @Override
    public SSLParameters getSSLParameters() {
        return settings.parameters(peerHost);
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        settings.setParameters(params);
    }

    /** Client mode only: {@code false} is refused. */
    @Override
    public void setUseClientMode(boolean mode) {
        if (!mode) {
            throw new IllegalArgumentException("the socket service's SSLSocket is client mode only");
        }
    }

    @Override
    public boolean getUseClientMode() {
        return true;
    }

    /** A server-mode setting: kept, no effect in client mode (as for the JDK's sockets). */
    @Override
    public void setNeedClientAuth(boolean need) {
        settings.needClientAuth = need;
    }

    @Override
    public boolean getNeedClientAuth() {
        return settings.needClientAuth;
    }

    /** A server-mode setting: kept, no effect in client mode (as for the JDK's sockets). */
    @Override
    public void setWantClientAuth(boolean want) {
        settings.wantClientAuth = want;
    }

    @Override
    public boolean getWantClientAuth() {
        return settings.wantClientAuth;
    }

    /** {@code false} makes the handshake fail: the service always negotiates a new session. */
    @Override
    public void setEnableSessionCreation(boolean flag) {
        settings.sessionCreation = flag;
    }

    @Override
    public boolean getEnableSessionCreation() {
        return settings.sessionCreation;
    }

    // ------------------------------------------------------------------ streams

    @Override
    public InputStream getInputStream() throws IOException {
        checkConnected();
        state.checkInputNotShutdown();
        return lazy.in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        checkConnected();
        state.checkOutputNotShutdown();
        return lazy.out;
    }

    private void checkConnected() throws SocketException {
        state.checkNotClosed();
        if (!base.isConnected()) {
            throw new SocketException("Socket is not connected");
        }
    }

    /** Sends close_notify (and FIN) after what was written; the peer may go on sending. */
    @Override
    public void shutdownOutput() throws IOException {
        checkConnected();
        state.shutdownOutput(this::secured);
    }

    @Override
    public void shutdownInput() throws IOException {
        checkConnected();
        state.shutdownInput(this::secured);
    }

    @Override
    public boolean isInputShutdown() {
        return state.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return state.isOutputShutdown();
    }

    /**
     * Closes the TLS connection (close_notify, then FIN). With {@code autoClose} false (a socket
     * layered over one the caller keeps), only the TLS side is closed here; the underlying socket
     * releases the connection when it is closed itself.
     */
    @Override
    public void close() throws IOException {
        TcpSocket t;
        synchronized (lock) {
            if (!state.markClosed()) {
                return;
            }
            t = secured;
        }
        if (autoClose || base.isClosed()) {
            base.close();
        } else if (t != null) {
            t.writable().close();
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            // after a failed handshake
        }
    }

    @Override
    public boolean isClosed() {
        return state.isClosed();
    }

    // ------------------------------------------------------------------ the TCP level: the base socket

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        state.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return state.getSoTimeout();
    }

    @Override
    public boolean isConnected() {
        return base.isConnected();
    }

    @Override
    public boolean isBound() {
        return base.isBound();
    }

    @Override
    public InetAddress getInetAddress() {
        return base.getInetAddress();
    }

    @Override
    public int getPort() {
        return base.getPort();
    }

    @Override
    public InetAddress getLocalAddress() {
        return base.getLocalAddress();
    }

    @Override
    public int getLocalPort() {
        return base.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return base.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return base.getLocalSocketAddress();
    }

    @Override
    public java.nio.channels.SocketChannel getChannel() {
        return null;
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        base.bind(bindpoint);
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        base.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return base.getTcpNoDelay();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        base.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return base.getKeepAlive();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        base.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return base.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        base.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return base.getReceiveBufferSize();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        base.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return base.getSoLinger();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        base.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return base.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        base.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return base.getReuseAddress();
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        base.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return base.getOOBInline();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data is not supported by an SSLSocket");
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        // no effect, as for the JDK's sockets
    }

    @Override
    public <T> SSLSocket setOption(SocketOption<T> name, T value) throws IOException {
        base.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return base.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return base.supportedOptions();
    }

    @Override
    public String toString() {
        SSLSession s;
        synchronized (lock) {
            s = session;
        }
        return "ServiceSslSocket[" + (s == null ? "no session" : s.getCipherSuite()) + ", " + base + "]";
    }
}
