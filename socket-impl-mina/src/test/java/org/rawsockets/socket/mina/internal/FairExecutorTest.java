package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FairExecutorTest {

    private final CountDownLatch gate = new CountDownLatch(1);
    private FairExecutor executor;

    @AfterEach
    void stop() throws InterruptedException {
        gate.countDown();
        if (executor != null) {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(5000), "threads ended");
        }
    }

    private Runnable blocked(AtomicInteger running, AtomicInteger max, CountDownLatch done) {
        return () -> {
            max.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                gate.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
                done.countDown();
            }
        };
    }

    static void waitFor(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void oneLaneHoldsAtMostItsShareAndQueuesBoundedly() throws Exception {
        executor = new FairExecutor(4, 2, 3, new IoThreads("fair-test", "resolver"));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        CountDownLatch aDone = new CountDownLatch(5);
        for (int i = 0; i < 5; i++) {
            executor.execute("A", "bundle A", blocked(running, max, aDone));
        }
        // the executor counts a task as running before the task's own first line: wait for both
        waitFor(() -> executor.running("A") == 2 && running.get() == 2, "two tasks of A running");
        RejectedExecutionException full = assertThrows(RejectedExecutionException.class,
                () -> executor.execute("A", "bundle A", () -> { }));
        assertTrue(full.getMessage().contains("3 blocking tasks") && full.getMessage().contains("bundle A"),
                full.getMessage());

        // another lane runs at once on a free thread
        CountDownLatch b = new CountDownLatch(1);
        executor.execute("B", "bundle B", b::countDown);
        assertTrue(b.await(5, TimeUnit.SECONDS), "B's task ran while A's hang");
        assertEquals(2, max.get(), "A's tasks running at once");

        gate.countDown();
        assertTrue(aDone.await(10, TimeUnit.SECONDS), "A's queued tasks ran after the gate opened");
        assertEquals(2, max.get(), "A's tasks running at once");
    }

    @Test
    void lanesTakeTurns() throws Exception {
        executor = new FairExecutor(1, 1, 10, new IoThreads("fair-test", "resolver"));
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(4);
        executor.execute("A", "A", () -> {
            order.add("A1");
            started.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            all.countDown();
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        for (String t : new String[] { "A2", "A3" }) {
            executor.execute("A", "A", () -> {
                order.add(t);
                all.countDown();
            });
        }
        executor.execute("B", "B", () -> {
            order.add("B1");
            all.countDown();
        });
        gate.countDown();
        assertTrue(all.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("A1", "B1", "A2", "A3"), order);
    }

    @Test
    void threadsAreEngineThreadsAndShutdownRejects() throws Exception {
        executor = new FairExecutor(2, 1, 10, new IoThreads("fair-test", "resolver"));
        CountDownLatch ran = new CountDownLatch(1);
        boolean[] engineThread = new boolean[1];
        executor.execute("A", "A", () -> {
            engineThread[0] = IoThreads.isIoThread();
            ran.countDown();
        });
        assertTrue(ran.await(5, TimeUnit.SECONDS));
        assertTrue(engineThread[0], "blocking views must refuse to run on the executor's threads");
        executor.shutdownNow();
        assertThrows(RejectedExecutionException.class, () -> executor.execute("A", "A", () -> { }));
        assertTrue(executor.awaitTermination(5000));
    }
}
