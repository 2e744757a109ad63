package org.rawsockets.webbridge.internal.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The operator-issued client tokens. The configuration holds only each token's SHA-256, never the
 * token: entries {@code <client>:<sha256 hex>[:<last valid day, yyyy-mm-dd, UTC>]}, made by
 * {@code bridge:token <client> [days]}, which prints the token once.
 */
public final class Tokens {

    private static final Pattern CLIENT = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,128}");

    /** One configured token. */
    public record Entry(String client, byte[] sha256, LocalDate lastDay) {
    }

    /** The result of checking a presented token. */
    public record Check(String client, String refusal) {
        public boolean ok() {
            return refusal == null;
        }
    }

    private final List<Entry> entries;
    private final List<String> errors;
    private final Clock clock;

    private Tokens(List<Entry> entries, List<String> errors, Clock clock) {
        this.entries = List.copyOf(entries);
        this.errors = List.copyOf(errors);
        this.clock = clock;
    }

    /** Parses the configured entries; invalid ones are reported in {@link #errors()} and accept nothing. */
    public static Tokens parse(String[] configured, Clock clock) {
        List<Entry> entries = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String raw : configured == null ? new String[0] : configured) {
            for (String e : raw.split(",")) {
                String t = e.trim();
                if (t.isEmpty()) {
                    continue;
                }
                String[] f = t.split(":");
                String client = f[0];
                try {
                    if (f.length < 2 || f.length > 3 || !CLIENT.matcher(client).matches()) {
                        throw new IllegalArgumentException("must be <client>:<sha256 hex>[:<yyyy-mm-dd>]");
                    }
                    byte[] hash = HexFormat.of().parseHex(f[1]);
                    if (hash.length != 32) {
                        throw new IllegalArgumentException("the hash must be 64 hex digits (SHA-256)");
                    }
                    LocalDate last = f.length == 3 ? LocalDate.parse(f[2]) : null;
                    entries.add(new Entry(client, hash, last));
                } catch (IllegalArgumentException | DateTimeParseException ex) {
                    errors.add("tokens entry for '" + client + "': " + ex.getMessage()
                            + "; make one with bridge:token " + client);
                }
            }
        }
        return new Tokens(entries, errors, clock);
    }

    public List<String> errors() {
        return errors;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Checks a presented token ({@code null} when the page presented none). */
    public Check check(String presented) {
        if (presented == null || presented.isEmpty()) {
            return new Check(null, "no client token: the page must present an operator-issued token (WebSocket"
                    + " subprotocol 'bearer.<token>' or header 'Authorization: Bearer <token>')");
        }
        if (!TOKEN.matcher(presented).matches()) {
            return new Check(null, "the client token is malformed (16..128 characters of A-Z a-z 0-9 _ -)");
        }
        byte[] hash = sha256(presented);
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.sha256(), hash)) {
                if (e.lastDay() != null && LocalDate.now(clock.withZone(ZoneOffset.UTC)).isAfter(e.lastDay())) {
                    return new Check(e.client(), "the token of client '" + e.client() + "' expired after "
                            + e.lastDay() + " (UTC); the operator issues a new one with bridge:token " + e.client());
                }
                return new Check(e.client(), null);
            }
        }
        return new Check(null, "the client token is not known to this gateway (revoked, or issued by another"
                + " gateway); ask the operator for a token (bridge:token <client>)");
    }

    /** A new random token (32 bytes, base64url). */
    public static String newToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The configuration entry of {@code token} for {@code client}. */
    public static String entry(String client, String token, LocalDate lastDay) {
        if (!CLIENT.matcher(client).matches()) {
            throw new IllegalArgumentException("client name must be 1..64 characters of A-Z a-z 0-9 _ . @ -, was '"
                    + client + "'");
        }
        return client + ":" + HexFormat.of().formatHex(sha256(token)) + (lastDay == null ? "" : ":" + lastDay);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
