package org.rawsockets.ssh.internal.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.future.DefaultCloseFuture;
import org.apache.sshd.common.io.AbstractIoWriteFuture;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.Readable;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.closeable.AbstractCloseable;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;

/**
 * One SSH connection on a {@link TcpSocket}.
 *
 * <ul>
 * <li><b>Writes</b>: {@link #writeBuffer} hands the packet's bytes to the socket's write stage
 * (no copy: SSHD never reuses an encoded packet buffer) and completes the {@link IoWriteFuture} with
 * that stage: once accepted under the socket's high-water mark, so a peer that does not read stalls
 * SSHD's writers (whose channel windows then bound what is in flight) instead of growing a queue.</li>
 * <li><b>Reads</b>: one {@code readInto} at a time into a reused buffer, handed to SSHD's
 * {@link IoHandler#messageReceived} on the completing thread. {@link #suspendRead()} stops issuing
 * reads, so the socket's bounded receive buffer fills and the socket stops reading from the network
 * (TCP flow control); {@link #resumeRead()} reads again.</li>
 * <li><b>Half-close</b>: {@link #shutdownOutputStream()} closes the socket's writable side (FIN after
 * what is queued). <b>Close</b>: graceful and immediate closes both close the socket (what is queued,
 * then FIN, within the socket's close timeout, else a reset); after a transport failure the socket
 * is aborted.</li>
 * </ul>
 */
final class SocketIoSession extends AbstractCloseable implements IoSession {

