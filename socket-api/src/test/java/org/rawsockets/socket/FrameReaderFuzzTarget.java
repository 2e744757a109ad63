package org.rawsockets.socket;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.rawsockets.socket.fuzz.FeedReadable;
import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21) of {@link FrameReader}: a stream in the fuzzer's pieces read with
 * {@code readUntil} (LF or CRLF) or {@code readExactly} of the fuzzer's lengths, with a small buffer
 * so the too-long path is reached. Oracles: only {@link FrameTooLongException} and
 * {@link NetworkException} ({@code CLOSED_BY_PEER}) escape, each only when the bytes justify it; the
 * frames and their delimiters re-assemble the stream's prefix; framed + buffered + unread bytes are
 * the input (nothing lost, nothing read twice); allocation of the reads (measured apart from the
 * checks) linear in the input, never in a length the bytes declare.
 */
class FrameReaderFuzzTarget {

    /** What the reads gave: the frames, how the last call ended, what stayed buffered and unread. */
    private record Run(List<byte[]> frames, List<Integer> lengths, Throwable failure, boolean ended, int buffered,
            int unread) {
    }

    @FuzzTest
    void frames(byte[] data) {
        FuzzInput in = FuzzInput.of(data);
        byte[] p = in.payload();
        int bufferSize = 4 + (in.flags() & 0x3F);
        byte[] delimiter = in.flag(6) ? FrameReader.CRLF : new byte[] {'\n'};
        boolean exact = in.flag(7);
        int maxLength = bufferSize - delimiter.length;
        // per call a stage, a result and the frame: at most one call per byte
        Run run = FuzzOracle.allocation(data, 1024L * p.length + 4096, "FrameReader",
                () -> read(data, in, bufferSize, delimiter, exact));
        check(data, p, run, delimiter, exact, maxLength);
    }

    private static Run read(byte[] data, FuzzInput in, int bufferSize, byte[] delimiter, boolean exact) {
        FeedReadable feed = in.feed();
        FrameReader reader = new FrameReader(feed, bufferSize);
        List<byte[]> frames = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        byte[] ops = in.chunking().length == 0 ? new byte[] {3} : in.chunking();
        int limit = in.payload().length + 1; // every call takes a byte (a length >= 1, a delimiter) or ends
        for (int i = 0; i <= limit; i++) {
            int n = 1 + (ops[i % ops.length] & 0xFF) % bufferSize;
            lengths.add(n);
            CompletableFuture<ReadResult<byte[]>> f = (exact ? reader.readExactly(n)
                    : reader.readUntil(delimiter, bufferSize - delimiter.length)).toCompletableFuture();
            if (!f.isDone()) {
                throw new AssertionError("a read over a source that completes at once is pending: " + FuzzOracle.hex(data));
            }
            Throwable t = FuzzOracle.typedFailure(f::join);
            if (t != null) {
                return new Run(frames, lengths, t, false, reader.buffered(), feed.unread());
            }
            ReadResult<byte[]> r = f.join();
            if (r.done()) {
                return new Run(frames, lengths, null, true, reader.buffered(), feed.unread());
            }
            frames.add(r.value());
        }
        throw new AssertionError("FrameReader made no progress: " + FuzzOracle.hex(data));
    }

    private static void check(byte[] data, byte[] p, Run run, byte[] delimiter, boolean exact, int maxLength) {
        int at = 0;
        for (int k = 0; k < run.frames().size(); k++) {
            byte[] frame = run.frames().get(k);
            if (exact ? frame.length != run.lengths().get(k)
                    : frame.length > maxLength || indexOf(frame, 0, delimiter) >= 0) {
                throw new AssertionError("frame " + k + " has the wrong length or holds the delimiter: "
                        + FuzzOracle.hex(data));
            }
            if (at + frame.length > p.length || !Arrays.equals(frame, 0, frame.length, p, at, at + frame.length)) {
                throw new AssertionError("the frames do not re-assemble the stream: " + FuzzOracle.hex(data));
            }
            at += frame.length;
            if (!exact) {
                if (at + delimiter.length > p.length
                        || !Arrays.equals(delimiter, 0, delimiter.length, p, at, at + delimiter.length)) {
                    throw new AssertionError("a frame did not end at a delimiter: " + FuzzOracle.hex(data));
                }
                at += delimiter.length;
            }
        }
        int restLength = p.length - at;
        int next = indexOf(p, at, delimiter);
        int n = run.lengths().get(run.lengths().size() - 1);
        Throwable t = run.failure();
        if (t instanceof FrameTooLongException) {
            if (exact || next >= 0 && next <= maxLength) {
                throw new AssertionError("FrameTooLongException with a delimiter within " + maxLength + " bytes: "
                        + FuzzOracle.hex(data));
            }
        } else if (t instanceof NetworkException e && e.reason() == NetworkException.Reason.CLOSED_BY_PEER) {
            if (restLength == 0 || (exact ? restLength >= n : next >= 0)) {
                throw new AssertionError("CLOSED_BY_PEER in the middle of a frame that was complete: "
                        + FuzzOracle.hex(data));
            }
        } else if (t != null) {
            throw new AssertionError("an untyped " + t + " escaped FrameReader for input " + FuzzOracle.hex(data), t);
        } else if (run.ended() && restLength != 0) {
            throw new AssertionError("end of stream reported with " + restLength + " bytes left: " + FuzzOracle.hex(data));
        }
        FuzzOracle.noBytesLost(p, at, run.buffered(), run.unread());
    }

    /** Where {@code d} starts in {@code b} from {@code from} on, relative to {@code from}; -1 if nowhere. */
    private static int indexOf(byte[] b, int from, byte[] d) {
        for (int i = from; i + d.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + d.length, d, 0, d.length)) {
                return i - from;
            }
        }
        return -1;
    }
}
