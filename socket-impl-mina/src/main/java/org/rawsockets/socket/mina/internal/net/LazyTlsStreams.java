package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.rawsockets.socket.TcpSocket;

/**
 * The streams of a {@link ServiceSslSocket}: handed out before the handshake, they start it at
 * first use and then read and write through {@link SocketStreams} over the secured connection.
 */
final class LazyTlsStreams {

    /** The TLS connection the streams run over. */
    interface Handshake {
        /** The secured connection, running the handshake first if it has not been done. */
        TcpSocket secured() throws IOException;

        /** Whether the handshake is done (without starting it). */
        boolean isSecured();
    }

    private final NetBackend backend;
    private final ViewState state;
    private final Handshake handshake;
    private final Object lock;
    private SocketStreams streams; // guarded by lock

    /** @param lock the TLS socket's lock */
    LazyTlsStreams(NetBackend backend, ViewState state, Handshake handshake, Object lock) {
        this.backend = backend;
        this.state = state;
        this.handshake = handshake;
        this.lock = lock;
    }

    private SocketStreams get() throws IOException {
        TcpSocket t = handshake.secured();
        synchronized (lock) {
            if (streams == null) {
                streams = new SocketStreams(backend, t, state);
            }
            return streams;
        }
    }

    private SocketStreams check() throws IOException {
        if (state.isClosed()) {
            throw SocketStreams.closed();
        }
        return get();
    }

    final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            return check().in().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return check().in().read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            if (!handshake.isSecured()) {
                return 0;
            }
            return get().in().available();
        }

        @Override
        public void close() throws IOException {
            state.close();
        }
    };

    final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            check().out().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check().out().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (state.isClosed()) {
                throw SocketStreams.closed();
            }
        }

        @Override
        public void close() throws IOException {
            state.close();
        }
    };
}
