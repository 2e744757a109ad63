package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.rawsockets.socket.TcpSocket;

/**
 * The blocking {@link InputStream}/{@link OutputStream} of a {@link java.net.Socket} view over one
 * {@link TcpSocket} (for a TLS socket: the upgraded one).
 *
 * <p>Reads copy the received bytes straight from the socket's receive buffer into the caller's
 * array (nothing is held here) with the socket's current {@code soTimeout}, re-read at every
 * call. Writes copy the caller's bytes into pooled buffers (at most {@value #MAX_CHUNK} bytes per
 * submitted chunk, so that one large write never exceeds the buffered-bytes quota on its own) and return when the
 * socket accepted them under its high-water mark; the service then hands them to the operating
 * system as fast as the peer takes them, so {@code flush()} has nothing to do.
 *
 * <p>A blocked read or write waits in slices of at most {@value #SLICE_MS} ms and re-checks
 * whether the socket was closed meanwhile, so a {@code close()} from another thread ends it at
 * once (the read is also woken directly: closing cancels the receive buffer).
 */
final class SocketStreams {

    /** Largest chunk handed to the socket per submitted write. */
    static final int MAX_CHUNK = 64 * 1024;
    /** Longest single wait before a blocked call re-checks the socket's state. */
    static final long SLICE_MS = 100;
    /** Longest single take for an infinite read timeout (re-armed while nothing arrives). */
    private static final long FOREVER_SLICE_MS = 60_000;

    /** What the streams need from their socket. */
    interface Owner {
        int soTimeout();

        boolean isClosed();

        boolean isInputShutdown();

        boolean isOutputShutdown();

        /** Closing either stream closes the socket, as with the JDK's sockets. */
        void close() throws IOException;

        /** Called before every read or write (the TLS socket starts its handshake here). */
        default void beforeIo() throws IOException {
        }
    }

    private final NetBackend backend;
    private final TcpSocket socket;
    private final Owner owner;
    private final In in = new In();
    private final Out out = new Out();

    SocketStreams(NetBackend backend, TcpSocket socket, Owner owner) {
        this.backend = backend;
        this.socket = socket;
        this.owner = owner;
    }

    InputStream in() {
        return in;
    }

    OutputStream out() {
        return out;
    }

    /** Whether the socket holds received bytes not yet read. */
    boolean hasUnread() {
        return backend.available(socket) > 0;
    }

    static SocketException closed() {
        return new SocketException("Socket closed");
    }

    private final class In extends InputStream {
        private final byte[] one = new byte[1]; // guarded by this
        private boolean eof; // guarded by this

        /** Copies received bytes into {@code b}, waiting with the socket's soTimeout; -1 at the end. */
        private int take(byte[] b, int off, int len) throws IOException {
            if (eof) {
                return -1;
            }
            while (true) {
                int timeout = owner.soTimeout();
                int n;
                try {
                    n = backend.read(socket, b, off, len, timeout > 0 ? timeout : FOREVER_SLICE_MS);
                } catch (IOException e) {
                    if (owner.isClosed()) {
                        throw closed();
                    }
                    throw SocketErrors.io(e);
                }
                if (n == -1) {
                    if (owner.isClosed()) {
                        throw closed();
                    }
                    eof = true;
                    return -1;
                }
                if (n != NetBackend.TIMED_OUT) {
                    return n;
                }
                if (owner.isClosed()) {
                    throw closed();
                }
                if (timeout > 0) {
                    throw new SocketTimeoutException("Read timed out: nothing received within " + timeout
                            + " ms (soTimeout) from " + socket.info().destination());
                }
            }
        }

        private void check() throws IOException {
            if (owner.isClosed()) {
                throw closed();
            }
            owner.beforeIo();
        }

        @Override
        public int read() throws IOException {
            check();
            synchronized (this) {
                if (owner.isInputShutdown()) {
                    return -1;
                }
                return take(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            check();
            if (len == 0) {
                return 0;
            }
            synchronized (this) {
                if (owner.isInputShutdown()) {
                    return -1;
                }
                return take(b, off, len);
            }
        }

        @Override
        public int available() throws IOException {
            if (owner.isClosed()) {
                throw closed();
            }
            if (owner.isInputShutdown()) {
                return 0;
            }
            return (int) Math.min(Integer.MAX_VALUE, backend.available(socket));
        }

        @Override
        public void close() throws IOException {
            owner.close();
        }
    }

    private final class Out extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            check();
            backend.checkNotIoThread("Socket OutputStream.write");
            if (len == 0) {
                return;
            }
            synchronized (this) {
                int end = off + len;
                for (int at = off; at < end; at += MAX_CHUNK) {
                    await(backend.write(socket, b, at, Math.min(end - at, MAX_CHUNK)).toCompletableFuture());
                }
            }
        }

        private void check() throws IOException {
            if (owner.isClosed()) {
                throw closed();
            }
            if (owner.isOutputShutdown()) {
                throw new SocketException("Socket output is shutdown");
            }
            owner.beforeIo();
        }

        private void await(CompletableFuture<Void> f) throws IOException {
            while (true) {
                try {
                    f.get(SLICE_MS, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    if (owner.isClosed()) {
                        throw closed();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("Socket OutputStream.write interrupted");
                } catch (ExecutionException e) {
                    if (owner.isClosed()) {
                        throw closed();
                    }
                    throw SocketErrors.io(e.getCause());
                }
            }
        }

        @Override
        public void flush() throws IOException {
            if (owner.isClosed()) {
                throw closed();
            }
        }

        @Override
        public void close() throws IOException {
            owner.close();
        }
    }
}
