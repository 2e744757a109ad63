package org.rawsockets.console.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.Function;

import org.rawsockets.socket.admin.AuditEntry;

/**
 * Which audit entries a reader wants: outcome (exact), owner (a part of the bundle's
 * {@code symbolicName [id]} or of the web origin it acted for), destination (a part of what was asked
 * for or of the resolved address) and a time range ({@code since} inclusive, {@code until} exclusive).
 * Text matches ignore case; an absent or empty criterion matches everything.
 */
record AuditFilter(String outcome, String owner, String destination, Instant since, Instant until) {

    static final AuditFilter ALL = new AuditFilter(null, null, null, null, null);

    /** From the query parameters {@code outcome, owner, destination, since, until} (ISO-8601 instants). */
    static AuditFilter of(Function<String, String> params) {
        Instant since = instant(params.apply("since"), "since");
        Instant until = instant(params.apply("until"), "until");
        if (since != null && until != null && !until.isAfter(since)) {
            throw new HttpError(400, "until (" + until + ") must be after since (" + since + ")");
        }
        return new AuditFilter(blankToNull(params.apply("outcome")), lower(params.apply("owner")),
                lower(params.apply("destination")), since, until);
    }

    boolean matches(AuditEntry e) {
        if (outcome != null && !outcome.equalsIgnoreCase(e.outcome())) {
            return false;
        }
        if (owner != null && !e.owner().toLowerCase(Locale.ROOT).contains(owner)) {
            return false;
        }
        if (destination != null && !contains(e.destination(), destination) && !contains(e.address(), destination)) {
            return false;
        }
        if (since != null && e.time().isBefore(since)) {
            return false;
        }
        return until == null || e.time().isBefore(until);
    }

    private static boolean contains(String text, String part) {
        return text != null && text.toLowerCase(Locale.ROOT).contains(part);
    }

    private static Instant instant(String v, String name) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(v.trim());
        } catch (DateTimeParseException e) {
            throw new HttpError(400, name + " must be an ISO-8601 instant such as 2026-12-04T10:15:30Z, was '" + v + "'");
        }
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static String lower(String v) {
        String t = blankToNull(v);
        return t == null ? null : t.toLowerCase(Locale.ROOT);
    }
}
