package org.rawsockets.ssh.internal.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoReadFuture;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * The transport of a session through a bastion ({@code ProxyJump}): the bytes of the inner SSH
 * connection travel in a {@code direct-tcpip} channel of the bastion's session, never in a socket or
 * a local listener of the gateway.
 *
 * <ul>
 * <li><b>Writes</b> go to the channel's async input one at a time (SSHD allows one pending write per
 * channel stream), each packet copied first (the channel stream sends it later, in window-sized
 * chunks, and the inner session's buffer may change by then: without the copy the bastion saw
 * malformed channel data); the packets queued behind it are what the inner session's own channel windows let
 * it send, as with SSHD's NIO2 write queue. A write completes when the bastion channel's window
 * took it, so a slow target stalls the inner session.</li>
 * <li><b>Reads</b> are one at a time into a reused 32 KiB buffer; {@link #suspendRead()} stops them,
 * so the bastion channel's window is not opened again and the target stops sending.</li>
 * <li>{@link #shutdownOutputStream()} sends EOF; closing closes the channel.</li>
 * </ul>
 */
final class ChannelIoSession extends AbstractCloseable implements IoSession {

    static final int READ_BUFFER_SIZE = 32 * 1024;
    private static final AtomicLong IDS = new AtomicLong(1L << 40);

    private final long id = IDS.incrementAndGet();
    private final SocketIoService service;
    private final IoHandler handler;
    private final ChannelDirectTcpip channel;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final Map<Object, Object> attributes = new HashMap<>();
    private final ByteArrayBuffer readBuffer = new ByteArrayBuffer(READ_BUFFER_SIZE, false);
    private final Object lock = new Object();
    private final ArrayDeque<Pending> writes = new ArrayDeque<>();
    private boolean writing;
    private boolean suspended;
    private boolean started;
    private boolean reading;

    private record Pending(Buffer buffer, SocketIoSession.WriteFuture future) {
    }

    ChannelIoSession(SocketIoService service, IoHandler handler, ChannelDirectTcpip channel, SocketAddress local,
            SocketAddress remote) {
        super(String.valueOf(remote));
        this.service = service;
        this.handler = handler;
        this.channel = channel;
        this.local = local;
        this.remote = remote;
        channel.addCloseFutureListener(f -> close(true));
    }

    @Override
    public long getId() {
        return id;
    }

    @Override
    public SocketAddress getAcceptanceAddress() {
        return null;
    }

    @Override
    public SocketAddress getRemoteAddress() {
        return remote;
    }

    @Override
    public SocketAddress getLocalAddress() {
        return local;
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
        SocketIoSession.WriteFuture future = new SocketIoSession.WriteFuture(this);
        if (isClosing()) {
            future.failed(new ClosedChannelException());
            return future;
        }
        synchronized (lock) {
            writes.add(new Pending(new ByteArrayBuffer(buffer.getCompactData()), future));
            if (writing) {
                return future;
            }
            writing = true;
        }
        drainWrites();
        return future;
    }

    /** Writes the queued packets one after the other (a loop while they complete at once). */
    private void drainWrites() {
        while (true) {
            Pending p;
            synchronized (lock) {
                p = writes.peek();
                if (p == null) {
                    writing = false;
                    return;
                }
            }
            IoWriteFuture w;
            try {
                w = channel.getAsyncIn().writeBuffer(p.buffer());
            } catch (IOException | RuntimeException e) {
                failWrites(e);
                return;
            }
            if (!w.isDone()) {
                w.addListener(done -> {
                    if (written(p, done)) {
                        drainWrites();
                    }
                });
                return;
            }
            if (!written(p, w)) {
                return;
            }
        }
    }

    private boolean written(Pending p, IoWriteFuture w) {
        if (!w.isWritten()) {
            Throwable t = w.getException() != null ? w.getException() : new ClosedChannelException();
            failWrites(t);
            return false;
        }
        synchronized (lock) {
            writes.poll();
        }
        p.future().written();
        return true;
    }

    private void failWrites(Throwable t) {
        java.util.List<Pending> failed;
        synchronized (lock) {
            failed = java.util.List.copyOf(writes);
            writes.clear();
            writing = false;
        }
        failed.forEach(p -> p.future().failed(t));
        exceptionCaught(t);
    }

    @Override
    public void shutdownOutputStream() throws IOException {
        channel.getAsyncIn().close(false);
    }

    @Override
    public void suspendRead() {
        synchronized (lock) {
            suspended = true;
        }
    }

    @Override
    public void resumeRead() {
        synchronized (lock) {
            suspended = false;
            if (!started || reading) {
                return;
            }
            reading = true;
        }
        readLoop();
    }

    void startReading() {
        synchronized (lock) {
            started = true;
            if (suspended || reading) {
                return;
            }
            reading = true;
        }
        readLoop();
    }

    /** Like {@link SocketIoSession}'s: one read at a time, completed reads handled in the loop. */
    private void readLoop() {
        while (true) {
            synchronized (lock) {
                if (suspended || isClosing()) {
                    reading = false;
                    return;
                }
            }
            readBuffer.clear();
            IoReadFuture read;
            try {
                read = channel.getAsyncOut().read(readBuffer);
            } catch (RuntimeException e) {
                readEnded();
                exceptionCaught(e);
                return;
            }
            if (!read.isDone()) {
                read.addListener(r -> {
                    if (handleRead(r)) {
                        readLoop();
                    }
                });
                return;
            }
            if (!handleRead(read)) {
                return;
            }
        }
    }

    private boolean handleRead(IoReadFuture r) {
        Throwable e = r.getException();
        if (e != null) {
            readEnded();
            if (e instanceof EOFException) {
                close(true); // the target (or the bastion) closed the connection
            } else {
                exceptionCaught(e);
            }
            return false;
        }
        try {
            handler.messageReceived(this, readBuffer);
        } catch (Throwable t) {
            readEnded();
            exceptionCaught(t);
            return false;
        }
        return !isClosing();
    }

    private void readEnded() {
        synchronized (lock) {
            reading = false;
        }
    }

    void exceptionCaught(Throwable t) {
        if (isClosing()) {
            return;
        }
        try {
            handler.exceptionCaught(this, t);
        } catch (Throwable ignored) {
            // closing anyway
        }
        close(true);
    }

    @Override
    protected void doCloseImmediately() {
        channel.close(false); // SSH_MSG_CHANNEL_CLOSE to the bastion: it closes its connection to the target
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
        return "ChannelIoSession[" + channel + " -> " + remote + "]";
    }
}
