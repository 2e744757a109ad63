package org.rawsockets.irc.internal.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcProtocolException;
import org.rawsockets.irc.IrcText;

class IrcCodecTest {

    static IrcMessage parse(String s) throws IrcProtocolException {
        return IrcCodec.parseLine(s.getBytes(UTF_8), 512, "test");
    }

    static IrcMessage parseBytes(byte[] b) throws IrcProtocolException {
        return IrcCodec.parseLine(b, 512, "test");
    }

    @Test
    void parsesTagsSourceCommandAndParams() throws Exception {
        IrcMessage m = parse("@time=2026-12-04T01:02:03.456Z;account=al\\sice;+draft/x;id=a\\:b :nick!user@host.example"
                + " privmsg #chan :hello  there :) ");
        assertEquals(Map.of("time", "2026-12-04T01:02:03.456Z", "account", "al ice", "+draft/x", "", "id", "a;b"), m.tags());
        assertEquals("nick!user@host.example", m.source());
        assertEquals("nick", m.nick());
        assertEquals("user", m.user());
        assertEquals("host.example", m.host());
        assertEquals("PRIVMSG", m.command());
        assertEquals(List.of("#chan", "hello  there :) "), m.params());
        assertEquals("2026-12-04T01:02:03.456Z", m.serverTime().orElseThrow().toString());
        assertEquals("al ice", m.account().orElseThrow());

        IrcMessage n = parse(":irc.example.net 005 me CHANTYPES=# PREFIX=(ov)@+   :are supported\r");
        assertEquals(5, n.numeric());
        assertTrue(n.isNumeric());
        assertEquals("irc.example.net", n.nick());
        assertEquals(List.of("me", "CHANTYPES=#", "PREFIX=(ov)@+", "are supported"), n.params());
        assertEquals(List.of(""), parse("PING :").params());
        assertEquals(List.of("a", "b"), parse("MODE a b").params());
        assertEquals(List.of(), parse("QUIT").params());
        assertNull(parse(""));
        assertNull(parse("\r"));
        assertNull(parse("   "));
    }

    @Test
    void rejectsMalformedLines() {
        for (String bad : List.of("@a=b", "@a=b ", ":src", ":src ", ": PRIVMSG x", "PRIV-MSG x", "12 x", "1234 x", "#x y",
                ":a!b@c 00A x")) {
            assertThrows(IrcProtocolException.class, () -> parse(bad), bad);
        }
    }

    @Test
    void enforcesTheLineAndTagLimits() throws Exception {
        String base = ":s PRIVMSG #c :";
        String ok = base + "x".repeat(510 - base.length());
        assertEquals(510, ok.length());
        parse(ok);
        IrcProtocolException e = assertThrows(IrcProtocolException.class, () -> parse(ok + "x"));
        assertTrue(e.getMessage().contains("513 bytes") && e.getMessage().contains("512"), e.getMessage());
        // With tags: 8191 bytes of tags ("@" ... " ") are allowed besides the 512.
        String tagOk = "@k=" + "v".repeat(8191 - 4) + " ";
        assertEquals(8191, tagOk.length());
        assertEquals(8187, parse(tagOk + ok).tag("k").orElseThrow().length());
        e = assertThrows(IrcProtocolException.class, () -> parse("@k=v" + tagOk.substring(3) + ok));
        assertTrue(e.getMessage().contains("8192 bytes"), e.getMessage());
        // The server's LINELEN raises the message limit.
        IrcCodec.parseLine((ok + "xx").getBytes(UTF_8), 514, "t");
    }

    @Test
    void decodesUtf8AndFallsBackToCp1252() throws Exception {
        assertEquals("café €", parse(":a PRIVMSG b :café €").trailing());
        byte[] latin = ":a PRIVMSG b :caf\u00e9 \u0080".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals("café €", parseBytes(latin).trailing());
        // A truncated UTF-8 sequence, an overlong and a surrogate are not UTF-8.
        assertEquals("xÃ", parseBytes(new byte[] {'P', ' ', 'x', (byte) 0xC3}).trailing());
        assertTrue(!IrcCodec.isUtf8(new byte[] {(byte) 0xC0, (byte) 0x80}, 0, 2));
        assertTrue(!IrcCodec.isUtf8(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 0, 3));
        assertTrue(!IrcCodec.isUtf8(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, 0, 4));
        assertTrue(IrcCodec.isUtf8("😀 ü ह".getBytes(UTF_8), 0, "😀 ü ह".getBytes(UTF_8).length));
    }

