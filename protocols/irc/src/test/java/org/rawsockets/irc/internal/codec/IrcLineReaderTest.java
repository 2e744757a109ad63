package org.rawsockets.irc.internal.codec;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.irc.IrcProtocolException;
import org.rawsockets.socket.testing.ScriptedReadable;

/** The line reader over the socket API's FrameReader, fed by a scripted readable. */
class IrcLineReaderTest {

    private static final byte[] STREAM = stream();

    private static byte[] stream() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((":irc.example.net 001 me :Welcome\r\n"
                + "@time=2026-12-04T01:02:03.000Z;label=a\\sb :n!u@h PRIVMSG #c :caf\u00e9 日本語 😀\r\n"
                + "\r\n" // blank line: skipped
                + "PING :bare-lf\n" // a broken server's bare LF
                + "\n").getBytes(UTF_8));
        b.writeBytes(":n!u@h PRIVMSG #c :caf\u00e9 in Latin-1\r\n".getBytes(ISO_8859_1));
        b.writeBytes((":s 005 me LINELEN=512 :are supported\r\n").getBytes(UTF_8));
        return b.toByteArray();
    }

    private static final List<String> EXPECTED = List.of(":irc.example.net 001 me Welcome",
            "@time=2026-12-04T01:02:03.000Z;label=a\\sb :n!u@h PRIVMSG #c :café 日本語 😀", "PING bare-lf",
            ":n!u@h PRIVMSG #c :café in Latin-1", ":s 005 me LINELEN=512 :are supported");

    /** Reads until the end or an error; the messages as strings, the error last. */
    private static void readAll(IrcLineReader r, List<Object> out) {
        r.next().whenComplete((res, e) -> {
            if (e != null) {
                out.add(e);
            } else if (res.done()) {
                out.add("END");
            } else {
                out.add(res.value().toString());
                readAll(r, out);
            }
        });
    }

    private static List<Object> expectedWithEnd() {
        List<Object> l = new ArrayList<>(EXPECTED);
        l.add("END");
        return l;
    }

    @Test
    void everySplitIntoTwoPiecesReadsTheSameMessages() {
        for (int cut = 0; cut <= STREAM.length; cut++) {
            ScriptedReadable s = new ScriptedReadable();
            IrcLineReader r = new IrcLineReader(s, "server test");
            List<Object> out = new ArrayList<>();
            readAll(r, out);
            s.feed(Arrays.copyOfRange(STREAM, 0, cut));
            s.feed(Arrays.copyOfRange(STREAM, cut, STREAM.length));
            s.end();
            assertEquals(expectedWithEnd(), out, "cut at " + cut);
        }
    }

    @Test
    void oneByteAtATimeReadsTheSameMessages() {
        ScriptedReadable s = new ScriptedReadable();
        IrcLineReader r = new IrcLineReader(s, "server test");
        List<Object> out = new ArrayList<>();
        readAll(r, out);
        for (byte x : STREAM) {
            s.feed(new byte[] {x});
        }
        s.end();
        assertEquals(expectedWithEnd(), out);
    }

    @Test
    void aLineWithoutEndFailsWithTheTypedErrorWithinTheBound() {
        ScriptedReadable s = new ScriptedReadable();
        IrcLineReader r = new IrcLineReader(s, "server test");
        List<Object> out = new ArrayList<>();
        readAll(r, out);
        byte[] junk = new byte[100_000];
        Arrays.fill(junk, (byte) 'x');
        s.feed(junk);
        assertEquals(1, out.size(), out.toString());
        IrcProtocolException e = assertInstanceOf(IrcProtocolException.class, out.get(0));
        assertTrue(e.getMessage().contains("8191 bytes of tags + 512"), e.getMessage());
    }

    @Test
    void aMessageOverTheLineLengthIsATypedErrorAndLineLenRaisesTheLimit() {
        String longLine = ":s PRIVMSG #c :" + "y".repeat(600) + "\r\n";
        ScriptedReadable s = new ScriptedReadable();
        IrcLineReader r = new IrcLineReader(s, "server test");
        List<Object> out = new ArrayList<>();
        readAll(r, out);
        s.feed(longLine.getBytes(UTF_8));
        IrcProtocolException e = assertInstanceOf(IrcProtocolException.class, out.get(0));
        assertTrue(e.getMessage().contains("over the line length limit of 512"), e.getMessage());

        ScriptedReadable s2 = new ScriptedReadable();
        IrcLineReader r2 = new IrcLineReader(s2, "server test");
        r2.lineLength(1024);
        List<Object> out2 = new ArrayList<>();
        readAll(r2, out2);
        s2.feed(longLine.getBytes(UTF_8));
        s2.end();
        assertEquals(2, out2.size(), out2.toString());
        assertEquals(600, IrcMessageLength.trailing(out2.get(0)));
    }

    /** Helper: the length of the trailing parameter of a message string. */
    private static final class IrcMessageLength {
        static int trailing(Object line) {
            try {
                return IrcCodec.parseLine(line.toString().getBytes(UTF_8), 4096, "t").trailing().length();
            } catch (IrcProtocolException e) {
                throw new AssertionError(e);
            }
        }
    }

}
