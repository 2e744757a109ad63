package org.rawsockets.socket.mina.internal;

import java.util.function.IntFunction;

import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * The engine's fixed set of MINA I/O processors (each one selector and, once used, one thread);
 * a session stays on the processor it was first given (round robin by session id).
 *
 * <p>Unlike MINA's {@code SimpleIoProcessorPool}, which ignores a processor that cannot be created
 * after the first one (leaving a hole that fails sessions later) and keeps the selectors it made,
 * this pool either creates every processor or disposes those it created and throws: a failed
 * engine start (e.g. out of file descriptors) keeps no selector.
 */
final class ProcessorPool implements IoProcessor<NioSession> {

    private static final AttributeKey PROCESSOR = new AttributeKey(ProcessorPool.class, "processor");

    private final IoProcessor<NioSession>[] pool;
    private volatile boolean disposing;
    private volatile boolean disposed;

    /**
     * @param factory makes processor {@code i} (0-based); a failure disposes the ones made before
     * @throws RuntimeException what the factory threw, after the made processors were disposed
     */
    @SuppressWarnings("unchecked")
    ProcessorPool(int size, IntFunction<IoProcessor<NioSession>> factory) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, was " + size);
        }
        pool = new IoProcessor[size];
        try {
            for (int i = 0; i < size; i++) {
                pool[i] = java.util.Objects.requireNonNull(factory.apply(i), "processor");
            }
        } catch (RuntimeException | Error e) {
            dispose();
            throw e;
        }
    }

    /** NIO processors running on {@code executor} ({@link SocketProcessor}s). */
    static ProcessorPool nio(int size, java.util.concurrent.Executor executor) {
        return new ProcessorPool(size, i -> new SocketProcessor(executor));
    }

    /**
     * A service told when MINA could not initialise one of its sessions. MINA then destroys the
     * session without any event (no sessionCreated, sessionOpened or sessionClosed), so whatever
     * the service set up for it before (an accept permit) must be released here.
     */
    interface InitFailureListener {
        void initFailed(IoSession session, Throwable cause);
    }

    static void initFailed(IoSession session, Throwable cause) {
        if (session.getService() instanceof InitFailureListener l) {
            l.initFailed(session, cause);
        }
    }

    @SuppressWarnings("unchecked")
    private IoProcessor<NioSession> processor(NioSession s) {
        IoProcessor<NioSession> p = (IoProcessor<NioSession>) s.getAttribute(PROCESSOR);
        if (p == null) {
            if (disposed || disposing) {
                throw new IllegalStateException("the socket engine's I/O processors are disposed");
            }
            p = pool[(int) Math.floorMod(s.getId(), (long) pool.length)];
            IoProcessor<NioSession> old = (IoProcessor<NioSession>) s.setAttributeIfAbsent(PROCESSOR, p);
            if (old != null) {
                p = old;
            }
        }
        return p;
    }

    @Override
    public void add(NioSession session) {
        try {
            processor(session).add(session);
        } catch (RuntimeException | Error e) {
            initFailed(session, e); // e.g. the processors are disposed: the session never starts
            throw e;
        }
    }

    @Override
    public void flush(NioSession session) {
        processor(session).flush(session);
    }

    @Override
    public void write(NioSession session, WriteRequest writeRequest) {
        processor(session).write(session, writeRequest);
    }

    @Override
    public void updateTrafficControl(NioSession session) {
        processor(session).updateTrafficControl(session);
    }

    @Override
    public void remove(NioSession session) {
        processor(session).remove(session);
    }

    @Override
    public boolean isDisposing() {
        return disposing;
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    /** Disposes every processor (each closes its selector); waits for their threads to let go. */
    @Override
    public synchronized void dispose() {
        if (disposed) {
            return;
        }
        disposing = true;
        RuntimeException first = null;
        for (int i = pool.length - 1; i >= 0; i--) {
            IoProcessor<NioSession> p = pool[i];
            if (p == null) {
                continue;
            }
            try {
                p.dispose();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        disposed = true;
        if (first != null) {
            throw first;
        }
    }
}
