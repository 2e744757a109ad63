package org.rawsockets.dnssd.internal.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The key/value reading of TXT data (RFC 6763 §6): each string is {@code key=value} (value any
 * bytes, possibly empty) or a bare {@code key} (a boolean attribute, present without a value). Keys
 * are printable US-ASCII without {@code =}, compared case-insensitively; a string with an empty or
 * invalid key is ignored; when a key appears again, the first occurrence wins (§6.4). A TXT record
 * holding one empty string (the required minimum) has no attributes.
 */
public final class TxtAttributes {

    private final Map<String, byte[]> values; // lower-case key -> value, null: boolean attribute
    private final Map<String, String> keys; // lower-case key -> key as sent

    private TxtAttributes(Map<String, byte[]> values, Map<String, String> keys) {
        this.values = values;
        this.keys = keys;
    }

    public static TxtAttributes of(DnsRecord.Txt txt) {
        Map<String, byte[]> values = new LinkedHashMap<>();
        Map<String, String> keys = new LinkedHashMap<>();
        for (byte[] s : txt.strings()) {
            int eq = indexOf(s, (byte) '=');
            int keyEnd = eq < 0 ? s.length : eq;
            if (keyEnd == 0 || !printableKey(s, keyEnd)) {
                continue;
            }
            String key = new String(s, 0, keyEnd, StandardCharsets.US_ASCII);
            String lower = key.toLowerCase(Locale.ROOT);
            if (values.containsKey(lower)) {
                continue;
            }
            values.put(lower, eq < 0 ? null : java.util.Arrays.copyOfRange(s, eq + 1, s.length));
            keys.put(lower, key);
        }
        return new TxtAttributes(values, keys);
    }

    /** TXT data from {@code key=value} / bare {@code key} strings (UTF-8); none: one empty string. */
    public static DnsRecord.Txt encode(Map<String, String> attributes) {
        List<byte[]> strings = new ArrayList<>();
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            String s = e.getValue() == null ? e.getKey() : e.getKey() + "=" + e.getValue();
            strings.add(s.getBytes(StandardCharsets.UTF_8));
        }
        if (strings.isEmpty()) {
            strings.add(new byte[0]);
        }
        return new DnsRecord.Txt(strings);
    }

    private static int indexOf(byte[] s, byte b) {
        for (int i = 0; i < s.length; i++) {
            if (s[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean printableKey(byte[] s, int end) {
        for (int i = 0; i < end; i++) {
            if (s[i] < 0x20 || s[i] > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** Whether the key is present (with or without a value). */
    public boolean has(String key) {
        return values.containsKey(key.toLowerCase(Locale.ROOT));
    }

    /** The value's bytes; empty when absent or a boolean attribute (see {@link #has}). */
    public Optional<byte[]> bytes(String key) {
        byte[] v = values.get(key.toLowerCase(Locale.ROOT));
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    /** The value as UTF-8 text; empty when absent or a boolean attribute. */
    public Optional<String> value(String key) {
        return bytes(key).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * Keys as sent, in order, to their UTF-8 values; a boolean attribute maps to the empty string
     * (use {@link #has} and {@link #value} to tell {@code key} from {@code key=}).
     */
    public Map<String, String> asStrings() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            out.put(keys.get(e.getKey()), e.getValue() == null ? "" : new String(e.getValue(), StandardCharsets.UTF_8));
        }
        return Collections.unmodifiableMap(out);
    }

    public int size() {
        return values.size();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            if (b.length() > 1) {
                b.append(' ');
            }
            b.append(keys.get(e.getKey()));
            if (e.getValue() != null) {
                b.append('=').append(new String(e.getValue(), StandardCharsets.UTF_8));
            }
        }
        return b.append(']').toString();
    }
}
