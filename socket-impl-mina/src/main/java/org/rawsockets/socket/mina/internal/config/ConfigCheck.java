package org.rawsockets.socket.mina.internal.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks of raw configuration properties (as Config Admin holds them, before Declarative Services or
 * Metatype coerce them) for this bundle's PIDs: strict booleans and numbers, unknown keys. Every
 * finding is one line that names the PID, the field, what is wrong with the value and the rule, so
 * that the one ERROR or WARN line in {@code log/gateway.log} is enough to fix it.
 */
public final class ConfigCheck {

    /** Standard keys that Config Admin, FileInstall and DS add to every configuration. */
    private static final List<String> STANDARD_PREFIXES = List.of("service.", "component.", "felix.", "osgi.");

    private ConfigCheck() {
    }

    /** One rejected value. {@link #getMessage()} is the whole log line after the PID. */
    public static final class Problem extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String field;

        public Problem(String field, Object value, String problem, String rule) {
            super("field '" + field + "'" + (value == null ? "" : " = '" + value + "'") + ": " + problem + "; rule: " + rule);
            this.field = field;
        }

        /** The property name. */
        public String field() {
            return field;
        }
    }

    /** The property names of a Metatype {@code @ObjectClassDefinition} (its methods), sorted. */
    public static List<String> keysOf(Class<?> ocd) {
        return java.util.Arrays.stream(ocd.getDeclaredMethods()).filter(m -> !m.isSynthetic())
                .map(java.lang.reflect.Method::getName).sorted().toList();
    }

    /** Whether {@code key} is one of the keys the framework adds (never reported as unknown). */
    public static boolean standardKey(String key) {
        for (String p : STANDARD_PREFIXES) {
            if (key.startsWith(p)) {
                return true;
            }
        }
        return key.equals("objectClass");
    }

    /**
     * The keys of {@code props} that are neither known, nor under a known prefix, nor standard, each
     * as one warning naming the nearest known key.
     *
     * @param known the known property names
     * @param prefixes known name prefixes (e.g. {@code grant.}); a key equal to a prefix without a
     *            suffix is unknown
     */
    public static List<String> unknownKeys(Map<String, ?> props, Collection<String> known, Collection<String> prefixes) {
        List<String> warnings = new ArrayList<>();
        for (String key : new TreeSet<>(props.keySet())) {
            if (known.contains(key) || standardKey(key)) {
                continue;
            }
            boolean prefixed = false;
            for (String p : prefixes) {
                prefixed |= key.startsWith(p) && key.length() > p.length();
            }
            if (prefixed) {
                continue;
            }
            List<String> candidates = new ArrayList<>(known);
            for (String p : prefixes) {
                candidates.add(p + "<name>");
            }
            String near = nearest(key, candidates);
            warnings.add("unknown key '" + key + "' is ignored"
                    + (near != null ? "; did you mean '" + near + "'?" : "") + " (known keys: "
                    + String.join(", ", new TreeSet<>(candidates)) + ")");
        }
        return warnings;
    }

    /** The known name closest to {@code key} (edit distance, case-insensitive), or null if none is close. */
    static String nearest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String k = key.toLowerCase(Locale.ROOT);
        for (String c : known) {
            String cand = c.endsWith("<name>") ? c.substring(0, c.length() - "<name>".length()) : c;
            String lc = cand.toLowerCase(Locale.ROOT);
            int d = distance(k.length() > lc.length() && c.endsWith("<name>") ? k.substring(0, lc.length()) : k, lc);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int limit = Math.max(2, key.length() / 3);
        return bestDistance <= limit ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * A boolean exactly as written: {@code true} or {@code false} (any case, surrounding blanks
     * ignored), or a Boolean. Anything else (e.g. {@code ture}) is a {@link Problem}, never false.
     */
    public static boolean bool(String key, Object raw, boolean dflt) {
        if (raw == null) {
            return dflt;
        }
        if (raw instanceof Boolean b) {
            return b;
        }
        String s = raw.toString().strip();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new Problem(key, raw, "not a boolean", "true or false");
    }

    /** A whole number in {@code min..max} as written (a Number or its decimal text). */
    public static long number(String key, Object raw, long dflt, long min, long max) {
        if (raw == null) {
            return dflt;
        }
        long v;
        if (raw instanceof Number n && !(raw instanceof Double) && !(raw instanceof Float)) {
            v = n.longValue();
        } else {
            try {
                v = Long.parseLong(raw.toString().strip());
            } catch (NumberFormatException e) {
                throw new Problem(key, raw, "not a whole number", range(min, max));
            }
        }
        if (v < min || v > max) {
            throw new Problem(key, raw, "out of range", range(min, max));
        }
        return v;
    }

    private static String range(long min, long max) {
        return max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "a whole number >= " + min : "a whole number in " + min + ".." + max;
    }

    /**
     * How a configuration is named in a log line: its PID, and the file it came from when FileInstall
     * made it.
     */
    public static String describe(String pid, Map<String, ?> props) {
        Object id = props.get("service.pid");
        Object file = props.get("felix.fileinstall.filename");
        String s = "PID " + (id != null ? id : pid);
        if (file != null) {
            String f = file.toString();
            try {
                f = java.nio.file.Path.of(java.net.URI.create(f)).toString();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                // keep the text
            }
            s += " (" + f + ")";
        }
        return s;
    }
}
