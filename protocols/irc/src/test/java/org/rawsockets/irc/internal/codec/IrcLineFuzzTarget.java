package org.rawsockets.irc.internal.codec;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcProtocolException;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.fuzz.FeedReadable;
import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21) of the IRC line decoding: {@link IrcLineReader} over a stream in the
 * fuzzer's pieces, and {@link IrcCodec#parse} of every line. Oracles: only
 * {@link IrcProtocolException} (and {@link NetworkException} {@code CLOSED_BY_PEER} for a stream
 * ending inside a line) escape; {@code parse} of a range reads nothing outside it (the same line
 * between sentinel bytes parses the same); a parsed message re-encodes ({@link IrcCodec#encode}) to a
 * line that parses to the same message; allocation bounded by the reader's buffer and the input.
 */
class IrcLineFuzzTarget {

    private static final String WHERE = "fuzz";

    @FuzzTest
    void lines(byte[] data) {
        FuzzInput in = FuzzInput.of(data);
        int lineLength = in.flag(0) ? IrcCodec.MAX_LINE_LENGTH : IrcCodec.DEFAULT_LINE_LENGTH;
        byte[] p = in.payload();
        long max = IrcCodec.MAX_TAGS + IrcCodec.MAX_LINE_LENGTH + 2 + 64L * p.length;
        FuzzOracle.allocation(data, max, "IrcLineReader", () -> {
            FeedReadable feed = in.feed();
            IrcLineReader reader = new IrcLineReader(feed, WHERE);
            reader.lineLength(lineLength);
            for (int i = 0; i <= p.length; i++) {
                CompletableFuture<ReadResult<IrcMessage>> f = reader.next().toCompletableFuture();
                if (!f.isDone()) {
                    throw new AssertionError("a read over a source that completes at once is pending: "
                            + FuzzOracle.hex(data));
                }
                ReadResult<IrcMessage> r = FuzzOracle.onlyTyped(data, f::join, IrcProtocolException.class,
                        NetworkException.class);
                if (r == null || r.done()) {
                    return null;
                }
                roundTrip(data, r.value(), lineLength);
            }
            throw new AssertionError("more messages than input bytes: " + FuzzOracle.hex(data));
        });
        for (byte[] line : splitLines(p)) {
            IrcMessage exact = FuzzOracle.allocation(data, 64L * line.length + 4096, "IrcCodec.parse",
                    () -> FuzzOracle.onlyTyped(data, () -> IrcCodec.parseLine(line, lineLength, WHERE),
                            IrcProtocolException.class));
            byte[] padded = new byte[line.length + 2 * FuzzOracle.SENTINEL.length];
            System.arraycopy(FuzzOracle.SENTINEL, 0, padded, 0, FuzzOracle.SENTINEL.length);
            System.arraycopy(line, 0, padded, FuzzOracle.SENTINEL.length, line.length);
            System.arraycopy(FuzzOracle.SENTINEL, 0, padded, FuzzOracle.SENTINEL.length + line.length,
                    FuzzOracle.SENTINEL.length);
            IrcMessage inRange = FuzzOracle.onlyTyped(data,
                    () -> IrcCodec.parse(padded, FuzzOracle.SENTINEL.length, line.length, lineLength, WHERE),
                    IrcProtocolException.class);
            if (!Objects.equals(exact, inRange)) {
                throw new AssertionError("parse of a range read outside it: " + exact + " vs " + inRange + " for "
                        + FuzzOracle.hex(data));
            }
        }
    }

    private static void roundTrip(byte[] data, IrcMessage m, int lineLength) {
        byte[] wire = IrcCodec.encode(m);
        IrcMessage again = FuzzOracle.onlyTyped(data,
                () -> IrcCodec.parseLine(Arrays.copyOf(wire, wire.length - 1), IrcCodec.MAX_LINE_LENGTH * 4, WHERE));
        if (!m.equals(again)) {
            throw new AssertionError("message " + m + " re-encodes to " + FuzzOracle.hex(wire) + " which parses to "
                    + again + " (input " + FuzzOracle.hex(data) + ")");
        }
    }

    /** The payload's LF-ended lines without the LF (the last one only when it has its LF). */
    private static java.util.List<byte[]> splitLines(byte[] p) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        int from = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == '\n') {
                out.add(Arrays.copyOfRange(p, from, i));
                from = i + 1;
            }
        }
        return out;
    }
}
