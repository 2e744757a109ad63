package org.rawsockets.ssh.e2e;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.rawsockets.ssh.SshException;

/** Waiting helpers shared by the SSH tests (deadlines, never sleep-then-assert). */
final class TestSockets {

    private TestSockets() {
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /** The stage's failure, which must be an {@link SshException}, within {@code limit}. */
    static SshException failure(CompletionStage<?> stage, Duration limit) throws Exception {
        try {
            Object v = stage.toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected an SshException, got " + v);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SshException s) {
                return s;
            }
            throw new AssertionError("expected an SshException, got " + e.getCause(), e.getCause());
        }
    }

    static void waitUntil(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        waitUntil(() -> what, limit, condition);
    }

    /** {@code what} is asked only on failure (e.g. a peer's log as it is then). */
    static void waitUntil(java.util.function.Supplier<String> what, Duration limit, BooleanSupplier condition)
            throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + limit + ": " + what.get());
            }
            Thread.sleep(20);
        }
    }

    /** Live threads whose name contains {@code part}. */
    static java.util.List<String> threads(String part) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.contains(part)).toList();
    }
}
