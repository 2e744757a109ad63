package org.rawsockets.socket.mina.internal.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketException;

import org.rawsockets.socket.TcpSocket;

/**
 * The state of one {@link java.net.Socket} view that its streams read on every call: closed, the
 * two half-closed sides and the read timeout ({@code soTimeout}). {@link ServiceSocket} and
 * {@link ServiceSslSocket} each keep one; the socket marks it closed under its own lock.
 */
final class ViewState implements SocketStreams.Owner {

    /** The connection a shutdown acts on (the TLS socket may run its handshake to get it). */
    interface Target {
        TcpSocket get() throws IOException;
    }

    private final Closeable socket;
    private volatile boolean closed;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private volatile int soTimeout;

    /**
     * @param socket the view, closed when one of its streams is closed
     * @param soTimeout the initial read timeout in ms (0: none)
     */
    ViewState(Closeable socket, int soTimeout) {
        this.socket = socket;
        this.soTimeout = soTimeout;
    }

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
        socket.close();
    }

    /** Marks the view closed; false when it already was. Called under the view's lock. */
    boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    void checkNotClosed() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    /** {@link java.net.Socket#setSoTimeout}: read at the start of every read, so it may change at any time. */
    void setSoTimeout(int timeout) throws SocketException {
        checkNotClosed();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeout = timeout;
    }

    int getSoTimeout() throws SocketException {
        checkNotClosed();
        return soTimeout;
    }

    void checkInputNotShutdown() throws SocketException {
        if (inputShutdown) {
            throw new SocketException("Socket input is shutdown");
        }
    }

    void checkOutputNotShutdown() throws SocketException {
        if (outputShutdown) {
            throw new SocketException("Socket output is shutdown");
        }
    }

    /** Ends the input side: a blocked or later read sees the end of the stream. */
    void shutdownInput(Target target) throws IOException {
        if (inputShutdown) {
            throw new SocketException("Socket input is already shutdown");
        }
        TcpSocket t = target.get();
        inputShutdown = true;
        t.readable().cancel();
    }

    /** Ends the output side: FIN (close_notify first for TLS) after what was written. */
    void shutdownOutput(Target target) throws IOException {
        if (outputShutdown) {
            throw new SocketException("Socket output is already shutdown");
        }
        TcpSocket t = target.get();
        outputShutdown = true;
        t.writable().close();
    }
}
