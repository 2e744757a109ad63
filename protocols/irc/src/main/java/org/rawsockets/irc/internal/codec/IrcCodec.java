package org.rawsockets.irc.internal.codec;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcProtocolException;

/**
 * The IRC line codec without transport: parsing one line (tags, source, command, parameters) with
 * the limits, tag escaping, text decoding (UTF-8, or CP1252 when the bytes are not UTF-8), encoding,
 * and splitting a text at a byte limit.
 *
 * <p>Limits (RFC 1459 2.3, IRCv3 message-tags): the message without tags is at most
 * {@code lineLength} bytes including CR LF (512 unless the server announces LINELEN); the tag
 * section (from '@' to the space after it) at most {@value #MAX_TAGS} bytes.
 */
public final class IrcCodec {

    public static final int DEFAULT_LINE_LENGTH = 512;
    /** The largest LINELEN this client accepts from a server. */
    public static final int MAX_LINE_LENGTH = 8192;
    public static final int MAX_TAGS = 8191;

    private static final Charset CP1252 = cp1252();

    private IrcCodec() {
    }

    private static Charset cp1252() {
        try {
            return Charset.forName("windows-1252");
        } catch (RuntimeException e) {
            return ISO_8859_1;
        }
    }

    // ------------------------------------------------------------------ parsing

    /**
     * Parses {@code line} (without CR LF; a trailing CR is removed).
     *
     * @param lineLength the limit of the message without tags, CR LF included
     * @param where names the peer for messages ("server irc.example.net:6697")
     * @return the message, or null for a blank line
     * @throws IrcProtocolException malformed or over the limits
     */
    public static IrcMessage parseLine(byte[] line, int lineLength, String where) throws IrcProtocolException {
        return parse(line, 0, line.length, lineLength, where);
    }

    /** As {@link #parseLine} for {@code b[off, off+len)}; reads nothing outside that range. */
    public static IrcMessage parse(byte[] b, int off, int len, int lineLength, String where)
            throws IrcProtocolException {
        int end = off + len;
        if (end > off && b[end - 1] == '\r') {
            end--;
        }
        for (int i = off; i < end; i++) {
            byte x = b[i];
            if (x == 0 || x == '\r' || x == '\n') {
                throw new IrcProtocolException(where + " sent a line with a " + (x == 0 ? "NUL" : x == '\r' ? "CR" : "LF")
                        + " inside: " + excerpt(b, off, end));
            }
        }
        int p = off;
        Map<String, String> tags = Map.of();
        if (p < end && b[p] == '@') {
            int sp = indexOf(b, p, end, (byte) ' ');
            if (sp < 0) {
                throw new IrcProtocolException(where + " sent a line with tags and no command: " + excerpt(b, off, end));
            }
            if (sp + 1 - p > MAX_TAGS) {
                throw new IrcProtocolException(where + " sent a tag section of " + (sp + 1 - p)
                        + " bytes, over the IRCv3 limit of " + MAX_TAGS + " bytes: " + excerpt(b, off, end));
            }
            tags = parseTags(decode(b, p + 1, sp));
            p = sp + 1;
        }
        while (p < end && b[p] == ' ') {
            p++;
        }
        if (end - p > lineLength - 2) {
            throw new IrcProtocolException(where + " sent a message of " + (end - p + 2) + " bytes (with CR LF), over the"
                    + " line length limit of " + lineLength + " bytes: " + excerpt(b, p, end));
        }
        if (p == end) {
            if (!tags.isEmpty()) {
                throw new IrcProtocolException(where + " sent a line with tags and no command: " + excerpt(b, off, end));
            }
            return null;
        }
        return parseRest(tags, decode(b, p, end), where);
    }

