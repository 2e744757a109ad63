package org.rawsockets.smtp.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import org.junit.jupiter.api.Test;

class MessageEncoderTest {

    private static String encode(String in, boolean dot, int... cuts) {
        MessageEncoder e = new MessageEncoder(dot);
        byte[] bytes = in.getBytes(ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int prev = 0;
        int[] all = java.util.Arrays.copyOf(cuts, cuts.length + 1);
        all[cuts.length] = bytes.length;
        for (int c : all) {
            byte[] o = new byte[MessageEncoder.maxEncodedLength(c - prev)];
            int n = e.encode(bytes, prev, c - prev, o, 0);
            out.write(o, 0, n);
            prev = c;
        }
        out.writeBytes(e.finish());
        return out.toString(ISO_8859_1);
    }

    @Test
    void dotStuffsAndTerminates() {
        assertEquals("a\r\n..b\r\n...\r\nc.\r\n.\r\n", encode("a\r\n.b\r\n..\r\nc.\r\n", true));
        assertEquals("..start\r\n.\r\n", encode(".start", true));
        assertEquals(".\r\n", encode("", true));
        assertEquals("x\r\n.\r\n", encode("x", true));
    }

    @Test
    void normalisesLineEndings() {
        assertEquals("a\r\nb\r\nc\r\n..d\r\n.\r\n", encode("a\nb\rc\n.d", true));
        assertEquals("a\r\n\r\nb\r\n", encode("a\r\rb", false));
        assertEquals(".x\r\n", encode(".x\n", false));
    }

    @Test
    void sameResultWhateverTheBlockBoundaries() {
        String msg = "Subject: t\n\n.\r\n..x\r.\n\r\n.\r\nend.";
        String expected = encode(msg, true);
        for (int a = 0; a <= msg.length(); a++) {
            for (int b = a; b <= msg.length(); b++) {
                assertEquals(expected, encode(msg, true, a, b));
            }
        }
    }

    /** Unstuffing (what a server does) gives back the CRLF-normalised input, for random inputs. */
    @Test
    void roundTripRandom() {
        Random rnd = new Random(7);
        byte[] alphabet = ".\r\nab".getBytes(ISO_8859_1);
        for (int round = 0; round < 2000; round++) {
            StringBuilder sb = new StringBuilder();
            for (int i = rnd.nextInt(60); i > 0; i--) {
                sb.append((char) alphabet[rnd.nextInt(alphabet.length)]);
            }
            String in = sb.toString();
            String wire = encode(in, true, rnd.nextInt(in.length() + 1));
            String normalised = in.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
            if (!normalised.isEmpty() && !normalised.endsWith("\r\n")) {
                normalised += "\r\n";
            }
            assertEquals(normalised, unstuff(wire), in);
        }
    }

    /** RFC 5321 4.5.2 receiver side. */
    private static String unstuff(String wire) {
        StringBuilder out = new StringBuilder();
        for (String line : wire.split("\r\n", -1)) {
            if (line.equals(".")) {
                return out.toString();
            }
            out.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
        }
        throw new AssertionError("no terminator in " + wire);
    }
}
