package org.rawsockets.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.testing.ScriptedReadable;

/**
 * {@link FrameReader} against a {@link ScriptedReadable} that the test feeds piece by piece (as
 * Netty's codec tests feed an embedded channel): every frame form with the input split at every byte
 * boundary, one byte at a time, and in one piece; reads that complete at once and later.
 */
class FrameReaderTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** Runs the reading side: lines until the end; returns them (the frames as strings). */
    private static List<String> lines(FrameReader r, int max, List<Throwable> errors) {
        List<String> out = new ArrayList<>();
        readLines(r, max, out, errors);
        return out;
    }

    private static void readLines(FrameReader r, int max, List<String> out, List<Throwable> errors) {
        r.readUntil(FrameReader.CRLF, max).whenComplete((res, e) -> {
            if (e != null) {
                errors.add(e);
            } else if (res.done()) {
                out.add("<end>");
            } else {
                out.add(ascii(res.value()));
                readLines(r, max, out, errors);
            }
        });
    }

    private static List<byte[]> splits(byte[] input, int at) {
        List<byte[]> pieces = new ArrayList<>();
        pieces.add(java.util.Arrays.copyOfRange(input, 0, at));
        pieces.add(java.util.Arrays.copyOfRange(input, at, input.length));
        return pieces;
    }

    private static final String SMTP = "250-mail.example.org\r\n250-PIPELINING\r\n\r\n250 \rSIZE\n 100\r\n";
    private static final List<String> SMTP_LINES = List.of("250-mail.example.org", "250-PIPELINING", "",
            "250 \rSIZE\n 100", "<end>");

    /** CRLF lines (with a lone CR, a lone LF and an empty line), the input split at every byte boundary. */
    @Test
    void linesSplitAtEveryByteBoundary() {
        byte[] input = ascii(SMTP);
        for (int at = 0; at <= input.length; at++) {
            ScriptedReadable s = new ScriptedReadable();
            List<Throwable> errors = new ArrayList<>();
            List<String> got = lines(new FrameReader(s, 64), 40, errors);
            for (byte[] piece : splits(input, at)) {
                s.feed(piece);
            }
            s.end();
            assertEquals(List.of(), errors, "split at " + at);
            assertEquals(SMTP_LINES, got, "split at " + at);
        }
    }

    /** The same fed one byte at a time, and all at once before the first call (reads complete at once). */
    @Test
    void linesOneByteAtATimeAndAllAtOnce() {
        byte[] input = ascii(SMTP);
        ScriptedReadable s = new ScriptedReadable();
        List<Throwable> errors = new ArrayList<>();
        List<String> got = lines(new FrameReader(s, 64), 40, errors);
        for (byte b : input) {
            s.feed(new byte[] {b});
        }
        s.end();
        assertEquals(SMTP_LINES, got);

        ScriptedReadable t = new ScriptedReadable();
        t.feed(input);
        t.end();
        assertEquals(SMTP_LINES, lines(new FrameReader(t, 64), 40, errors));
        assertEquals(List.of(), errors);
    }

    /**
     * Length-prefixed frames (a 2-byte length, then the body, as Modbus/TCP's MBAP header), split at
     * every byte boundary; the bytes after a frame stay for the next call.
     */
    @Test
    void lengthPrefixedFramesSplitAtEveryByteBoundary() throws Exception {
        byte[] input = {0, 3, 'a', 'b', 'c', 0, 0, 0, 5, '1', '2', '3', '4', '5'};
        for (int at = 0; at <= input.length; at++) {
            ScriptedReadable s = new ScriptedReadable();
            FrameReader r = new FrameReader(s, 8);
            List<String> got = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            readPrefixed(r, got, errors);
            for (byte[] piece : splits(input, at)) {
                s.feed(piece);
            }
            s.end();
            assertEquals(List.of(), errors, "split at " + at);
            assertEquals(List.of("abc", "", "12345", "<end>"), got, "split at " + at);
        }
    }

    private static void readPrefixed(FrameReader r, List<String> out, List<Throwable> errors) {
        r.readExactly(2).thenCompose(h -> {
            if (h.done()) {
                out.add("<end>");
                return CompletableFuture.completedFuture(null);
            }
            int n = (h.value()[0] & 0xff) << 8 | h.value()[1] & 0xff;
            return r.readExactly(n).thenAccept(body -> {
                out.add(ascii(body.value()));
                readPrefixed(r, out, errors);
            });
        }).whenComplete((v, e) -> {
            if (e != null) {
                errors.add(e);
            }
        });
    }

    /** A line longer than the maximum fails with FrameTooLongException, at every split, and the reader stays failed. */
    @Test
    void aLineTooLongFailsWithFrameTooLongException() throws Exception {
        byte[] input = ascii("OK\r\n0123456789ABC\r\nnext\r\n");
        for (int at = 0; at <= input.length; at++) {
            ScriptedReadable s = new ScriptedReadable();
            FrameReader r = new FrameReader(s, 16);
            List<Throwable> errors = new ArrayList<>();
            List<String> got = lines(r, 12, errors);
            for (byte[] piece : splits(input, at)) {
                s.feed(piece);
            }
            assertEquals(List.of("OK"), got, "split at " + at);
            assertEquals(1, errors.size(), "split at " + at + ": " + errors);
            FrameTooLongException e = assertInstanceOf(FrameTooLongException.class, errors.get(0));
            assertEquals(12, e.maxLength());
            assertTrue(e.getMessage().contains("within 12 bytes") && e.getMessage().contains("0D 0A"), e.getMessage());
            ExecutionException again = assertThrows(ExecutionException.class,
                    () -> r.readUntil(FrameReader.CRLF, 12).toCompletableFuture().get());
            assertInstanceOf(FrameTooLongException.class, again.getCause(), "the reader stays failed");
        }
        // exactly the maximum is allowed
        ScriptedReadable s = new ScriptedReadable();
        s.feed(ascii("0123456789AB\r\n"));
        ReadResult<byte[]> r = new FrameReader(s, 16).readUntil(FrameReader.CRLF, 12).toCompletableFuture().get();
        assertEquals("0123456789AB", ascii(r.value()));
    }

    /** The end of the stream inside a frame fails with NetworkException CLOSED_BY_PEER. */
    @Test
    void endOfStreamInsideAFrameIsAnError() throws Exception {
        ScriptedReadable s = new ScriptedReadable();
        FrameReader r = new FrameReader(s, 16);
        CompletionStage<ReadResult<byte[]>> f = r.readExactly(5);
        s.feed(ascii("abc"));
        assertFalse(f.toCompletableFuture().isDone(), "3 of 5 bytes");
        s.end();
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.toCompletableFuture().get());
        NetworkException n = assertInstanceOf(NetworkException.class, e.getCause());
        assertEquals(NetworkException.Reason.CLOSED_BY_PEER, n.reason());
        assertTrue(n.getMessage().contains("3 bytes of 5"), n.getMessage());
    }

    /** Nothing past the frame is consumed: the bytes after a delimiter are there for a readExactly. */
    @Test
    void bytesAfterTheDelimiterStayForTheNextCall() throws Exception {
        ScriptedReadable s = new ScriptedReadable();
        FrameReader r = new FrameReader(s, 32);
        s.feed(ascii("SIZE 4\r\nDATA"));
        assertEquals("SIZE 4", ascii(r.readUntil(FrameReader.CRLF, 20).toCompletableFuture().get().value()));
        assertEquals(4, r.buffered());
        assertEquals("DATA", ascii(r.readExactly(4).toCompletableFuture().get().value()));
        assertEquals(1, s.reads(), "one read from the stream for both frames");
    }

    /** One call pending at a time; argument checks. */
    @Test
    void onePendingCallAndArguments() {
        ScriptedReadable s = new ScriptedReadable();
        FrameReader r = new FrameReader(s, 16);
        CompletionStage<ReadResult<byte[]>> f = r.readExactly(4);
        assertThrows(IllegalStateException.class, () -> r.readExactly(1));
        s.feed(ascii("abcd"));
        assertArrayEquals(ascii("abcd"), f.toCompletableFuture().join().value());
        assertThrows(IllegalArgumentException.class, () -> r.readExactly(17), "beyond the buffer");
        assertThrows(IllegalArgumentException.class, () -> r.readUntil(FrameReader.CRLF, 15), "max + delimiter beyond the buffer");
        assertThrows(IllegalArgumentException.class, () -> r.readUntil(new byte[0], 4), "empty delimiter");
        assertThrows(IllegalArgumentException.class, () -> new FrameReader(s, 0));
    }

    // ------------------------------------------------------------------ readFrames

    /** Multi-line messages in the SMTP reply shape: lines until one has a space after its code. */
    private static final String REPLIES = "250-mail.example.org\r\n250-PIPELINING\r\n250 SIZE 100\r\n354 go\r\n";

    /** Collects lines until the last line of a reply ("ddd " or "ddd"), then returns them joined with '|'. */
    private static FrameReader.FrameHandler<String> replyHandler() {
        List<String> lines = new ArrayList<>();
        return line -> {
            lines.add(ascii(line));
            if (line.length > 3 && line[3] == '-') {
                return null;
            }
            String reply = String.join("|", lines);
            lines.clear();
            return reply;
        };
    }

    /** Runs readFrames until the end; each result, "<end>" for the end, the errors aside. */
    private static void readReplies(FrameReader r, FrameReader.FrameHandler<String> h, List<String> out,
            List<Throwable> errors) {
        r.readFrames(FrameReader.CRLF, 40, h).whenComplete((reply, e) -> {
            if (e != null) {
                errors.add(e);
            } else if (reply == null) {
                out.add("<end>");
            } else {
                out.add(reply);
                readReplies(r, h, out, errors);
            }
        });
    }

    private static final List<String> REPLIES_READ = List.of("250-mail.example.org|250-PIPELINING|250 SIZE 100",
            "354 go", "<end>");

    /** readFrames: the messages, the input split at every byte boundary, fed later and all at once. */
    @Test
    void readFramesSplitAtEveryByteBoundaryAndAllAtOnce() {
        byte[] input = ascii(REPLIES);
        for (int at = 0; at <= input.length; at++) {
            ScriptedReadable s = new ScriptedReadable();
            List<String> got = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            readReplies(new FrameReader(s, 64), replyHandler(), got, errors);
            for (byte[] piece : splits(input, at)) {
                s.feed(piece);
            }
            s.end();
            assertEquals(List.of(), errors, "split at " + at);
            assertEquals(REPLIES_READ, got, "split at " + at);
        }
        ScriptedReadable t = new ScriptedReadable();
        t.feed(input);
        t.end();
        List<String> got = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        readReplies(new FrameReader(t, 64), replyHandler(), got, errors);
        assertEquals(REPLIES_READ, got, "everything there before the first call: handled in a loop");
        assertEquals(List.of(), errors);
        assertEquals(2, t.reads(), "one read for all frames, one for the end");
    }

    /** Many buffered frames are handled in a loop, not a stack frame per frame. */
    @Test
    void readFramesLoopsOverBufferedFramesWithoutRecursion() throws Exception {
        ScriptedReadable s = new ScriptedReadable();
        byte[] many = ascii("x\n".repeat(20_000) + "end\n");
        s.feed(many);
        int[] n = new int[1];
        String last = new FrameReader(s, 1 << 16).readFrames(new byte[] {'\n'}, 8, f -> {
            n[0]++;
            return f.length == 3 ? ascii(f) : null;
        }).toCompletableFuture().get();
        assertEquals("end", last);
        assertEquals(20_001, n[0]);
    }

    /** The whole call is the one pending operation; a handler's exception ends it, the reader goes on. */
    @Test
    void readFramesIsOnePendingCallAndAHandlerFailureEndsOnlyIt() throws Exception {
        ScriptedReadable s = new ScriptedReadable();
        FrameReader r = new FrameReader(s, 64);
        FrameReader.FrameHandler<String> h = replyHandler();
        CompletableFuture<String> f = r.readFrames(FrameReader.CRLF, 40, h).toCompletableFuture();
        assertThrows(IllegalStateException.class, () -> r.readUntil(FrameReader.CRLF, 10));
        s.feed(ascii("250-a\r\n"));
        assertFalse(f.isDone());
        assertThrows(IllegalStateException.class, () -> r.readExactly(1), "still pending between two frames");
        s.feed(ascii("250 b\r\nBAD\r\n250 c\r\n"));
        assertEquals("250-a|250 b", f.get());

        IllegalStateException refused = new IllegalStateException("refused by the handler");
        CompletableFuture<String> g = r.<String>readFrames(FrameReader.CRLF, 40, line -> {
            throw refused;
        }).toCompletableFuture();
        ExecutionException e = assertThrows(ExecutionException.class, g::get);
        assertEquals(refused, e.getCause());
        assertEquals("250 c", ascii(r.readUntil(FrameReader.CRLF, 40).toCompletableFuture().get().value()),
                "the frame the handler refused was consumed, the reader goes on");

        CompletableFuture<String> reentrant = r.readFrames(FrameReader.CRLF, 40, line -> {
            r.readUntil(FrameReader.CRLF, 40); // from inside the handler: the call is still pending
            return "unreachable";
        }).toCompletableFuture();
        s.feed(ascii("x\r\n"));
        ExecutionException re = assertThrows(ExecutionException.class, reentrant::get);
        assertInstanceOf(IllegalStateException.class, re.getCause());
        assertThrows(IllegalArgumentException.class, () -> r.readFrames(new byte[0], 4, line -> "x"));
        assertThrows(IllegalArgumentException.class, () -> r.readFrames(FrameReader.CRLF, 63, line -> "x"));
    }

    /** readFrames fails as readUntil does: a frame too long, the end of the stream inside a frame. */
    @Test
    void readFramesFailsAsReadUntilDoes() throws Exception {
        ScriptedReadable s = new ScriptedReadable();
        FrameReader r = new FrameReader(s, 16);
        CompletableFuture<String> f = r.readFrames(FrameReader.CRLF, 12, replyHandler()).toCompletableFuture();
        s.feed(ascii("250-ok\r\n0123456789ABC\r\n"));
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertInstanceOf(FrameTooLongException.class, e.getCause());

        ScriptedReadable t = new ScriptedReadable();
        CompletableFuture<String> g = new FrameReader(t, 16).readFrames(FrameReader.CRLF, 12, replyHandler())
                .toCompletableFuture();
        t.feed(ascii("250-ok\r\n250 cut"));
        t.end();
        ExecutionException cut = assertThrows(ExecutionException.class, g::get);
        assertEquals(NetworkException.Reason.CLOSED_BY_PEER,
                assertInstanceOf(NetworkException.class, cut.getCause()).reason());
    }
}