    private static IrcMessage parseRest(Map<String, String> tags, String s, String where) throws IrcProtocolException {
        int n = s.length();
        int p = 0;
        String source = null;
        if (s.charAt(0) == ':') {
            int sp = s.indexOf(' ');
            if (sp < 0 || sp == 1) {
                throw new IrcProtocolException(where + " sent a line with " + (sp == 1 ? "an empty source" : "no command")
                        + ": " + cut(s));
            }
            source = s.substring(1, sp);
            p = sp + 1;
            while (p < n && s.charAt(p) == ' ') {
                p++;
            }
        }
        int cmdEnd = s.indexOf(' ', p);
        if (cmdEnd < 0) {
            cmdEnd = n;
        }
        if (cmdEnd == p) {
            throw new IrcProtocolException(where + " sent a line without a command: " + cut(s));
        }
        String command = command(s, p, cmdEnd, where);
        p = cmdEnd;
        String[] params = new String[4];
        int count = 0;
        while (p < n) {
            while (p < n && s.charAt(p) == ' ') {
                p++;
            }
            if (p >= n) {
                break;
            }
            String param;
            if (s.charAt(p) == ':') {
                param = s.substring(p + 1);
                p = n;
            } else {
                int sp = s.indexOf(' ', p);
                if (sp < 0) {
                    sp = n;
                }
                param = s.substring(p, sp);
                p = sp;
            }
            if (count == params.length) {
                params = Arrays.copyOf(params, count * 2);
            }
            params[count++] = param;
        }
        return new IrcMessage(tags, source, command, Arrays.asList(count == params.length ? params
                : Arrays.copyOf(params, count)));
    }