    @Test
    void tagEscapingRoundTrips() throws Exception {
        // The IRCv3 test vectors (parser-tests msg-split.yaml).
        assertEquals("; \\\r\n", IrcCodec.unescapeTagValue("\\:\\s\\\\\\r\\n"));
        assertEquals("ab", IrcCodec.unescapeTagValue("a\\b\\"));
        assertEquals("\\:\\s\\\\\\r\\n", IrcCodec.escapeTagValue("; \\\r\n"));
        Random r = new Random(16);
        String alphabet = "ab;\\ \r\n=:s@é😀";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder v = new StringBuilder();
            int len = r.nextInt(12);
            for (int k = 0; k < len; k++) {
                v.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0,
                        alphabet.length())))));
            }
            String value = v.toString();
            assertEquals(value, IrcCodec.unescapeTagValue(IrcCodec.escapeTagValue(value)));
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put("k", value);
            tags.put("+vendor/x", "1");
            IrcMessage m = new IrcMessage(tags, "n!u@h", "PRIVMSG", List.of("#c", value.replaceAll("[\r\n]", "")));
            IrcMessage back = parse(m.toString());
            // A tag without value and one with an empty value are the same thing.
            assertEquals(m, back, m.toString());
        }
    }

    @Test
    void splitsAtTheByteLimitWithoutBreakingCharactersAndWordsWherePossible() {
        assertEquals(List.of("hello", "world"), IrcCodec.split("hello world", 8));
        assertEquals(List.of("abcdefgh", "ij"), IrcCodec.split("abcdefghij", 8));
        assertEquals(List.of("one", "two", "three"), IrcCodec.split("one\r\ntwo\nthree\n", 100));
        assertEquals(List.of("é😀", "é"), IrcCodec.split("é😀é", 6)); // 2 + 4 bytes, never a half
        Random r = new Random(42);
        String[] words = {"a", "word", "bärchen", "日本語", "😀😀", "x".repeat(40), "Ünïcödé"};
        for (int i = 0; i < 5_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = 1 + r.nextInt(40);
            for (int k = 0; k < n; k++) {
                b.append(k == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
            }
            int max = 4 + r.nextInt(60);
            List<String> parts = IrcCodec.split(b.toString(), max);
            StringBuilder joined = new StringBuilder();
            for (String p : parts) {
                byte[] bytes = p.getBytes(UTF_8);
                assertTrue(bytes.length <= max, p + " over " + max);
                assertEquals(p, new String(bytes, UTF_8), "a part with a broken character: " + p);
                joined.append(p);
            }
            // Nothing lost but the spaces at the cuts.
            assertEquals(b.toString().replace(" ", ""), joined.toString().replace(" ", ""));
            // Words that fit are never cut.
            for (String p : parts) {
                for (String w : p.split(" ")) {
                    if (!w.isEmpty() && w.getBytes(UTF_8).length <= max && parts.size() > 1) {
                        boolean whole = Arrays.asList(words).contains(w);
                        boolean pieceOfLongWord = Arrays.stream(words).anyMatch(o -> o.getBytes(UTF_8).length > max
                                && o.contains(w));
                        if (!whole && !pieceOfLongWord) {
                            fail("word cut although it fits in " + max + " bytes: '" + w + "' in " + parts);
                        }
                    }
                }
            }
        }
    }

    @Test
    void stripsFormattingAndReadsCtcp() {
        assertEquals("bold red on blue plain", IrcText.stripFormatting("\u0002bold\u0002 \u000304red\u0003 \u00034,12on"
                + " blue\u000F \u001D\u001Fplain\u0016\u001E\u0011"));
        assertEquals("hex x", IrcText.stripFormatting("\u0004FF00AA,00FF00hex\u0004 x"));
        assertEquals(" apples", IrcText.stripFormatting("\u00035 apples"));
        assertEquals(",x", IrcText.stripFormatting("\u00031,x"));
        assertEquals(new IrcText.Ctcp("ACTION", "waves"), IrcText.ctcp("\u0001ACTION waves\u0001").orElseThrow());
        assertEquals(new IrcText.Ctcp("VERSION", ""), IrcText.ctcp("\u0001version").orElseThrow());
        assertEquals("\u0001PING 123\u0001", IrcText.ctcp("PING", "123"));
        assertEquals("* bob waves", IrcText.plain("bob", "\u0001ACTION \u0002waves\u0001"));
        assertTrue(IrcText.ctcp("plain text").isEmpty());
    }

    /**
     * A seeded mutation fuzz: valid lines with bytes flipped, inserted, removed, duplicated and cut,
     * parsed from the middle of a larger array. Nothing but IrcProtocolException may escape, and
     * nothing outside the slice may be read.
     */
    @Test
    void mutationFuzzOnlyThrowsTheTypedErrorAndNeverReadsOutsideTheLine() {
        List<byte[]> corpus = new ArrayList<>();
        for (String s : List.of(
                "@time=2026-12-04T01:02:03.456Z;msgid=abc\\s1;+typing=active :nick!user@host PRIVMSG #chan :hello world",
                ":irc.example.net 353 me = #chan :@op +voice plain",
                ":irc.example.net 005 me CHANTYPES=# PREFIX=(qaohv)~&@%+ CHANMODES=beI,k,l,imnpst :are supported",
                "PING :irc.example.net", "@batch=x :n!u@h JOIN #c acct :Real Name", ":n!u@h QUIT :Ping timeout: 120 s",
                "CAP * LS * :sasl=PLAIN,EXTERNAL message-tags server-time", "ERROR :Closing link: (x@127.0.0.1) [Killed]",
                "AUTHENTICATE +", ":s 904 * :SASL authentication failed", ":n!u@h PRIVMSG #c :\u0001ACTION dances\u0001",
                ":n!u@h PRIVMSG #c :日本語 und Ümlaute 😀")) {
            corpus.add(s.getBytes(UTF_8));
        }
        Random r = new Random(0x16_16);
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] line = corpus.get(r.nextInt(corpus.size())).clone();
            int mutations = 1 + r.nextInt(6);
            for (int k = 0; k < mutations && line.length > 0; k++) {
                int at = r.nextInt(line.length);
                switch (r.nextInt(6)) {
                    case 0 -> line[at] = (byte) r.nextInt(256);
                    case 1 -> line[at] = " :@;=\\!\r\n\u0000".getBytes(UTF_8)[r.nextInt(10)];
                    case 2 -> {
                        byte[] n = new byte[line.length + 1];
                        System.arraycopy(line, 0, n, 0, at);
                        n[at] = (byte) r.nextInt(256);
                        System.arraycopy(line, at, n, at + 1, line.length - at);
                        line = n;
                    }
                    case 3 -> line = concat(Arrays.copyOf(line, at), Arrays.copyOfRange(line, Math.min(line.length, at + 1
                            + r.nextInt(5)), line.length));
                    case 4 -> line = Arrays.copyOf(line, at);
                    default -> line = concat(line, Arrays.copyOfRange(line, at, line.length));
                }
            }
            // The line in the middle of a buffer of '~' (which no line of the corpus holds).
            byte[] buf = new byte[line.length + 64];
            Arrays.fill(buf, (byte) '~');
            System.arraycopy(line, 0, buf, 32, line.length);
            long tildes = 0;
            for (byte x : line) {
                tildes += x == '~' ? 1 : 0;
            }
            try {
                IrcMessage m = IrcCodec.parse(buf, 32, line.length, 512, "fuzz");
                parsed++;
                if (m != null) {
                    long seen = m.toString().chars().filter(c -> c == '~').count();
                    assertTrue(seen <= tildes, "read outside the line: " + m);
                }
            } catch (IrcProtocolException e) {
                rejected++;
            } catch (RuntimeException e) {
                throw new AssertionError("the parser threw " + e + " for " + Arrays.toString(line), e);
            }
        }
        assertTrue(parsed > 3_000 && rejected > 1_000, parsed + " parsed, " + rejected + " rejected");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
