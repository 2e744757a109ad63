package org.rawsockets.socket.fuzz;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The oracles every fuzz target shares (issue 21). A target decodes one input and asks:
 * <ul>
 * <li>{@link #onlyTyped}: the only exception allowed to escape a decoder is its typed protocol error
 * (plus, over a stream, the socket API's error for a stream that ends inside a frame); anything
 * else (an {@code IndexOutOfBoundsException}, a {@code NullPointerException}, an
 * {@code OutOfMemoryError}...) is a finding.</li>
 * <li>{@link #allocation}: the bytes the decoding thread allocated for one input stay within the
 * decoder's configured maximum plus a fixed slack, whatever a length field says (measured with
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}).</li>
 * <li>{@link #noBytesLost}: the bytes a decoder framed plus the bytes it still holds plus the bytes
 * it did not read are exactly the input: no over-read beyond a frame, nothing dropped.</li>
 * <li>{@link #reencodes}: a decoded frame encodes back to the same bytes where the codec is
 * symmetric.</li>
 * </ul>
 * Plain Java and JUnit-free, so any module's test sources can use it from socket-api's test-jar
 * (no run-time coupling: test scope only). A failed oracle throws {@link AssertionError}, which
 * Jazzer reports as a finding (fuzzing) or JUnit as a failure (regression run of the corpus).
 */
public final class FuzzOracle {

    /** Bytes placed after the frame(s) under test: they must come out untouched. */
    public static final byte[] SENTINEL = {(byte) 0xA5, 0x5A, (byte) 0xC3, 0x3C, (byte) 0x99, 0x66, (byte) 0xE7, 0x18};

    /** Allocation a decode may make beyond its configured maximum (exceptions, messages, small objects). */
    public static final long SLACK = 256 * 1024;

    /**
     * While fuzzing (JAZZER_FUZZ set), Jazzer's comparison hooks copy the strings and arrays the
     * decoder compares in the decoding thread, so the budget is this many times larger; replaying the
     * corpus (the normal build, and a finding once it is an input) measures with the exact budget.
     */
    static final long FUZZING_FACTOR = System.getenv("JAZZER_FUZZ") == null || System.getenv("JAZZER_FUZZ").isEmpty()
            ? 1 : 8;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FuzzOracle() {
    }

    /** A decode step that may throw anything. */
    @FunctionalInterface
    public interface Step<T> {
        T run() throws Throwable;
    }

    /**
     * Runs {@code step}; returns its value, or null when it threw one of {@code typed} (unwrapped from
     * {@link CompletionException}/{@link ExecutionException}).
     *
     * @throws AssertionError when anything else escaped
     */
    @SafeVarargs
    public static <T> T onlyTyped(byte[] input, Step<T> step, Class<? extends Throwable>... typed) {
        try {
            return step.run();
        } catch (Throwable t) {
            Throwable c = unwrap(t);
            for (Class<? extends Throwable> k : typed) {
                if (k.isInstance(c)) {
                    return null;
                }
            }
            throw new AssertionError("an untyped " + c.getClass().getName() + " escaped the decoder for input "
                    + hex(input) + ": " + c, c);
        }
    }

    /** The typed error {@code step} threw (unwrapped), null when it returned. */
    public static Throwable typedFailure(Step<?> step) {
        try {
            step.run();
            return null;
        } catch (Throwable t) {
            return unwrap(t);
        }
    }

    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** Bytes the current thread allocated so far (monotonic). */
    public static long allocatedBytes() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /**
     * Runs {@code step} (whose typed failures the caller handles inside it; it must be repeatable: fresh
     * decoder state each time) and checks the bytes this thread allocated meanwhile are at most
     * {@code configuredMaximum + }{@link #SLACK}.
     */
    public static <T> T allocation(byte[] input, long configuredMaximum, String what, Step<T> step) {
        long before = allocatedBytes();
        T value = call(step);
        long used = allocatedBytes() - before;
        long budget = (configuredMaximum + SLACK) * FUZZING_FACTOR;
        if (used > budget) {
            // The first decode in a JVM also loads and initializes classes; a decode is deterministic,
            // so a second run of the same input measures the decode alone.
            before = allocatedBytes();
            value = call(step);
            used = allocatedBytes() - before;
            if (used > budget) {
                throw new AssertionError(what + " allocated " + used + " bytes for an input of " + input.length
                        + " bytes, over its configured maximum " + configuredMaximum + " + " + SLACK + " slack"
                        + (FUZZING_FACTOR > 1 ? " (x" + FUZZING_FACTOR + " while fuzzing)" : "") + ": " + hex(input));
            }
        }
        return value;
    }

    private static <T> T call(Step<T> step) {
        try {
            return step.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * No over-read and nothing lost: {@code framed} bytes went into frames, {@code held} are still
     * buffered by the decoder, {@code unread} were never taken from the source; together exactly the
     * input's length.
     */
    public static void noBytesLost(byte[] input, long framed, long held, long unread) {
        if (framed + held + unread != input.length) {
            throw new AssertionError("bytes lost or read twice: " + framed + " framed + " + held + " held + " + unread
                    + " unread != " + input.length + " input bytes: " + hex(input));
        }
    }

    /** The sentinel bytes after the frames came out untouched: {@code rest} ends with {@link #SENTINEL}. */
    public static void sentinelIntact(byte[] input, byte[] rest) {
        if (rest.length < SENTINEL.length
                || !Arrays.equals(rest, rest.length - SENTINEL.length, rest.length, SENTINEL, 0, SENTINEL.length)) {
            throw new AssertionError("the decoder consumed or changed the bytes after the frame (left " + hex(rest)
                    + ") for input " + hex(input));
        }
    }

    /** {@code input} followed by {@link #SENTINEL}. */
    public static byte[] withSentinel(byte[] input) {
        byte[] b = Arrays.copyOf(input, input.length + SENTINEL.length);
        System.arraycopy(SENTINEL, 0, b, input.length, SENTINEL.length);
        return b;
    }

    /** A symmetric codec: {@code encoded} must equal {@code expected}. */
    public static void reencodes(byte[] input, byte[] expected, byte[] encoded, String what) {
        if (!Arrays.equals(expected, encoded)) {
            throw new AssertionError(what + " does not re-encode to the same bytes: expected " + hex(expected)
                    + ", encoded " + hex(encoded) + " (input " + hex(input) + ")");
        }
    }

    /** The input in hex, cut at 512 bytes for messages. */
    public static String hex(byte[] b) {
        return b.length <= 512 ? HexFormat.of().formatHex(b)
                : HexFormat.of().formatHex(b, 0, 512) + "...(" + b.length + " bytes)";
    }
}
