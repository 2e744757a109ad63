package org.rawsockets.smtp.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.rawsockets.smtp.EnhancedStatusCode;
import org.rawsockets.smtp.SmtpProtocolException;
import org.rawsockets.smtp.SmtpReply;
import org.rawsockets.socket.testing.ScriptedReadable;

class ReplyDecoderTest {

    private static final String STREAM = "220 mail.example.org ESMTP ready\r\n"
            + "250-mail.example.org greets you\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-AUTH PLAIN LOGIN\r\n"
            + "250 ENHANCEDSTATUSCODES\r\n"
            + "250 2.1.0 Ok\r\n"
            + "550 5.1.1 <nobody@example.org>: Recipient address rejected: ünknown\r\n"
            + "451-4.3.0 Try\r\n451-4.3.0 again\r\n451 4.3.0 later\r\n"
            + "354\r\n"
            + "250 \r\n";

    private static ReplyDecoder decoder(ScriptedReadable in, int maxLine, int maxLines, String peer) {
        return new ReplyDecoder(in, maxLine, maxLines, peer);
    }

    /** The next reply, now (the input is all there): null at its end; the decoder's exception as is. */
    private static SmtpReply next(ReplyDecoder d) throws SmtpProtocolException {
        CompletableFuture<SmtpReply> f = d.next().toCompletableFuture();
        assertTrue(f.isDone(), "the reply waits for input that was all fed");
        Throwable error = f.handle((r, t) -> t).join(); // no CompletionException to build per error
        if (error instanceof SmtpProtocolException p) {
            throw p;
        }
        if (error != null) {
            throw new AssertionError("the decoder failed with something else than SmtpProtocolException", error);
        }
        return f.join();
    }

    /** Feeds {@code bytes} in pieces cut at {@code cuts}, then the end; every reply up to the end. */
    private static List<SmtpReply> decodeAll(byte[] bytes, int... cuts) throws SmtpProtocolException {
        ScriptedReadable in = ScriptedReadable.piecewise();
        int prev = 0;
        for (int cut : cuts) {
            in.feed(bytes, prev, cut);
            prev = cut;
        }
        in.feed(bytes, prev, bytes.length).end();
        ReplyDecoder d = decoder(in, 512, 50, "test");
        List<SmtpReply> out = new ArrayList<>();
        SmtpReply r;
        while ((r = next(d)) != null) {
            out.add(r);
        }
        assertFalse(d.isMidReply());
        return out;
    }

    private static void checkExpected(List<SmtpReply> replies) {
        assertEquals(7, replies.size(), replies.toString());
        assertEquals(220, replies.get(0).code());
        assertEquals(List.of("mail.example.org ESMTP ready"), replies.get(0).lines());
        assertNull(replies.get(0).enhancedStatus());
        assertEquals(5, replies.get(1).lines().size());
        assertEquals("AUTH PLAIN LOGIN", replies.get(1).lines().get(3));
        assertEquals(new EnhancedStatusCode(2, 1, 0), replies.get(2).enhancedStatus());
        SmtpReply rejected = replies.get(3);
        assertEquals(550, rejected.code());
        assertEquals(new EnhancedStatusCode(5, 1, 1), rejected.enhancedStatus());
        assertTrue(rejected.text().endsWith("ünknown"), rejected.text());
        assertTrue(rejected.isPermanentFailure());
        SmtpReply later = replies.get(4);
        assertEquals(List.of("4.3.0 Try", "4.3.0 again", "4.3.0 later"), later.lines());
        assertEquals("Try / again / later", later.text());
        assertTrue(later.isTransientFailure());
        assertEquals(354, replies.get(5).code());
        assertEquals(List.of(""), replies.get(5).lines());
        assertEquals(250, replies.get(6).code());
    }

    @Test
    void decodesWholeStream() throws Exception {
        checkExpected(decodeAll(STREAM.getBytes(UTF_8)));
    }

    @Test
    void decodesStreamSplitAtEveryByte() throws Exception {
        byte[] bytes = STREAM.getBytes(UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            checkExpected(decodeAll(bytes, cut));
        }
    }

    @Test
    void decodesStreamSplitAtEveryPairOfBytes() throws Exception {
        byte[] bytes = STREAM.getBytes(UTF_8);
        for (int a = 0; a <= bytes.length; a += 3) {
            for (int b = a; b <= bytes.length; b += 5) {
                checkExpected(decodeAll(bytes, a, b));
            }
        }
    }

