package org.rawsockets.irc;

import java.util.Optional;

/**
 * Text helpers for message bodies: removing the formatting codes (bold, colours, italics...) and
 * reading and writing CTCP requests ({@code \u0001ACTION waves\u0001}).
 */
public final class IrcText {

    /** The CTCP delimiter. */
    public static final char CTCP = '\u0001';

    private IrcText() {
    }

    /**
     * A CTCP request or reply: the command (upper case: ACTION, VERSION, PING, TIME...) and its
     * argument ("" without one).
     */
    public record Ctcp(String command, String argument) {
    }

    /**
     * Removes IRC formatting: bold (^B), colour (^C with up to two foreground and background
     * digits), hex colour (^D RRGGBB[,RRGGBB]), reset (^O), monospace (^Q), reverse (^V), italic
     * (^]), strike-through (^^) and underline (^_).
     */
    public static String stripFormatting(String s) {
        int n = s.length();
        StringBuilder b = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int skip;
            switch (c) {
                case '\u0002', '\u000F', '\u0011', '\u0016', '\u001D', '\u001E', '\u001F' -> skip = 0;
                case '\u0003' -> skip = colour(s, i + 1, 2, false) - i - 1;
                case '\u0004' -> skip = colour(s, i + 1, 6, true) - i - 1;
                default -> skip = -1;
            }
            if (skip < 0) {
                if (b != null) {
                    b.append(c);
                }
                continue;
            }
            if (b == null) {
                b = new StringBuilder(n);
                b.append(s, 0, i);
            }
            i += skip;
        }
        return b == null ? s : b.toString();
    }

    /** The end of a colour specification starting at {@code p}: fg[,bg] with up to {@code max} digits each. */
    private static int colour(String s, int p, int max, boolean hex) {
        int q = digits(s, p, max, hex);
        if (q == p) {
            return p;
        }
        if (q < s.length() && s.charAt(q) == ',') {
            int r = digits(s, q + 1, max, hex);
            if (r > q + 1) {
                return r;
            }
        }
        return q;
    }

    private static int digits(String s, int p, int max, boolean hex) {
        int q = p;
        while (q < s.length() && q - p < max
                && (Character.isDigit(s.charAt(q)) && s.charAt(q) < 128 || hex && "abcdefABCDEF".indexOf(s.charAt(q)) >= 0)) {
            q++;
        }
        if (hex && q - p != 6) {
            return p;
        }
        return q;
    }

    /** Whether the text is a CTCP message (starts with ^A). */
    public static boolean isCtcp(String text) {
        return text.length() >= 2 && text.charAt(0) == CTCP;
    }

    /** The CTCP request in {@code text}, if it is one; a missing closing ^A is tolerated. */
    public static Optional<Ctcp> ctcp(String text) {
        if (!isCtcp(text)) {
            return Optional.empty();
        }
        int end = text.length();
        if (text.charAt(end - 1) == CTCP) {
            end--;
        }
        String body = text.substring(1, end);
        int sp = body.indexOf(' ');
        String cmd = sp < 0 ? body : body.substring(0, sp);
        if (cmd.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Ctcp(cmd.toUpperCase(java.util.Locale.ROOT), sp < 0 ? "" : body.substring(sp + 1)));
    }

    /** A CTCP message body: {@code ctcp("ACTION", "waves")} is {@code "\u0001ACTION waves\u0001"}. */
    public static String ctcp(String command, String argument) {
        if (command.isEmpty() || command.indexOf(' ') >= 0 || command.indexOf(CTCP) >= 0) {
            throw new IllegalArgumentException("a CTCP command must be one word without ^A, was '" + command + "'");
        }
        if (argument != null && argument.indexOf(CTCP) >= 0) {
            throw new IllegalArgumentException("a CTCP argument must not contain ^A");
        }
        return CTCP + command + (argument == null || argument.isEmpty() ? "" : " " + argument) + CTCP;
    }

    /**
     * The readable text of a message body: formatting removed and an ACTION shown as
     * {@code "* nick text"}; other CTCP requests as {@code "[CTCP COMMAND argument]"}.
     */
    public static String plain(String nick, String text) {
        Optional<Ctcp> c = ctcp(text);
        if (c.isEmpty()) {
            return stripFormatting(text);
        }
        if (c.get().command().equals("ACTION")) {
            return "* " + nick + " " + stripFormatting(c.get().argument());
        }
        return "[CTCP " + c.get().command() + (c.get().argument().isEmpty() ? "" : " " + c.get().argument()) + "]";
    }
}
