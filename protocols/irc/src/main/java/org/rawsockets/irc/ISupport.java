package org.rawsockets.irc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the server announced in its ISUPPORT (005) replies, with the defaults of RFC 1459 servers
 * for tokens it did not send. Immutable; {@link #with(java.util.List)} applies another 005 line.
 */
public final class ISupport {

    /** Before any 005: CHANTYPES=#&amp; PREFIX=(ov)@+ CHANMODES=b,k,l,imnpst CASEMAPPING=rfc1459. */
    public static final ISupport DEFAULTS = new ISupport(Map.of());

    private final Map<String, String> tokens;
    private final String chanTypes;
    private final String prefixModes;
    private final String prefixSymbols;
    private final String[] chanModes;
    private final CaseMapping caseMapping;

    private ISupport(Map<String, String> tokens) {
        this.tokens = Collections.unmodifiableMap(new LinkedHashMap<>(tokens));
        this.chanTypes = tokens.getOrDefault("CHANTYPES", "#&");
        String prefix = tokens.getOrDefault("PREFIX", "(ov)@+");
        int close = prefix.indexOf(')');
        if (prefix.startsWith("(") && close > 0 && prefix.length() - close - 1 == close - 1) {
            this.prefixModes = prefix.substring(1, close);
            this.prefixSymbols = prefix.substring(close + 1);
        } else {
            this.prefixModes = "";
            this.prefixSymbols = "";
        }
        String[] cm = tokens.getOrDefault("CHANMODES", "b,k,l,imnpst").split(",", -1);
        this.chanModes = new String[4];
        for (int i = 0; i < 4; i++) {
            chanModes[i] = i < cm.length ? cm[i] : "";
        }
        this.caseMapping = CaseMapping.of(tokens.getOrDefault("CASEMAPPING", "rfc1459"));
    }

    /**
     * This with the tokens of one 005 reply applied ({@code params} without the nick and the final
     * text): {@code NAME=value}, {@code NAME} and {@code -NAME} (removed).
     */
    public ISupport with(java.util.List<String> params) {
        Map<String, String> t = new LinkedHashMap<>(tokens);
        for (String p : params) {
            if (p.startsWith("-")) {
                t.remove(p.substring(1));
                continue;
            }
            int eq = p.indexOf('=');
            t.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "" : unescape(p.substring(eq + 1)));
        }
        return new ISupport(t);
    }

    private static String unescape(String v) {
        if (v.indexOf("\\x") < 0) {
            return v;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            if (v.startsWith("\\x", i) && i + 4 <= v.length()) {
                try {
                    b.append((char) Integer.parseInt(v.substring(i + 2, i + 4), 16));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape: keep it
                }
            }
            b.append(v.charAt(i));
        }
        return b.toString();
    }

    /** Every token announced, to its value ("" for a token without one). */
    public Map<String, String> tokens() {
        return tokens;
    }

    public Optional<String> token(String name) {
        return Optional.ofNullable(tokens.get(name));
    }

    /** The channel name prefixes (CHANTYPES), "#&amp;" by default. */
    public String chanTypes() {
        return chanTypes;
    }

    /** Whether {@code target} is a channel name (starts with one of CHANTYPES). */
    public boolean isChannel(String target) {
        return !target.isEmpty() && chanTypes.indexOf(target.charAt(0)) >= 0;
    }

    /** The member prefix modes, highest first ("ov" by default). */
    public String prefixModes() {
        return prefixModes;
    }

    /** The member prefix symbols, in the order of {@link #prefixModes()} ("@+" by default). */
    public String prefixSymbols() {
        return prefixSymbols;
    }

    /** CHANMODES group {@code i} (0: lists, 1: always a parameter, 2: a parameter when set, 3: none). */
    public String chanModes(int i) {
        return chanModes[i];
    }

    public CaseMapping caseMapping() {
        return caseMapping;
    }

    /** NICKLEN, or {@code fallback} if not announced or not a number. */
    public int nickLength(int fallback) {
        return number("NICKLEN", fallback);
    }

    /** LINELEN (the line limit with CR LF), 512 if not announced. */
    public int lineLength() {
        return number("LINELEN", 512);
    }

    /** MONITOR's limit of nicknames, 0 without MONITOR, -1 without a limit. */
    public int monitor() {
        String v = tokens.get("MONITOR");
        return v == null ? 0 : v.isEmpty() ? -1 : number("MONITOR", -1);
    }

    /** TARGMAX's limit for {@code command}, or {@code fallback}. */
    public int targetMax(String command, int fallback) {
        String v = tokens.get("TARGMAX");
        if (v == null) {
            return fallback;
        }
        for (String e : v.split(",")) {
            int colon = e.indexOf(':');
            if (colon > 0 && e.substring(0, colon).equalsIgnoreCase(command)) {
                String n = e.substring(colon + 1);
                try {
                    return n.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(n);
                } catch (NumberFormatException x) {
                    return fallback;
                }
            }
        }
        return fallback;
    }

    private int number(String name, int fallback) {
        try {
            return Integer.parseInt(tokens.getOrDefault(name, ""));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public String toString() {
        return tokens.toString();
    }
}
