package org.rawsockets.smtp.internal;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.rawsockets.socket.SocketClosedException;

/**
 * The session's single worker thread and its bounded queue of {@value #QUEUE_LIMIT} operations. The
 * thread owns all connection state while an operation runs; it ends after 30 s without work.
 */
final class SessionWorker {

    static final int QUEUE_LIMIT = 64;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String label;
    private final AtomicBoolean closing;
    private final ThreadPoolExecutor executor;

    SessionWorker(String label, AtomicBoolean closing) {
        this.label = label;
        this.closing = closing;
        this.executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_LIMIT), r -> {
            Thread t = new Thread(r, "smtp-" + THREADS.incrementAndGet() + " " + label);
            t.setDaemon(true);
            return t;
        });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /** Queues {@code op}; a full queue or a closed session fails it at once. */
    void enqueue(Operation<?> op) {
        try {
            executor.execute(op);
        } catch (RejectedExecutionException e) {
            op.fail(rejected());
        }
    }

    /** Queues a task that is not an operation (the closing QUIT). */
    void execute(Runnable r) throws RejectedExecutionException {
        executor.execute(r);
    }

    /**
     * Takes the next queued operation if it is a send (the one to chain behind the running
     * message), or returns null.
     */
    SendTask takeNextSend() {
        Runnable head = executor.getQueue().peek();
        if (!(head instanceof SendTask next) || !executor.getQueue().remove(next)) {
            return null;
        }
        return next;
    }

    boolean queueEmpty() {
        return executor.getQueue().isEmpty();
    }

    /** No new operation is taken; the queued ones still run. */
    void shutdown() {
        executor.shutdown();
    }

    /** Interrupts the running operation; returns the queued ones, which will not run. */
    List<Runnable> shutdownNow() {
        return executor.shutdownNow();
    }

    private Exception rejected() {
        return closing.get() || executor.isShutdown()
                ? new SocketClosedException("the SMTP session to " + label + " is closed")
                : new IllegalStateException("the SMTP session to " + label + " already has " + QUEUE_LIMIT
                        + " operations queued; wait for some to complete");
    }
}
