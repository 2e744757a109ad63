package org.rawsockets.socket;

/**
 * One result of {@link ReadableStream#read()}, as in the Streams API's {@code {value, done}}:
 * either a value, or the end of the stream.
 *
 * @param <T> the element type
 * @param value the element, {@code null} exactly when {@code done}
 * @param done {@code true} at the end of the stream: no value, and every later read is done too
 */
public record ReadResult<T>(T value, boolean done) {

    private static final ReadResult<?> DONE = new ReadResult<>(null, true);

    public ReadResult {
        if (done != (value == null)) {
            throw new IllegalArgumentException("a ReadResult has a value exactly when it is not done");
        }
    }

    /** A result carrying {@code value}. */
    public static <T> ReadResult<T> of(T value) {
        return new ReadResult<>(java.util.Objects.requireNonNull(value, "value"), false);
    }

    /** The end-of-stream result. */
    @SuppressWarnings("unchecked")
    public static <T> ReadResult<T> end() {
        return (ReadResult<T>) DONE;
    }
}
