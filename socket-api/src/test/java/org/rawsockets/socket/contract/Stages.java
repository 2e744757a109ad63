package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting on {@link CompletionStage}s with a bound, and checking how they failed. */
public final class Stages {

    /** Default bound for operations that should complete promptly on loopback (a loaded CI box). */
    public static final Duration PROMPT = Duration.ofSeconds(20);

    private Stages() {
    }

    /** A CompletableFuture mirroring {@code stage} (works for stages that refuse toCompletableFuture). */
    public static <T> CompletableFuture<T> future(CompletionStage<T> stage) {
        CompletableFuture<T> f = new CompletableFuture<>();
        stage.whenComplete((v, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(v);
            }
        });
        return f;
    }

    /** Waits for {@code stage} to complete normally within {@link #PROMPT}. */
    public static <T> T await(CompletionStage<T> stage, String what) {
        return await(stage, PROMPT, what);
    }

    /** Waits for {@code stage} to complete normally within {@code limit}. */
    public static <T> T await(CompletionStage<T> stage, Duration limit, String what) {
        try {
            return future(stage).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            throw new AssertionError(what + ": expected success but failed with " + cause, cause);
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": did not complete within " + limit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + ": interrupted", e);
        }
    }

    /** Waits for {@code stage} to fail within {@code limit} and checks the failure's type. */
    public static <X extends Throwable> X awaitFailure(CompletionStage<?> stage, Class<X> type, Duration limit,
            String what) {
        Object value;
        try {
            value = future(stage).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            return assertInstanceOf(type, cause, () -> what + ": expected failure " + type.getSimpleName()
                    + " but was " + cause);
        } catch (CancellationException e) {
            return assertInstanceOf(type, e, what + ": expected " + type.getSimpleName() + " but was cancelled");
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": expected failure " + type.getSimpleName() + " within " + limit
                    + " but the stage is still pending");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + ": interrupted", e);
        }
        return fail(what + ": expected failure " + type.getSimpleName() + " but completed with " + value);
    }

    /** {@link #awaitFailure(CompletionStage, Class, Duration, String)} within {@link #PROMPT}. */
    public static <X extends Throwable> X awaitFailure(CompletionStage<?> stage, Class<X> type, String what) {
        return awaitFailure(stage, type, PROMPT, what);
    }

    /** Whether {@code stage} is still pending after {@code wait} (a bounded check that something does not happen). */
    public static boolean stillPendingAfter(CompletionStage<?> stage, Duration wait) {
        try {
            future(stage).get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return false;
        } catch (TimeoutException e) {
            return true;
        } catch (ExecutionException | CancellationException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Whether {@code stage} is done (normally or not) right now. */
    public static boolean isDone(CompletionStage<?> stage) {
        return future(stage).isDone();
    }

    /**
     * Polls {@code condition} (every 20 ms) until it holds or {@code limit} passes; for state that
     * the contract lets an implementation update asynchronously (counters, listings).
     */
    public static void eventually(String what, Duration limit, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not true within " + limit);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** The underlying cause of a future's failure. */
    public static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
