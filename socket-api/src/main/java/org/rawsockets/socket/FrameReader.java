package org.rawsockets.socket;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Framing over a {@link TcpReadable}, the two forms almost every protocol needs: a frame of a known
 * length ({@link #readExactly}: a header, a length-prefixed body) and a frame ended by a delimiter
 * ({@link #readUntil}: a CRLF line), with a maximum length. Transport-neutral: it only uses
 * {@link TcpReadable#readInto(ByteBuffer, int)}, into its own buffer of a fixed, bounded size.
 *
 * <pre>{@code
 * FrameReader frames = new FrameReader(socket.readable(), 8192, Duration.ofSeconds(30));
 * frames.readUntil(FrameReader.CRLF, 512).thenAccept(r -> { if (!r.done()) handleLine(r.value()); });
 * // a message of several lines (e.g. an SMTP reply): lines until the handler has one
 * frames.readFrames(FrameReader.CRLF, 512, line -> parser.add(line)).thenAccept(reply -> ...);
 * }</pre>
 *
 * <ul>
 * <li><b>One consumer.</b> The reader locks the readable to {@code readInto} (see
 * {@link ReadableStream}); read the stream only through this reader from then on. One operation may
 * be pending at a time: a second call while one is pending throws {@link IllegalStateException}.</li>
 * <li><b>Nothing beyond the frame is consumed.</b> Bytes received after a frame (after its
 * delimiter) stay in this reader's buffer for its next call.</li>
 * <li><b>End of stream.</b> At the end of the stream on a frame boundary a call completes with
 * {@link ReadResult#end()}; in the middle of a frame it fails with a {@link NetworkException}
 * ({@link NetworkException.Reason#CLOSED_BY_PEER}) saying how much of the frame arrived.</li>
 * <li><b>Too long.</b> When {@code readUntil} finds no delimiter within its maximum length it fails
 * with {@link FrameTooLongException}; the stream is then not at a frame boundary, so this reader is
 * failed: every later call fails with the same exception (close the socket).</li>
 * <li><b>Time limit.</b> With a {@code readTimeout}, each wait for more bytes is limited to it; a
 * call that waits longer fails with {@link TimedOutException} and the reader stays usable (no byte
 * is lost, a later call continues the frame). A socket failure fails the call and every later call.</li>
 * </ul>
 *
 * <p>Not thread-safe beyond the one-pending rule: call it from one logical reader at a time (a
 * continuation of the previous call's stage counts as that).
 *
 * @since 1.1
 */
public final class FrameReader {

    /** The two bytes CR LF, the line delimiter of SMTP, HTTP/1 and many others. */
    public static final byte[] CRLF = {'\r', '\n'};

    /** The largest buffer a reader may have (16 MiB). */
    public static final int MAX_BUFFER = 16 * 1024 * 1024;

    private final TcpReadable source;
    private final ByteBuffer buf;
    private final Duration readTimeout;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** A {@link #readFrames} call runs: its reads keep {@link #busy} set between frames. */
    private volatile boolean holding;
    private boolean eof;
    private Throwable failure;

    /** No time limit on the waits. See {@link #FrameReader(TcpReadable, int, Duration)}. */
    public FrameReader(TcpReadable source, int bufferSize) {
        this(source, bufferSize, null);
    }

    /**
     * @param source the bytes to frame
     * @param bufferSize this reader's buffer: the longest frame it can return (plus the delimiter for
     *            {@link #readUntil}), 1 to {@link #MAX_BUFFER}
     * @param readTimeout the longest one wait for more bytes may take, at least 1 ms; {@code null}
     *            for no limit
     */
    public FrameReader(TcpReadable source, int bufferSize, Duration readTimeout) {
        this.source = Objects.requireNonNull(source, "source");
        if (bufferSize < 1 || bufferSize > MAX_BUFFER) {
            throw new IllegalArgumentException("bufferSize must be within 1.." + MAX_BUFFER + ", was " + bufferSize);
        }
        if (readTimeout != null && readTimeout.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("readTimeout must be at least 1 ms, was " + readTimeout);
        }
        this.readTimeout = readTimeout;
        this.buf = ByteBuffer.allocate(bufferSize).flip(); // read mode: the unread bytes are position..limit
    }

    /** Bytes received and buffered here that no call returned yet. */
    public int buffered() {
        return buf.remaining();
    }

    /**
     * The next {@code n} bytes of the stream.
     *
     * @param n the frame length, 0 to this reader's buffer size
     * @return the frame (a new array), or {@link ReadResult#end()} at the end of the stream before its
     *         first byte
     * @throws IllegalArgumentException when {@code n} is negative or larger than the buffer
     * @throws IllegalStateException when a call is pending
     */
    public CompletionStage<ReadResult<byte[]>> readExactly(int n) {
        if (n < 0 || n > buf.capacity()) {
            throw new IllegalArgumentException("n must be within 0.." + buf.capacity() + " (the buffer size), was " + n);
        }
        return start(new Op(n, null, 0));
    }

    /**
     * The bytes up to the next {@code delimiter}; the delimiter is consumed and not part of the frame.
     *
     * @param delimiter one or more bytes (copied)
     * @param maxLength the longest frame allowed, without the delimiter; a frame without delimiter
     *            within it fails with {@link FrameTooLongException}
     * @return the frame without the delimiter (a new array), or {@link ReadResult#end()} at the end
     *         of the stream before its first byte
     * @throws IllegalArgumentException when the delimiter is empty, or {@code maxLength} is negative
     *             or {@code maxLength + delimiter.length} exceeds the buffer size
     * @throws IllegalStateException when a call is pending
     */
    public CompletionStage<ReadResult<byte[]>> readUntil(byte[] delimiter, int maxLength) {
        return start(delimiterOp(delimiter, maxLength));
    }

    private Op delimiterOp(byte[] delimiter, int maxLength) {
        Objects.requireNonNull(delimiter, "delimiter");
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("the delimiter must have at least one byte");
        }
        if (maxLength < 0 || (long) maxLength + delimiter.length > buf.capacity()) {
            throw new IllegalArgumentException("maxLength + delimiter length must be within 0.." + buf.capacity()
                    + " (the buffer size), was " + maxLength + " + " + delimiter.length);
        }
        return new Op(-1, delimiter.clone(), maxLength);
    }

    /**
     * Takes the frames of {@link #readFrames}, one at a time.
     *
     * @param <T> what the frames make up
     * @since 1.1
     */
    @FunctionalInterface
    public interface FrameHandler<T> {
        /**
         * @param frame the next frame, without its delimiter (a new array)
         * @return what the frames so far make up, which completes the reading; {@code null} to read
         *         the next frame
         * @throws Exception to end the reading with it; the reader stays usable (the frame was
         *             consumed)
         */
        T frame(byte[] frame) throws Exception;
    }

    /**
     * Reads frames up to {@code delimiter}, as {@link #readUntil} does, and hands each to
     * {@code handler} until it returns a value, which completes the returned stage: a message of
     * several lines (an SMTP reply, a multi-line response) is one call. Frames already received are
     * handled at once, in a loop (no stage and no stack frame per frame); the handler runs on the
     * thread that completed the read that gave its frame, or on the calling thread. The reader's
     * one-pending rule counts the whole call as one operation.
     *
     * @param delimiter one or more bytes (copied)
     * @param maxLength the longest frame allowed, as for {@link #readUntil}
     * @param handler takes each frame; returns null to read on
     * @return the handler's value, or {@code null} when the stream ends on a frame boundary before
     *         it gave one; fails as {@link #readUntil} does (then the frames read before are gone),
     *         or with what the handler threw
     * @throws IllegalArgumentException as for {@link #readUntil}
     * @throws IllegalStateException when a call is pending
     * @since 1.1
     */
    public <T> CompletionStage<T> readFrames(byte[] delimiter, int maxLength, FrameHandler<T> handler) {
        Objects.requireNonNull(handler, "handler");
        Op first = delimiterOp(delimiter, maxLength);
        claim();
        holding = true; // the whole call is the one pending operation
        CompletableFuture<T> out = new CompletableFuture<>();
        frames(first, handler, out);
        return out;
    }

    private <T> void frames(Op first, FrameHandler<T> handler, CompletableFuture<T> out) {
        Op op = first;
        while (true) {
            run(op);
            CompletableFuture<ReadResult<byte[]>> f = op.result;
            if (!f.isDone()) {
                Op next = new Op(-1, op.delimiter, op.maxLength);
                f.whenComplete((r, t) -> {
                    if (handled(r, t, handler, out)) {
                        frames(next, handler, out);
                    }
                });
                return;
            }
            ReadResult<byte[]> r = null;
            Throwable t = null;
            try {
                r = f.join();
            } catch (CompletionException e) {
                t = e.getCause();
            } catch (CancellationException e) {
                t = e;
            }
            if (!handled(r, t, handler, out)) {
                return;
            }
            op = new Op(-1, op.delimiter, op.maxLength);
        }
    }

    /** Completes {@code out} and returns false, or returns true when the handler wants the next frame. */
    private <T> boolean handled(ReadResult<byte[]> r, Throwable t, FrameHandler<T> handler, CompletableFuture<T> out) {
        T value = null;
        Throwable error = t;
        if (error == null && !r.done()) {
            try {
                value = handler.frame(r.value()); // a call on this reader from here fails: still pending
            } catch (Exception e) {
                error = e;
            }
            if (error == null && value == null) {
                return true;
            }
        }
        holding = false;
        busy.set(false); // before completing: a continuation may call again
        if (error != null) {
            out.completeExceptionally(error);
        } else {
            out.complete(value); // null at the end of the stream
        }
        return false;
    }

    /** One call: a length ({@code n >= 0}) or a delimiter with its maximum length. */
    private final class Op {
        final int n;
        final byte[] delimiter;
        final int maxLength;
        final CompletableFuture<ReadResult<byte[]>> result = new CompletableFuture<>();
        /** How far (relative to the buffer's position) the delimiter search got. */
        int scanned;

        Op(int n, byte[] delimiter, int maxLength) {
            this.n = n;
            this.delimiter = delimiter;
            this.maxLength = maxLength;
        }
    }

    private CompletionStage<ReadResult<byte[]>> start(Op op) {
        claim();
        run(op);
        return op.result;
    }

    private void claim() {
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("a FrameReader call is still pending; wait for its stage before reading again");
        }
    }

    /** Tries to complete {@code op} from the buffer; reads more while it cannot (in a loop when reads complete at once). */
    private void run(Op op) {
        while (true) {
            if (failure != null) {
                finish(op, null, failure);
                return;
            }
            int need = op.n >= 0 ? frameByLength(op) : frameByDelimiter(op);
            if (need == 0) {
                return; // finished
            }
            if (eof) {
                if (buf.hasRemaining()) {
                    finish(op, null, new NetworkException(NetworkException.Reason.CLOSED_BY_PEER,
                            "the stream ended in the middle of a frame: " + buf.remaining() + " bytes of "
                                    + (op.n >= 0 ? op.n + " arrived" : "a frame without its delimiter arrived"), null));
                } else {
                    finish(op, ReadResult.end(), null);
                }
                return;
            }
            buf.compact(); // write mode for the read
            CompletionStage<Integer> stage;
            try {
                int min = Math.min(need, buf.remaining());
                stage = readTimeout == null ? source.readInto(buf, min) : source.readInto(buf, min, readTimeout);
            } catch (RuntimeException e) {
                buf.flip();
                finish(op, null, e);
                return;
            }
            CompletableFuture<Integer> f = stage.toCompletableFuture();
            if (!f.isDone()) {
                f.whenComplete((count, error) -> {
                    if (afterRead(op, count, error)) {
                        run(op);
                    }
                });
                return;
            }
            Integer count = null;
            Throwable error = null;
            try {
                count = f.join();
            } catch (java.util.concurrent.CompletionException e) {
                error = e.getCause();
            } catch (java.util.concurrent.CancellationException e) {
                error = e;
            }
            if (!afterRead(op, count, error)) {
                return;
            }
        }
    }

    /** A read into the buffer settled; false when {@code op} is finished by it. */
    private boolean afterRead(Op op, Integer count, Throwable error) {
        buf.flip();
        if (error != null) {
            Throwable e = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (!(e instanceof TimedOutException)) {
                failure = e; // the socket failed: so does every later call
            }
            finish(op, null, e);
            return false;
        }
        if (count < 0) {
            eof = true;
        }
        return true;
    }

    /** 0 when {@code op} was finished from the buffer, else how many more bytes it needs at least. */
    private int frameByLength(Op op) {
        if (buf.remaining() >= op.n) {
            byte[] frame = new byte[op.n];
            buf.get(frame);
            finish(op, ReadResult.of(frame), null);
            return 0;
        }
        return op.n - buf.remaining();
    }

    private int frameByDelimiter(Op op) {
        byte[] d = op.delimiter;
        int start = buf.position();
        int window = Math.min(buf.remaining(), op.maxLength + d.length);
        for (int i = op.scanned; i + d.length <= window; i++) {
            if (matches(start + i, d)) {
                byte[] frame = new byte[i];
                buf.get(frame);
                buf.position(buf.position() + d.length);
                finish(op, ReadResult.of(frame), null);
                return 0;
            }
        }
        if (window >= op.maxLength + d.length) {
            failure = new FrameTooLongException("no delimiter " + describe(d) + " within " + op.maxLength
                    + " bytes (the maximum frame length) on the stream; the peer sent a frame too long or"
                    + " no delimiter", op.maxLength);
            finish(op, null, failure);
            return 0;
        }
        op.scanned = Math.max(0, buf.remaining() - d.length + 1);
        return 1;
    }

    private boolean matches(int at, byte[] d) {
        for (int k = 0; k < d.length; k++) {
            if (buf.get(at + k) != d[k]) {
                return false;
            }
        }
        return true;
    }

    private static String describe(byte[] d) {
        StringBuilder b = new StringBuilder();
        for (byte x : d) {
            b.append(b.length() == 0 ? "" : " ").append(String.format("%02X", x & 0xff));
        }
        return "(hex " + b + ")";
    }

    private void finish(Op op, ReadResult<byte[]> value, Throwable error) {
        if (!holding) {
            busy.set(false);
        }
        if (error != null) {
            op.result.completeExceptionally(error);
        } else {
            op.result.complete(value);
        }
    }
}
