package org.rawsockets.socket;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
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
 * the input (nothing lost, nothing read twice); allocation bounded by the buffer and the input.
 */
class FrameReaderFuzzTarget {

    @FuzzTest
    void frames(byte[] data) {
        FuzzInput in = FuzzInput.of(data);
        byte[] p = in.payload();
        // per call a stage, a result and the frame: linear in the input (one call per byte at worst),
        // never in a length the bytes declare
        FuzzOracle.allocation(data, 1024L * p.length + 4096, "FrameReader", () -> {
            run(data, in, p);
            return null;
        });
    }

    private static void run(byte[] data, FuzzInput in, byte[] p) {
        int bufferSize = 4 + (in.flags() & 0x3F);
        byte[] delimiter = in.flag(6) ? FrameReader.CRLF : new byte[] {'\n'};
        boolean exact = in.flag(7);
        FeedReadable feed = in.feed();
        FrameReader reader = new FrameReader(feed, bufferSize);
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        byte[] ops = in.chunking().length == 0 ? new byte[] {3} : in.chunking();
        // Every call takes at least one byte (a length of 1 or more, a delimiter) or ends the loop.
        for (int i = 0;; i++) {
            if (i > p.length + 1) {
                throw new AssertionError("FrameReader made no progress: " + FuzzOracle.hex(data));
            }
            int n = 1 + (ops[i % ops.length] & 0xFF) % bufferSize;
            int maxLength = bufferSize - delimiter.length;
            CompletableFuture<ReadResult<byte[]>> f = (exact ? reader.readExactly(n)
                    : reader.readUntil(delimiter, maxLength)).toCompletableFuture();
            if (!f.isDone()) {
                throw new AssertionError("a read over a source that completes at once is pending: " + FuzzOracle.hex(data));
            }
            Throwable t = FuzzOracle.typedFailure(f::join);
            int at = framed.size();
            byte[] rest = Arrays.copyOfRange(p, at, p.length);
            if (t instanceof FrameTooLongException) {
                if (exact || indexOf(rest, delimiter) >= 0 && indexOf(rest, delimiter) <= maxLength) {
                    throw new AssertionError("FrameTooLongException with a delimiter within " + maxLength + " bytes: "
                            + FuzzOracle.hex(data));
                }
                break;
            }
            if (t instanceof NetworkException e && e.reason() == NetworkException.Reason.CLOSED_BY_PEER) {
                if (rest.length == 0 || (exact ? rest.length >= n : indexOf(rest, delimiter) >= 0)) {
                    throw new AssertionError("CLOSED_BY_PEER in the middle of a frame that was complete: "
                            + FuzzOracle.hex(data));
                }
                break;
            }
            if (t != null) {
                throw new AssertionError("an untyped " + t + " escaped FrameReader for input " + FuzzOracle.hex(data), t);
            }
            ReadResult<byte[]> r = f.join();
            if (r.done()) {
                if (rest.length != 0) {
                    throw new AssertionError("end of stream reported with " + rest.length + " bytes left: "
                            + FuzzOracle.hex(data));
                }
                break;
            }
            byte[] frame = r.value();
            framed.writeBytes(frame);
            if (exact) {
                if (frame.length != n) {
                    throw new AssertionError("readExactly(" + n + ") gave " + frame.length + " bytes");
                }
            } else {
                if (frame.length > maxLength || indexOf(frame, delimiter) >= 0) {
                    throw new AssertionError("readUntil gave a frame over its maximum or containing the delimiter: "
                            + FuzzOracle.hex(data));
                }
                framed.writeBytes(delimiter);
            }
        }
        byte[] got = framed.toByteArray();
        if (got.length > p.length || !Arrays.equals(got, 0, got.length, p, 0, got.length)) {
            throw new AssertionError("the frames do not re-assemble the stream: " + FuzzOracle.hex(data));
        }
        FuzzOracle.noBytesLost(p, got.length, reader.buffered(), feed.unread());
    }

    private static int indexOf(byte[] b, byte[] d) {
        for (int i = 0; i + d.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + d.length, d, 0, d.length)) {
                return i;
            }
        }
        return -1;
    }
}
