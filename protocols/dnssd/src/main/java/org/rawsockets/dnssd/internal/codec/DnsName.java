package org.rawsockets.dnssd.internal.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A domain name as its labels (UTF-8 text, RFC 6762 §16), compared case-insensitively for ASCII
 * letters. The text form escapes {@code .} and {@code \} inside a label with a backslash
 * (RFC 6763 §4.3), so an instance name such as {@code Office Printer 2.1} survives a round trip:
 * {@code Office Printer 2\.1._ipp._tcp.local}.
 */
public final class DnsName {

    /** Wire limits (RFC 1035 §2.3.4): a label up to 63 bytes, the whole name up to 255. */
    public static final int MAX_LABEL = 63;
    public static final int MAX_NAME = 255;

    private final List<String> labels;
    private final String key;

    private DnsName(List<String> labels) {
        this.labels = List.copyOf(labels);
        this.key = toString().toLowerCase(Locale.ROOT);
    }

    /**
     * From labels; checks the wire limits.
     *
     * @throws IllegalArgumentException naming the label or the length that breaks them
     */
    public static DnsName of(List<String> labels) {
        int wire = 1;
        for (String l : labels) {
            int n = l.getBytes(StandardCharsets.UTF_8).length;
            if (n == 0 || n > MAX_LABEL) {
                throw new IllegalArgumentException("DNS label '" + l + "' is " + n + " bytes; a label has 1.." + MAX_LABEL);
            }
            wire += n + 1;
        }
        if (wire > MAX_NAME) {
            throw new IllegalArgumentException("DNS name " + String.join(".", labels) + " is " + wire
                    + " bytes on the wire; a name has at most " + MAX_NAME);
        }
        return new DnsName(labels);
    }

    public static DnsName of(String... labels) {
        return of(List.of(labels));
    }

    /**
     * Parses the escaped text form ({@code \.} and {@code \\} inside labels, a trailing dot
     * ignored).
     */
    public static DnsName parse(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        String t = text.endsWith(".") && !text.endsWith("\\.") ? text.substring(0, text.length() - 1) : text;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '\\' && i + 1 < t.length()) {
                cur.append(t.charAt(++i));
            } else if (c == '.') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!t.isEmpty()) {
            out.add(cur.toString());
        }
        return of(out);
    }

    public List<String> labels() {
        return labels;
    }

    /** This name with {@code first} in front. */
    public DnsName prepend(String first) {
        List<String> l = new ArrayList<>(labels.size() + 1);
        l.add(first);
        l.addAll(labels);
        return of(l);
    }

    /** The name without its first {@code n} labels. */
    public DnsName suffix(int n) {
        return new DnsName(labels.subList(n, labels.size()));
    }

    /** Lower-case text form: the key names are compared by. */
    public String key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnsName n && n.key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (String l : labels) {
            if (b.length() > 0) {
                b.append('.');
            }
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (c == '.' || c == '\\') {
                    b.append('\\');
                }
                b.append(c);
            }
        }
        return b.toString();
    }
}
