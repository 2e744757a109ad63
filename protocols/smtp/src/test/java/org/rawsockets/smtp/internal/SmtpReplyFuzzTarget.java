package org.rawsockets.smtp.internal;

import java.util.concurrent.CompletableFuture;

import org.rawsockets.smtp.SmtpProtocolException;
import org.rawsockets.smtp.SmtpReply;
import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21) of the SMTP reply decoder ({@link ReplyDecoder}: lines through the socket
 * API's FrameReader, the RFC 5321 reply grammar, multi-line replies) over a stream in the fuzzer's
 * pieces, with small or default limits by the flags. Oracles: only {@link SmtpProtocolException}
 * escapes; every reply has a code 200..559, at most {@code maxLines} lines of at most
 * {@code maxLineLength} characters, no control character; allocation bounded by the line buffer and
 * the input.
 */
class SmtpReplyFuzzTarget {

    @FuzzTest
    void replies(byte[] data) {
        FuzzInput in = FuzzInput.of(data);
        int maxLineLength = in.flag(0) ? 16 : 1000;
        int maxLines = in.flag(1) ? 2 : 100;
        byte[] p = in.payload();
        FuzzOracle.allocation(data, 4L * maxLineLength + 256L * p.length, "ReplyDecoder", () -> {
            ReplyDecoder decoder = new ReplyDecoder(in.feed(), maxLineLength, maxLines, "fuzz");
            for (int i = 0; i <= p.length; i++) {
                CompletableFuture<SmtpReply> f = decoder.next().toCompletableFuture();
                if (!f.isDone()) {
                    throw new AssertionError("a read over a source that completes at once is pending: "
                            + FuzzOracle.hex(data));
                }
                if (FuzzOracle.typedFailure(f::join) != null) {
                    FuzzOracle.onlyTyped(data, f::join, SmtpProtocolException.class);
                    if (FuzzOracle.typedFailure(() -> decoder.next().toCompletableFuture().join()) == null) {
                        throw new AssertionError("the decoder went on after a protocol error: " + FuzzOracle.hex(data));
                    }
                    return null;
                }
                SmtpReply r = f.join();
                if (r == null) {
                    return null;
                }
                check(data, r, maxLineLength, maxLines);
            }
            throw new AssertionError("more replies than input bytes: " + FuzzOracle.hex(data));
        });
    }

    private static void check(byte[] data, SmtpReply r, int maxLineLength, int maxLines) {
        if (r.code() < 200 || r.code() > 559 || r.lines().isEmpty() || r.lines().size() > maxLines) {
            throw new AssertionError("reply " + r + " breaks the grammar or a limit: " + FuzzOracle.hex(data));
        }
        for (String line : r.lines()) {
            if (line.length() > maxLineLength) {
                throw new AssertionError("a reply line of " + line.length() + " characters: " + FuzzOracle.hex(data));
            }
            for (int k = 0; k < line.length(); k++) {
                char c = line.charAt(k);
                if ((c < 32 && c != '\t') || c == 127) {
                    throw new AssertionError("a control character in reply " + r + ": " + FuzzOracle.hex(data));
                }
            }
        }
    }
}
