package org.rawsockets.socket.mina.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates the engine's threads and tells whether the current thread is one of its I/O threads
 * (MINA processors, connectors, acceptors), on which blocking views must not wait.
 */
final class IoThreads implements ThreadFactory {

    private static final ThreadLocal<Boolean> IO = new ThreadLocal<>();

    private final String prefix;
    private final boolean io;
    private final AtomicInteger count = new AtomicInteger();

    IoThreads(String prefix, boolean io) {
        this.prefix = prefix;
        this.io = io;
    }

    /** Whether the calling thread is an I/O thread of a socket engine. */
    static boolean isIoThread() {
        return Boolean.TRUE.equals(IO.get());
    }

    /** Throws {@link IllegalStateException} when called on an I/O thread. */
    static void checkNotIoThread(String what) {
        if (isIoThread()) {
            throw new IllegalStateException(what + " would block the socket I/O thread "
                    + Thread.currentThread().getName()
                    + "; use the asynchronous read()/write() stages on I/O threads, or hand the work to another executor");
        }
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(() -> {
            if (io) {
                IO.set(Boolean.TRUE);
            }
            r.run();
        }, prefix + "-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
