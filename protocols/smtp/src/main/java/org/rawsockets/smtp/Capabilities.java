package org.rawsockets.smtp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the server announced in its EHLO reply (empty after a HELO fallback).
 *
 * @param ehlo whether EHLO succeeded ({@code false}: the server only took HELO)
 * @param serverName the domain in the first line of the EHLO/HELO reply
 * @param keywords upper-case EHLO keyword to its parameters, in announcement order
 */
public record Capabilities(boolean ehlo, String serverName, Map<String, List<String>> keywords) {

    public Capabilities {
        keywords = Collections.unmodifiableMap(new LinkedHashMap<>(keywords));
    }

    /** Parses an EHLO reply: the first line is the server's name, the others are extensions. */
    public static Capabilities fromEhlo(SmtpReply reply) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        List<String> lines = reply.lines();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("[ =]+");
            String key = parts[0].toUpperCase(Locale.ROOT);
            List<String> params = new ArrayList<>();
            for (int p = 1; p < parts.length; p++) {
                params.add(parts[p]);
            }
            // "AUTH=LOGIN PLAIN" (old Outlook style) merges into AUTH.
            map.merge(key, List.copyOf(params), (a, b) -> {
                List<String> all = new ArrayList<>(a);
                b.stream().filter(x -> !all.contains(x)).forEach(all::add);
                return List.copyOf(all);
            });
        }
        String first = lines.get(0).strip();
        int sp = first.indexOf(' ');
        return new Capabilities(true, sp < 0 ? first : first.substring(0, sp), map);
    }

    /** After a HELO fallback: no extensions. */
    public static Capabilities helo(SmtpReply reply) {
        String first = reply.lines().get(0).strip();
        int sp = first.indexOf(' ');
        return new Capabilities(false, sp < 0 ? first : first.substring(0, sp), Map.of());
    }

    /** Whether the server announced {@code keyword} (case-insensitive). */
    public boolean has(String keyword) {
        return keywords.containsKey(keyword.toUpperCase(Locale.ROOT));
    }

    /** The AUTH mechanisms offered, upper case. */
    public Set<String> authMechanisms() {
        List<String> m = keywords.getOrDefault("AUTH", List.of());
        Set<String> out = new java.util.LinkedHashSet<>();
        m.forEach(x -> out.add(x.toUpperCase(Locale.ROOT)));
        return Collections.unmodifiableSet(out);
    }

    /**
     * The SIZE limit in bytes: empty when SIZE is not announced or announced without a limit
     * ({@code SIZE} or {@code SIZE 0}).
     */
    public OptionalLong sizeLimit() {
        List<String> p = keywords.get("SIZE");
        if (p == null || p.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long v = Long.parseLong(p.get(0));
            return v > 0 ? OptionalLong.of(v) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        keywords.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k)
                .append(v.isEmpty() ? "" : " " + String.join(" ", v)));
        return (ehlo ? "EHLO " : "HELO ") + serverName + " [" + sb + "]";
    }
}
