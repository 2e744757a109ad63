package org.rawsockets.irc.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's one logical thread: its tasks run one at a time, in the order they were given, each
 * seeing what the ones before it did. Where a task runs:
 * <ul>
 * <li>{@link #execute} (completions of the socket, timers, internal hand-overs): on the actor's own
 * thread, never on the thread that gave it — so no client work runs on the socket engine's I/O
 * threads;</li>
 * <li>{@link #runHere} (a caller's command: a message, a join, a query): on the caller's thread at
 * once when the actor is idle — no hand-over to another thread, no wake-up — followed by what was
 * queued meanwhile up to {@value #INLINE_BUDGET} tasks (the rest goes to the actor's thread); queued
 * behind the running task otherwise.</li>
 * </ul>
 * A timer's task ({@link #schedule}) is handed to {@link #execute} when it is due; cancelling it on
 * the actor means it does not run, also when it was due and waiting in the queue. A task's exception
 * is logged and does not stop the actor. After {@link #shutdownNow} every task is refused with
 * {@link RejectedExecutionException}.
 */
final class Actor implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(Actor.class);

    /** Tasks a caller's thread runs after its own before it hands the rest to the actor's thread. */
    static final int INLINE_BUDGET = 16;

    private final ScheduledThreadPoolExecutor thread;
    private final String label;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    /** A drain holds the actor (guarded by this); the queue is empty whenever this is false. */
    private boolean running;
    private boolean shutdown;
    /** The thread draining now, or null (set by the drainer; cleared under the lock as it ends). */
    private volatile Thread owner;

    Actor(ThreadFactory threads, String label) {
        this.thread = new ScheduledThreadPoolExecutor(1, threads);
        this.thread.setRemoveOnCancelPolicy(true);
        this.label = label;
    }

    /** Whether the calling thread is running the actor's tasks now. */
    boolean inActor() {
        return owner == Thread.currentThread();
    }

    /** Runs {@code task} on the actor's thread, after every task given before it. */
    @Override
    public void execute(Runnable task) {
        if (queued(task)) {
            handOver();
        }
    }

    /**
     * Runs {@code task} on the calling thread now when the actor is idle (then what was queued
     * meanwhile, up to a budget), else queues it behind the running task.
     */
    void runHere(Runnable task) {
        if (queued(task)) {
            drain(INLINE_BUDGET + 1);
        }
    }

    /** Queues {@code task}; true when the actor was idle, so that the caller starts it running. */
    private synchronized boolean queued(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("the IRC client " + label + " is closed");
        }
        queue.add(task);
        if (running) {
            return false;
        }
        running = true;
        return true;
    }

    private void handOver() {
        try {
            thread.execute(() -> drain(Integer.MAX_VALUE));
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                running = false;
                queue.clear();
            }
        }
    }

    /** Runs up to {@code budget} queued tasks on this thread; hands the rest to the actor's thread. */
    private void drain(int budget) {
        owner = Thread.currentThread();
        for (int n = 0;; n++) {
            Runnable r;
            synchronized (this) {
                r = queue.poll();
                if (r == null || n == budget) {
                    // cleared under the lock, before another thread can take the actor and set it
                    owner = null;
                    if (r == null) {
                        running = false;
                    } else {
                        queue.addFirst(r);
                        handOver();
                    }
                    return;
                }
            }
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                LOG.warn("IRC network {}: a task of the client failed: {}", label, e.toString(), e);
            }
        }
    }

    /** Hands {@code task} to {@link #execute} after {@code delay}; see the class comment on cancelling. */
    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        Timer t = new Timer(false);
        t.future = thread.schedule(() -> submitDue(t, task), delay, unit);
        return t;
    }

    /** Hands {@code task} to {@link #execute} every {@code delay} after the last one ran. */
    ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long initialDelay, long delay, TimeUnit unit) {
        Timer t = new Timer(true);
        t.future = thread.scheduleWithFixedDelay(() -> submitDue(t, task), initialDelay, delay, unit);
        return t;
    }

    private void submitDue(Timer t, Runnable task) {
        try {
            execute(() -> {
                if (!t.cancelled) {
                    try {
                        task.run();
                    } finally {
                        t.ran = !t.periodic;
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // closed meanwhile: nothing is due any more
        }
    }

    /** Tasks waiting (not the running one). */
    synchronized int queued() {
        return queue.size();
    }

    /** Refuses new tasks, drops the queued ones and stops the actor's thread and timers. */
    void shutdownNow() {
        synchronized (this) {
            shutdown = true;
            queue.clear();
        }
        thread.shutdownNow();
    }

    /**
     * A timer's handle: cancelling it on the actor keeps the task from running even when it is due;
     * a one-shot timer is done when its task ran on the actor (not when it was handed over).
     */
    private static final class Timer implements ScheduledFuture<Object> {
        final boolean periodic;
        volatile ScheduledFuture<?> future;
        volatile boolean cancelled;
        volatile boolean ran;

        Timer(boolean periodic) {
            this.periodic = periodic;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            cancelled = true;
            return future.cancel(false);
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled || ran;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return future.getDelay(unit);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public Object get() throws InterruptedException, ExecutionException {
            future.get();
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException,
                TimeoutException {
            future.get(timeout, unit);
            return null;
        }
    }
}