    /** Bytes per network read handed to SSHD (SSHD's NIO2 transport reads 32 KiB). */
    static final int READ_BUFFER_SIZE = 64 * 1024;
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final SocketIoService service;
    private final SocketAddress acceptance;
    private final IoHandler handler;
    private final TcpSocket socket;
    private final TcpOpenInfo info;
    private final Map<Object, Object> attributes = new HashMap<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_SIZE);
    private final Readable readable = Readable.readable(readBuffer);
    private final Object readLock = new Object();
    private boolean suspended;
    /** Whether {@link #startReading()} was called: before it, {@link #resumeRead()} only clears the flag. */
    private boolean started;
    /** Whether a read loop runs (a read is pending or being handled): at most one. */
    private boolean reading;
    private volatile Throwable failure;

    /**
     * @param acceptance for a connection accepted by a {@link SocketIoAcceptor}: the address it listens
     *            on; {@code null} for one this side connected
     */
    SocketIoSession(SocketIoService service, IoHandler handler, TcpSocket socket, TcpOpenInfo info, SocketAddress acceptance) {
        super(String.valueOf(info.remoteAddress()));
        this.service = service;
        this.acceptance = acceptance;
        this.handler = handler;
        this.socket = socket;
        this.info = info;
        // The peer's close or the engine closing the socket (bundle stop) ends the session too.
        socket.closed().whenComplete((v, e) -> {
            if (!isClosing()) {
                if (e != null) {
                    exceptionCaught(SocketIoService.unwrap(e));
                } else {
                    close(true);
                }
            }
        });
    }

    /** The socket this session runs on. */
    TcpSocket socket() {
        return socket;
    }

    @Override
    public long getId() {
        return id;
    }

    @Override
    public SocketAddress getAcceptanceAddress() {
        return acceptance;
    }

    @Override
    public SocketAddress getRemoteAddress() {
        return info.remoteAddress();
    }

    @Override
    public SocketAddress getLocalAddress() {
        return info.localAddress();
    }

    @Override
    public Object getAttribute(Object key) {
        synchronized (attributes) {
            return attributes.get(key);
        }
    }

    @Override
    public Object setAttribute(Object key, Object value) {
        synchronized (attributes) {
            return attributes.put(key, value);
        }
    }

    @Override
    public Object setAttributeIfAbsent(Object key, Object value) {
        synchronized (attributes) {
            return attributes.putIfAbsent(key, value);
        }
    }

    @Override
    public Object removeAttribute(Object key) {
        synchronized (attributes) {
            return attributes.remove(key);
        }
    }

    @Override
    public IoService getService() {
        return service;
    }

    @Override
    public IoWriteFuture writeBuffer(Buffer buffer) throws IOException {
        WriteFuture future = new WriteFuture(this);
        if (isClosing()) {
            future.failed(new ClosedChannelException());
            return future;
        }
        ByteBuffer bytes = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
        CompletableFuture<Void> written;
        try {
            written = socket.writable().write(bytes).toCompletableFuture();
        } catch (RuntimeException e) {
            future.failed(e);
            return future;
        }
        written.whenComplete((v, e) -> {
            if (e == null) {
                future.written();
            } else {
                Throwable t = SocketIoService.unwrap(e);
                future.failed(t);
                exceptionCaught(t);
            }
        });
        return future;
    }

    @Override
    public void shutdownOutputStream() throws IOException {
        socket.writable().close();
    }

    @Override
    public void suspendRead() {
        synchronized (readLock) {
            suspended = true;
        }
    }

    @Override
    public void resumeRead() {
        synchronized (readLock) {
            suspended = false;
            if (!started || reading) {
                return; // not started yet, or the running loop sees the flag
            }
            reading = true;
        }
        readLoop();
    }

    /** Starts reading once the handler has the session (unless it suspended reading in {@code sessionCreated}). */
    void startReading() {
        synchronized (readLock) {
            started = true;
            if (suspended || reading) {
                return;
            }
            reading = true;
        }
        readLoop();
    }

    /**
     * Reads until a read is pending (continued from its completion) or reading is suspended. Reads
     * that complete at once are handled in this loop rather than recursively. Called with
     * {@code reading} set by the caller, so one loop runs at a time.
     */
    private void readLoop() {
        while (true) {
            synchronized (readLock) {
                if (suspended || isClosing()) {
                    reading = false;
                    return;
                }
                reading = true;
            }
            CompletableFuture<Integer> read;
            try {
                read = socket.readable().readInto(readBuffer.clear(), 1).toCompletableFuture();
            } catch (RuntimeException e) {
                readEnded();
                exceptionCaught(e);
                return;
            }
            if (!read.isDone()) {
                // completed later on an I/O thread of the socket engine: handled on a transport thread
                read.whenCompleteAsync((n, e) -> {
                    if (handleRead(n, e)) {
                        readLoop();
                    }
                }, service.handlerThreads);
                return;
            }
            if (!handleRead(read.getNow(null), read.isCompletedExceptionally() ? failureOf(read) : null)) {
                return;
            }
        }
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** @return whether to read on */
    private boolean handleRead(Integer n, Throwable e) {
        if (e != null) {
            readEnded();
            exceptionCaught(SocketIoService.unwrap(e));
            return false;
        }
        if (n == null || n < 0) {
            // The peer closed the connection: SSH has no use for a half-open connection.
            readEnded();
            close(true);
            return false;
        }
        readBuffer.flip();
        try {
            handler.messageReceived(this, readable);
        } catch (Throwable t) {
            readEnded();
            exceptionCaught(t);
            return false;
        }
        return !isClosing();
    }

    private void readEnded() {
        synchronized (readLock) {
            reading = false;
        }
    }

    void exceptionCaught(Throwable t) {
        if (isClosing()) {
            return;
        }
        failure = t;
        try {
            handler.exceptionCaught(this, t);
        } catch (Throwable ignored) {
            // the handler's own failure changes nothing: the session closes
        }
        close(true);
    }

    @Override
    protected CloseFuture doCloseGracefully() {
        DefaultCloseFuture done = new DefaultCloseFuture(toString(), futureLock);
        socket.close().whenComplete((v, e) -> done.setClosed());
        return done;
    }

    @Override
    protected void doCloseImmediately() {
        Throwable t = failure;
        if (t != null) {
            socket.writable().abort(t);
        } else {
            socket.close();
        }
        service.sessionClosed(this);
        super.doCloseImmediately();
        try {
            handler.sessionClosed(this);
        } catch (Throwable ignored) {
            // closing anyway
        }
        synchronized (attributes) {
            attributes.clear();
        }
    }

    @Override
    public String toString() {
        return "SocketIoSession[" + info.localAddress() + " -> " + info.remoteAddress() + "]";
    }

    /** An {@link IoWriteFuture} completed by the socket's write stage. */
    static final class WriteFuture extends AbstractIoWriteFuture {
        WriteFuture(Object id) {
            super(id, null);
        }

        void written() {
            setValue(Boolean.TRUE);
        }

        void failed(Throwable t) {
            setValue(t);
        }
    }
}
