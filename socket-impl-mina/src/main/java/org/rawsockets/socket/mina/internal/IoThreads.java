package org.rawsockets.socket.mina.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates the engine's threads and tells whether the current thread is one of them: MINA
 * processors, connectors and acceptors ("I/O"), the timer and the blocking executor's threads
 * ("resolver"). Stages are completed on all of these; a blocking view used there would wait for a
 * thread the engine needs (or hold one a bundle shares with others), so it refuses with
 * {@link IllegalStateException}.
 */
final class IoThreads implements ThreadFactory {

    /** The kind of engine thread the current thread is, or null. */
    private static final ThreadLocal<String> KIND = new ThreadLocal<>();

    private final String prefix;
    private final String kind;
    private final AtomicInteger count = new AtomicInteger();

    /**
     * @param kind what the threads are for messages ("I/O", "timer", "resolver"); null: not engine
     *            threads (blocking views may run on them)
     */
    IoThreads(String prefix, String kind) {
        this.prefix = prefix;
        this.kind = kind;
    }

    /** Whether the calling thread is a thread of a socket engine (I/O, timer, resolver). */
    static boolean isIoThread() {
        return KIND.get() != null;
    }

    /** Throws {@link IllegalStateException} when called on a thread of a socket engine. */
    static void checkNotIoThread(String what) {
        String k = KIND.get();
        if (k != null) {
            throw new IllegalStateException(what + " would block the socket " + k + " thread "
                    + Thread.currentThread().getName() + ", where the socket engine completes stages; use the"
                    + " asynchronous read()/write() stages there, or hand the blocking work to an executor of your own");
        }
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(() -> {
            if (kind != null) {
                KIND.set(kind);
            }
            r.run();
        }, prefix + "-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