    @Test
    void decodesByteByByte() throws Exception {
        byte[] bytes = STREAM.getBytes(UTF_8);
        int[] cuts = new int[bytes.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        checkExpected(decodeAll(bytes, cuts));
    }

    @Test
    void leavesPipelinedRepliesInTheBuffer() throws Exception {
        ScriptedReadable in = ScriptedReadable.piecewise().feed("250 a\r\n250 b\r\n354 go\r\n".getBytes(UTF_8));
        ReplyDecoder d = decoder(in, 512, 50, "test");
        assertEquals("a", next(d).lines().get(0));
        assertTrue(d.isMidReply(), "the pipelined replies wait in the decoder");
        assertEquals("b", next(d).lines().get(0));
        assertEquals(354, next(d).code());
        assertFalse(d.isMidReply());
        assertFalse(d.next().toCompletableFuture().isDone(), "no fourth reply");
    }

    private static String error(String input, int maxLine, int maxLines) {
        ScriptedReadable in = ScriptedReadable.piecewise().feed(input.getBytes(UTF_8));
        ReplyDecoder d = decoder(in, maxLine, maxLines, "mx.test:25");
        SmtpProtocolException e = assertThrows(SmtpProtocolException.class, () -> {
            while (next(d) != null) {
                // replies before the error
            }
        }, input);
        assertTrue(e.getMessage().startsWith("SMTP server mx.test:25 broke the reply grammar: "), e.getMessage());
        // The decoder stays failed.
        in.feed("250 ok\r\n".getBytes(UTF_8));
        assertThrows(SmtpProtocolException.class, () -> next(d));
        return e.getMessage();
    }

    @Test
    void rejectsGrammarViolationsWithClearMessages() {
        assertTrue(error("250 ok\n", 512, 10).contains("bare LF"));
        assertTrue(error("250 ok\rx\r\n", 512, 10).contains("bare CR"));
        assertTrue(error("25\r\n", 512, 10).contains("shorter than a reply code"));
        assertTrue(error("650 what\r\n", 512, 10).contains("does not start with a reply code"));
        assertTrue(error("160 what\r\n", 512, 10).contains("does not start with a reply code"));
        assertTrue(error("2x0 what\r\n", 512, 10).contains("does not start with a reply code"));
        assertTrue(error("260 what\r\n", 512, 10).contains("does not start with a reply code"));
        assertTrue(error("250_ok\r\n", 512, 10).contains("instead of a space or '-'"));
        assertTrue(error("250-a\r\n251 b\r\n", 512, 10).contains("changes its code from 250 to 251"));
        assertTrue(error("250 a\u0000b\r\n", 512, 10).contains("control character 0x0"));
        assertTrue(error("250 " + "x".repeat(100) + "\r\n", 64, 10).contains("longer than 64 bytes"));
        assertTrue(error("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", 512, 3).contains("more than 3 lines"));
    }

    @Test
    void midReplyIsTracked() throws Exception {
        ScriptedReadable in = ScriptedReadable.piecewise().feed("250-a\r\n".getBytes(UTF_8));
        ReplyDecoder d = decoder(in, 512, 50, "test");
        CompletableFuture<SmtpReply> f = d.next().toCompletableFuture();
        assertFalse(f.isDone());
        assertTrue(d.isMidReply());
        in.feed("250 b\r\n".getBytes(UTF_8));
        assertEquals(2, f.join().lines().size());
        assertFalse(d.isMidReply());
    }

    /**
     * Fuzz: mutations of a valid reply stream (bytes flipped, inserted, deleted) and random bytes, fed
     * in random pieces, must either decode into well-formed replies within the limits (then the end of
     * the stream) or raise SmtpProtocolException - never another exception. Bounded: a fixed number of
     * seeded cases.
     */
    @Test
    void fuzz() {
        byte[] valid = (STREAM + "250-a\r\n250-b\r\n250 c\r\n").getBytes(UTF_8);
        byte[] alphabet = "0123456789 -\r\n\t.".getBytes(UTF_8);
        Random rnd = new Random(20261126L);
        int decoded = 0;
        int failed = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] input;
            if (round % 10 == 0) {
                input = new byte[rnd.nextInt(200)];
                rnd.nextBytes(input);
            } else {
                List<Byte> bytes = new ArrayList<>();
                for (byte b : valid) {
                    bytes.add(b);
                }
                for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
                    int at = rnd.nextInt(bytes.size());
                    byte x = rnd.nextBoolean() ? alphabet[rnd.nextInt(alphabet.length)] : (byte) rnd.nextInt(256);
                    switch (rnd.nextInt(3)) {
                        case 0 -> bytes.set(at, x);
                        case 1 -> bytes.add(at, x);
                        default -> bytes.remove(at);
                    }
                }
                input = new byte[bytes.size()];
                for (int i = 0; i < input.length; i++) {
                    input[i] = bytes.get(i);
                }
            }
            ScriptedReadable in = ScriptedReadable.piecewise();
            int pos = 0;
            while (pos < input.length) {
                int n = 1 + rnd.nextInt(input.length - pos);
                in.feed(input, pos, pos + n);
                pos += n;
            }
            ReplyDecoder d = decoder(in.end(), 48, 6, "fuzz");
            try {
                SmtpReply r;
                while ((r = next(d)) != null) {
                    decoded++;
                    assertTrue(r.code() >= 200 && r.code() <= 559);
                    assertTrue(r.lines().size() <= 6);
                    r.lines().forEach(l -> assertTrue(l.getBytes(UTF_8).length <= 48 * 3));
                }
            } catch (SmtpProtocolException e) {
                failed++;
            }
        }
        assertTrue(decoded > 10_000, "the fuzz reached valid replies: " + decoded);
        assertTrue(failed > 1_000, "the fuzz reached errors: " + failed);
    }
}
