package org.rawsockets.socket.mina.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's executor for blocking work (name resolution, binding and closing listeners,
 * deferred write flushes), shared by all bundles but fair between them.
 *
 * <p>Each key (a bundle's socket service) has a lane: at most {@code perLane} of the
 * {@code threads} threads run its tasks at once, further tasks wait in the lane's own queue of at
 * most {@code laneQueue} tasks (then {@link RejectedExecutionException}). Free threads take the
 * next task of the lanes that may run one in turn (round robin), so one bundle's hanging DNS
 * lookups hold at most {@code perLane} threads while other bundles' work goes on. Threads are
 * started on demand and end after 10 s idle. Tasks must not wait for the network (the lookups
 * themselves are the blocking work this exists for).
 */
final class FairExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(FairExecutor.class);
    private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int threads;
    private final int perLane;
    private final int laneQueue;
    private final ThreadFactory factory;

    // guarded by this
    private final Map<Object, Lane> lanes = new HashMap<>();
    private final ArrayDeque<Lane> ready = new ArrayDeque<>();
    private final List<Thread> workers = new ArrayList<>();
    private int idle;
    private boolean shutdown;

    private static final class Lane {
        final Object key;
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        int running;
        boolean inReady;

        Lane(Object key) {
            this.key = key;
        }
    }

    /**
     * @param threads threads at most
     * @param perLane threads one lane may use at once (1..threads)
     * @param laneQueue tasks waiting per lane at most
     */
    FairExecutor(int threads, int perLane, int laneQueue, ThreadFactory factory) {
        if (threads < 1 || perLane < 1 || perLane > threads || laneQueue < 1) {
            throw new IllegalArgumentException("threads " + threads + ", perLane " + perLane + ", laneQueue " + laneQueue);
        }
        this.threads = threads;
        this.perLane = perLane;
        this.laneQueue = laneQueue;
        this.factory = factory;
    }

    /** The executor of one lane. */
    Executor lane(Object key, String describe) {
        return task -> execute(key, describe, task);
    }

    /** Queues {@code task} on the lane of {@code key}. */
    void execute(Object key, String describe, Runnable task) {
        java.util.Objects.requireNonNull(task, "task");
        Thread start = null;
        synchronized (this) {
            if (shutdown) {
                throw new RejectedExecutionException("the socket service is stopping");
            }
            Lane lane = lanes.computeIfAbsent(key, Lane::new);
            // tasks the lane may start at once are not waiting, even before a thread took them
            int startable = Math.max(0, perLane - lane.running);
            if (lane.tasks.size() >= laneQueue + startable) {
                throw new RejectedExecutionException(laneQueue + " blocking tasks (name lookups, binds, closes) of "
                        + describe + " are already waiting");
            }
            lane.tasks.add(task);
            makeReady(lane);
            if (idle > 0) {
                notify();
            } else if (workers.size() < threads) {
                start = factory.newThread(this::work);
                workers.add(start);
            }
        }
        if (start != null) {
            start.start();
        }
    }

    /** Puts the lane in the round robin when it has a task and may run one more (under this). */
    private void makeReady(Lane lane) {
        if (!lane.inReady && !lane.tasks.isEmpty() && lane.running < perLane) {
            lane.inReady = true;
            ready.add(lane);
        }
    }

    private void work() {
        Thread me = Thread.currentThread();
        try {
            while (true) {
                Lane lane;
                Runnable task;
                synchronized (this) {
                    long deadline = System.nanoTime() + KEEP_ALIVE_NANOS;
                    while (ready.isEmpty()) {
                        long left = deadline - System.nanoTime();
                        if (shutdown || left <= 0) {
                            return;
                        }
                        idle++;
                        try {
                            TimeUnit.NANOSECONDS.timedWait(this, left);
                        } catch (InterruptedException e) {
                            if (shutdown) {
                                return;
                            }
                        } finally {
                            idle--;
                        }
                    }
                    lane = ready.poll();
                    lane.inReady = false;
                    task = lane.tasks.poll();
                    lane.running++;
                    makeReady(lane); // at the end of the round robin: other lanes come first
                }
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.error("blocking socket task failed", e);
                } finally {
                    Thread.interrupted(); // a stray interrupt must not hit the next task
                    synchronized (this) {
                        lane.running--;
                        makeReady(lane);
                        if (lane.running == 0 && lane.tasks.isEmpty()) {
                            lanes.remove(lane.key, lane);
                        }
                    }
                }
            }
        } finally {
            synchronized (this) {
                workers.remove(me);
                notifyAll(); // awaitTermination
            }
        }
    }

    /** Threads running tasks of {@code key} now (for tests and diagnostics). */
    synchronized int running(Object key) {
        Lane lane = lanes.get(key);
        return lane == null ? 0 : lane.running;
    }

    /** Drops the waiting tasks and interrupts the running ones. */
    void shutdownNow() {
        List<Thread> all;
        synchronized (this) {
            shutdown = true;
            for (Lane l : lanes.values()) {
                l.tasks.clear();
            }
            ready.clear();
            all = new ArrayList<>(workers);
            notifyAll();
        }
        for (Thread t : all) {
            t.interrupt();
        }
    }

    /** Waits up to {@code millis} for every thread to end; false when some are still running. */
    boolean awaitTermination(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (this) {
            while (!workers.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        }
        return true;
    }
}
