package org.rawsockets.irc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client's actor: one task at a time, in order; a caller's command on its own thread when idle. */
class ActorTest {

    private final Actor actor = new Actor(r -> {
        Thread t = new Thread(r, "actor-test");
        t.setDaemon(true);
        return t;
    }, "test");

    @AfterEach
    void stop() {
        actor.shutdownNow();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(1);
        }
    }

    /** Holds the actor's own thread until the returned latch is counted down. */
    private CountDownLatch holdActorThread() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        actor.execute(() -> {
            held.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(held.await(10, TimeUnit.SECONDS), "the actor's thread took the holding task");
        return release;
    }

    @Test
    void aCommandOnAnIdleActorRunsOnTheCallersThread() {
        AtomicReference<Thread> ran = new AtomicReference<>();
        AtomicBoolean inside = new AtomicBoolean();
        actor.runHere(() -> {
            ran.set(Thread.currentThread());
            inside.set(actor.inActor());
        });
        assertSame(Thread.currentThread(), ran.get(), "ran at once, on the caller's thread");
        assertTrue(inside.get(), "inActor() inside the task");
        assertFalse(actor.inActor(), "inActor() after it");
    }

    @Test
    void executeNeverRunsOnTheGivingThread() throws Exception {
        AtomicReference<Thread> ran = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        actor.execute(() -> {
            ran.set(Thread.currentThread());
            done.countDown();
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals("actor-test", ran.get().getName());
    }

    @Test
    void aCommandWhileTheActorIsBusyWaitsBehindAndRunsOnTheActorsThread() throws Exception {
        CountDownLatch release = holdActorThread();
        AtomicReference<Thread> ran = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        actor.runHere(() -> {
            ran.set(Thread.currentThread());
            done.countDown();
        });
        assertEquals(1, done.getCount(), "queued, not run, while the actor is busy");
        release.countDown();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertNotSame(Thread.currentThread(), ran.get());
        assertEquals("actor-test", ran.get().getName());
    }

    @Test
    void tasksQueuedByAnInlineTaskRunInOrderAndTheCallerHandsOverBeyondItsBudget() throws Exception {
        int more = Actor.INLINE_BUDGET + 20;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(more);
        actor.runHere(() -> {
            for (int i = 0; i < more; i++) {
                int n = i;
                actor.execute(() -> {
                    order.add(n);
                    threads.add(Thread.currentThread());
                    done.countDown();
                });
            }
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < more; i++) {
            assertEquals(i, order.get(i), "order");
        }
        for (int i = 0; i < Actor.INLINE_BUDGET; i++) {
            assertSame(Thread.currentThread(), threads.get(i), "task " + i + " on the caller's thread (budget)");
        }
        for (int i = Actor.INLINE_BUDGET; i < more; i++) {
            assertEquals("actor-test", threads.get(i).getName(), "task " + i + " handed to the actor's thread");
        }
    }

    @Test
    void tasksFromManyThreadsNeverOverlapAndKeepEachGiversOrder() throws Exception {
        int givers = 4;
        int each = 20_000;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        int[] last = new int[givers];
        java.util.Arrays.fill(last, -1);
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger notOwner = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int g = 0; g < givers; g++) {
            int giver = g;
            threads.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    int n = i;
                    Runnable task = () -> {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        if (!actor.inActor()) {
                            notOwner.incrementAndGet();
                        }
                        if (last[giver] != n - 1) {
                            outOfOrder.incrementAndGet();
                        }
                        last[giver] = n;
                        ran.incrementAndGet();
                        inside.decrementAndGet();
                    };
                    if (n % 2 == 0) {
                        actor.runHere(task);
                    } else {
                        actor.execute(task);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(10_000);
        }
        await(() -> ran.get() == givers * each, "all " + givers * each + " tasks ran (" + ran.get() + ")");
        assertEquals(0, overlaps.get(), "two tasks ran at once");
        assertEquals(0, outOfOrder.get(), "a giver's tasks ran out of order");
        assertEquals(0, notOwner.get(), "inActor() false inside a task (the owner cleared by a drain that ended)");
    }

    /** Holds the actor with a caller's command on another thread until the returned latch is counted down. */
    private CountDownLatch holdFromACaller() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread caller = new Thread(() -> actor.runHere(() -> {
            held.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), "caller");
        caller.setDaemon(true);
        caller.start();
        assertTrue(held.await(10, TimeUnit.SECONDS), "the caller holds the actor");
        return release;
    }

    @Test
    void aTimerCancelledWhileItsDueTaskWaitsInTheQueueDoesNotRun() throws Exception {
        CountDownLatch release = holdFromACaller();
        AtomicBoolean ran = new AtomicBoolean();
        ScheduledFuture<?> timer = actor.schedule(() -> ran.set(true), 1, TimeUnit.MILLISECONDS);
        await(() -> actor.queued() == 1, "the due timer's task waits in the actor's queue");
        assertFalse(timer.isDone(), "due but not run: not done");
        timer.cancel(false);
        assertTrue(timer.isDone());
        release.countDown();
        CountDownLatch after = new CountDownLatch(1);
        actor.execute(after::countDown);
        assertTrue(after.await(10, TimeUnit.SECONDS));
        assertFalse(ran.get(), "a cancelled timer's task ran");
    }

    @Test
    void aOneShotTimerIsDoneWhenItsTaskRanAndAPeriodicOneRepeats() throws Exception {
        CountDownLatch once = new CountDownLatch(1);
        ScheduledFuture<?> timer = actor.schedule(once::countDown, 1, TimeUnit.MILLISECONDS);
        assertTrue(once.await(10, TimeUnit.SECONDS));
        await(timer::isDone, "done after its task ran");
        CountDownLatch thrice = new CountDownLatch(3);
        ScheduledFuture<?> periodic = actor.scheduleWithFixedDelay(thrice::countDown, 1, 1, TimeUnit.MILLISECONDS);
        assertTrue(thrice.await(10, TimeUnit.SECONDS));
        assertFalse(periodic.isDone());
        periodic.cancel(false);
        assertTrue(periodic.isDone());
    }

    @Test
    void aFailingTaskDoesNotStopTheActor() throws Exception {
        actor.runHere(() -> {
            throw new IllegalStateException("a task's bug");
        });
        CountDownLatch done = new CountDownLatch(1);
        actor.execute(() -> {
            throw new IllegalStateException("another task's bug");
        });
        actor.execute(done::countDown);
        assertTrue(done.await(10, TimeUnit.SECONDS));
        // the actor's thread may still be finishing its drain: the command runs here or there, but runs
        CountDownLatch ran = new CountDownLatch(1);
        actor.runHere(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS), "a command after the failures ran");
    }

    @Test
    void afterShutdownEveryTaskIsRefusedAndQueuedOnesAreDropped() throws Exception {
        CountDownLatch release = holdActorThread();
        AtomicBoolean queuedRan = new AtomicBoolean();
        actor.execute(() -> queuedRan.set(true));
        actor.shutdownNow();
        release.countDown();
        assertThrows(RejectedExecutionException.class, () -> actor.execute(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> actor.runHere(() -> { }));
        assertEquals(0, actor.queued());
        assertFalse(queuedRan.get());
    }
}
