package org.rawsockets.coap.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for a condition with a deadline (never sleep-then-assert). */
final class Waits {

    private Waits() {
    }

    /** Polls {@code condition} every 10 ms until it holds; fails after {@code millis} with {@code state}. */
    static void until(long millis, String what, BooleanSupplier condition, Supplier<?> state) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not " + what + " within " + millis + " ms; now: " + state.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
        }
    }
}
