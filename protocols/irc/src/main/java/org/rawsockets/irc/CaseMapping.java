package org.rawsockets.irc;

import java.util.Locale;

/** How the server compares nicknames and channel names (ISUPPORT CASEMAPPING). */
public enum CaseMapping {
    /** A-Z are a-z only. */
    ASCII,
    /** A-Z and []\~ are a-z and {}|^ (the default of RFC 1459 servers). */
    RFC1459,
    /** A-Z and []\ are a-z and {}| . */
    STRICT_RFC1459;

    /** The CASEMAPPING token's value as this enum; unknown values (rfc7613...) as ASCII. */
    public static CaseMapping of(String token) {
        return switch (token.toLowerCase(Locale.ROOT)) {
            case "rfc1459" -> RFC1459;
            case "strict-rfc1459" -> STRICT_RFC1459;
            default -> ASCII;
        };
    }

    /** The folded (lower-case) form under this mapping, for comparing names. */
    public String fold(String s) {
        char[] out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char f = c;
            if (c >= 'A' && c <= 'Z') {
                f = (char) (c + 32);
            } else if (this != ASCII && (c == '[' || c == ']' || c == '\\')) {
                f = (char) (c + 32);
            } else if (this == RFC1459 && c == '~') {
                f = '^';
            }
            if (f != c) {
                if (out == null) {
                    out = s.toCharArray();
                }
                out[i] = f;
            }
        }
        return out == null ? s : new String(out);
    }

    /** Whether {@code a} and {@code b} are the same name under this mapping. */
    public boolean equals(String a, String b) {
        return a.length() == b.length() && fold(a).equals(fold(b));
    }
}