    private static String command(String s, int from, int to, String where) throws IrcProtocolException {
        boolean digits = to - from == 3;
        boolean letters = true;
        boolean upper = true;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                digits = false;
            }
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                letters = false;
            }
            if (c >= 'a' && c <= 'z') {
                upper = false;
            }
        }
        if (!digits && !letters) {
            throw new IrcProtocolException(where + " sent a line whose command '" + cut(s.substring(from, to))
                    + "' is neither letters nor a three-digit numeric: " + cut(s));
        }
        String c = s.substring(from, to);
        return upper ? c : c.toUpperCase(java.util.Locale.ROOT);
    }

    /** Parses a tag section (without '@' and the final space). Empty items are ignored; the last duplicate wins. */
    static Map<String, String> parseTags(String t) {
        Map<String, String> tags = new LinkedHashMap<>();
        int p = 0;
        int n = t.length();
        while (p <= n) {
            int semi = t.indexOf(';', p);
            if (semi < 0) {
                semi = n;
            }
            if (semi > p) {
                int eq = t.indexOf('=', p);
                if (eq < 0 || eq > semi) {
                    tags.put(t.substring(p, semi), "");
                } else if (eq > p) {
                    tags.put(t.substring(p, eq), unescapeTagValue(t, eq + 1, semi));
                }
            }
            p = semi + 1;
        }
        return tags.isEmpty() ? Map.of() : Collections.unmodifiableMap(tags);
    }

    // ------------------------------------------------------------------ tag escaping

    /** Unescapes an IRCv3 tag value: \: ; \s space \\ \r \n; another escaped char is itself; a final \ is dropped. */
    public static String unescapeTagValue(String v) {
        return unescapeTagValue(v, 0, v.length());
    }

    static String unescapeTagValue(String v, int from, int to) {
        int bs = v.indexOf('\\', from);
        if (bs < 0 || bs >= to) {
            return v.substring(from, to);
        }
        StringBuilder b = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (++i >= to) {
                break;
            }
            char e = v.charAt(i);
            switch (e) {
                case ':' -> b.append(';');
                case 's' -> b.append(' ');
                case 'r' -> b.append('\r');
                case 'n' -> b.append('\n');
                default -> b.append(e);
            }
        }
        return b.toString();
    }

    /** Escapes an IRCv3 tag value into {@code b}. */
    public static void escapeTagValue(String v, StringBuilder b) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case ';' -> b.append("\\:");
                case ' ' -> b.append("\\s");
                case '\\' -> b.append("\\\\");
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
    }

    public static String escapeTagValue(String v) {
        StringBuilder b = new StringBuilder(v.length() + 8);
        escapeTagValue(v, b);
        return b.toString();
    }

    // ------------------------------------------------------------------ text

    /** Decodes {@code b[from, to)}: ASCII and valid UTF-8 as UTF-8, anything else as CP1252 (Latin-1 superset). */
    public static String decode(byte[] b, int from, int to) {
        int i = from;
        while (i < to && b[i] >= 0) {
            i++;
        }
        if (i == to) {
            return new String(b, from, to - from, ISO_8859_1); // ASCII: the cheapest exact decoding
        }
        return isUtf8(b, i, to) ? new String(b, from, to - from, UTF_8) : new String(b, from, to - from, CP1252);
    }

    /** Whether {@code b[from, to)} is well-formed UTF-8 (no overlongs, surrogates or code points over U+10FFFF). */
    public static boolean isUtf8(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int n;
            int min;
            if (c >= 0xC2 && c <= 0xDF) {
                n = 1;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                n = 2;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                n = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + n >= to) {
                return false; // truncated sequence
            }
            int cp = c & (0x3F >> n);
            for (int k = 1; k <= n; k++) {
                int x = b[i + k] & 0xff;
                if ((x & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (x & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return false;
            }
            i += n + 1;
        }
        return true;
    }

    // ------------------------------------------------------------------ encoding

    /** Checks a command for {@link IrcMessage}'s constructor. */
    public static String checkCommand(String command) {
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("an IRC message needs a command");
        }
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == ' ' || c == '\r' || c == '\n' || c == 0 || c == ':') {
                throw new IllegalArgumentException("IRC command '" + command
                        + "' must not contain spaces, ':', CR, LF or NUL");
            }
        }
        return command;
    }

    /** Checks the parameters for {@link IrcMessage}'s constructor; returns an unmodifiable copy. */
    public static List<String> checkParams(List<String> params) {
        if (params == null || params.isEmpty()) {
            return List.of();
        }
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            if (p == null) {
                throw new IllegalArgumentException("IRC parameter " + i + " is null");
            }
            for (int k = 0; k < p.length(); k++) {
                char c = p.charAt(k);
                if (c == '\r' || c == '\n' || c == 0) {
                    throw new IllegalArgumentException("IRC parameter " + i + " contains CR, LF or NUL (it would inject"
                            + " another line): '" + cut(p) + "'");
                }
            }
            if (i < params.size() - 1 && (p.isEmpty() || p.indexOf(' ') >= 0 || p.charAt(0) == ':')) {
                throw new IllegalArgumentException("IRC parameter " + i + " ('" + cut(p) + "') is not the last one, so it"
                        + " must be non-empty, without spaces and not start with ':'");
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(params));
    }

    /** The message as bytes on the wire: UTF-8, CR LF appended. */
    public static byte[] encode(IrcMessage m) {
        byte[] text = m.toString().getBytes(UTF_8);
        byte[] out = Arrays.copyOf(text, text.length + 2);
        out[text.length] = '\r';
        out[text.length + 1] = '\n';
        return out;
    }

    // ------------------------------------------------------------------ splitting

    /**
     * Splits {@code text} into pieces of at most {@code maxBytes} UTF-8 bytes each: at line breaks
     * (CR, LF), at the last space within the limit when there is one (the space is dropped), else
     * between two code points (never inside a UTF-8 sequence or a surrogate pair). Empty lines are
     * dropped.
     */
    public static List<String> split(String text, int maxBytes) {
        if (maxBytes < 4) {
            throw new IllegalArgumentException("maxBytes must be at least 4 (one code point), was " + maxBytes);
        }
        List<String> out = new ArrayList<>();
        for (String line : text.split("\r\n|\r|\n")) {
            splitLine(line, maxBytes, out);
        }
        return out;
    }

    private static void splitLine(String s, int maxBytes, List<String> out) {
        int start = 0;
        int n = s.length();
        while (start < n) {
            int bytes = 0;
            int i = start;
            int lastSpace = -1;
            while (i < n) {
                int cp = s.codePointAt(i);
                int w = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (bytes + w > maxBytes) {
                    break;
                }
                if (cp == ' ') {
                    lastSpace = i;
                }
                bytes += w;
                i += Character.charCount(cp);
            }
            if (i >= n) {
                out.add(s.substring(start));
                return;
            }
            boolean atSpace = s.charAt(i) == ' ';
            int cut = atSpace ? i : lastSpace > start ? lastSpace : i;
            out.add(s.substring(start, cut));
            start = atSpace || cut == lastSpace ? cut + 1 : cut; // the space at the cut is dropped
        }
    }

    // ------------------------------------------------------------------ helpers

    private static int indexOf(byte[] b, int from, int to, byte x) {
        for (int i = from; i < to; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static String excerpt(byte[] b, int from, int to) {
        return cut(decode(b, from, Math.min(to, from + 120))) + (to - from > 120 ? "..." : "");
    }

    private static String cut(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
