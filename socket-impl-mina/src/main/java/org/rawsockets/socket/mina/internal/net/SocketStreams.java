package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
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
 * <p>Reads take the received chunks straight from the socket's receive buffer (no copy beyond
 * the one into the caller's array) with the socket's current {@code soTimeout}, re-read at every
 * call. Writes copy the caller's bytes (at most {@value #MAX_CHUNK} bytes per submitted chunk, so
 * that one large write never exceeds the buffered-bytes quota on its own) and return when the
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

    /** Whether the input holds bytes already taken from the socket but not yet read. */
    boolean hasUnread() {
        synchronized (in) {
            return in.chunk != null && in.chunk.hasRemaining();
        }
    }

    static SocketException closed() {
        return new SocketException("Socket closed");
    }

    private final class In extends InputStream {
        private ByteBuffer chunk; // guarded by this
        private boolean eof; // guarded by this

        /** Fills {@link #chunk}; false at the end of the stream. */
        private boolean fill() throws IOException {
            while (chunk == null || !chunk.hasRemaining()) {
                if (eof) {
                    return false;
                }
                ByteBuffer next = take();
                if (next == null) {
                    if (owner.isClosed()) {
                        throw closed();
                    }
                    eof = true;
                    return false;
                }
                chunk = next;
            }
            return true;
        }

        private ByteBuffer take() throws IOException {
            while (true) {
                int timeout = owner.soTimeout();
                ByteBuffer b;
                try {
                    b = backend.take(socket, timeout > 0 ? timeout : FOREVER_SLICE_MS);
                } catch (IOException e) {
                    if (owner.isClosed()) {
                        throw closed();
                    }
                    throw SocketErrors.io(e);
                }
                if (b != NetBackend.TIMED_OUT) {
                    return b;
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
                if (owner.isInputShutdown() && (chunk == null || !chunk.hasRemaining())) {
                    return -1;
                }
                return fill() ? chunk.get() & 0xff : -1;
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
                if (owner.isInputShutdown() && (chunk == null || !chunk.hasRemaining())) {
                    return -1;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, chunk.remaining());
                chunk.get(b, off, n);
                return n;
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
            long n;
            synchronized (this) {
                n = chunk == null ? 0 : chunk.remaining();
            }
            n += backend.available(socket);
            return (int) Math.min(Integer.MAX_VALUE, n);
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
                    byte[] copy = Arrays.copyOfRange(b, at, Math.min(end, at + MAX_CHUNK));
                    CompletableFuture<Void> f = socket.writable().write(ByteBuffer.wrap(copy)).toCompletableFuture();
                    await(f);
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
