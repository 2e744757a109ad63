package org.rawsockets.protocols.httpauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * HTTP authentication, client side: answers the challenges of a {@code WWW-Authenticate} (a server's
 * 401) or {@code Proxy-Authenticate} (a proxy's 407) header with Basic (RFC 7617) or Digest (RFC 7616:
 * MD5, SHA-256 and SHA-512-256, each also "-sess"; qop "auth" or none, as RFC 2069 servers send;
 * {@code userhash}). Of the challenges offered it takes the strongest it can answer: Digest with the
 * strongest algorithm, Basic only when no Digest is offered, and never Basic when made {@code digestOnly}.
 * Holds the challenge taken, so that later requests authenticate at once (Digest counts its nonce's uses).
 * The password is given to each {@link #authorization} call and not kept.
 */
public final class HttpAuth {

    /** One challenge: the scheme in lower case and its parameters (names in lower case), or its token68. */
    public record Challenge(String scheme, Map<String, String> params, String token68) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Digest algorithms from the strongest (RFC 7616 section 3.7's names, upper case). */
    private static final List<String> DIGESTS = List.of("SHA-512-256", "SHA-256", "MD5");
    /** At most this many challenges are read from one header value. */
    static final int MAX_CHALLENGES = 16;

    private final String user;
    private final boolean digestOnly;
    private final Supplier<String> cnonces;
    private Challenge current;
    private int nonceCount;

    /**
     * @param user the user name (no ':' for Basic)
     * @param digestOnly true: a server or proxy that offers Basic only is not answered (the password would
     *            go in clear)
     */
    public HttpAuth(String user, boolean digestOnly) {
        this(user, digestOnly, HttpAuth::randomCnonce);
    }

    HttpAuth(String user, boolean digestOnly, Supplier<String> cnonces) {
        this.user = user;
        this.digestOnly = digestOnly;
        this.cnonces = cnonces;
    }

    /** Answers with Basic from the first request on, before any challenge (the caller knows the server wants it). */
    public synchronized void basicFirst() {
        current = new Challenge("basic", Map.of(), null);
    }

    /**
     * Takes the challenges of a 401 or 407 (the header's values, each a list of challenges).
     *
     * @param alreadyTried whether the request that got them carried this instance's authorization
     * @return false when none can be answered: no Digest or (unless digest-only) Basic offered, or the
     *         credentials were already sent and the server did not say the nonce was only stale (they are
     *         wrong)
     */
    public synchronized boolean challenge(List<String> headerValues, boolean alreadyTried) {
        Challenge best = null;
        int bestRank = Integer.MAX_VALUE;
        for (String h : headerValues) {
            for (Challenge c : parse(h)) {
                int rank = rank(c);
                if (rank < bestRank) {
                    best = c;
                    bestRank = rank;
                }
            }
        }
        if (best == null || alreadyTried && !"true".equalsIgnoreCase(best.params().get("stale"))) {
            return false;
        }
        current = best;
        nonceCount = 0;
        return true;
    }

    /** 0.. for the Digest algorithms from the strongest, then Basic; MAX_VALUE when not answerable. */
    private int rank(Challenge c) {
        if (c.scheme().equals("digest")) {
            Map<String, String> p = c.params();
            int a = DIGESTS.indexOf(baseAlgorithm(p));
            return a < 0 || p.get("nonce") == null || p.get("realm") == null || qop(p) == null ? Integer.MAX_VALUE : a;
        }
        return c.scheme().equals("basic") && !digestOnly ? DIGESTS.size() : Integer.MAX_VALUE;
    }

    /**
     * The schemes {@code headerValues} offer, for a message, e.g. {@code "Digest (MD5), NTLM"}.
     */
    public static String offered(List<String> headerValues) {
        List<String> names = new ArrayList<>();
        for (String h : headerValues) {
            for (Challenge c : parse(h)) {
                String n = c.scheme().equals("digest")
                        ? "Digest (" + c.params().getOrDefault("algorithm", "MD5") + ")"
                        : c.scheme().equals("ntlm") ? "NTLM"
                        : c.scheme().substring(0, 1).toUpperCase(Locale.ROOT) + c.scheme().substring(1);
                if (!names.contains(n)) {
                    names.add(n);
                }
            }
        }
        return names.isEmpty() ? "no scheme" : String.join(", ", names);
    }

    /** What this instance answers, for a message. */
    public static String answers(boolean digestOnly) {
        return digestOnly ? "Digest (SHA-512-256, SHA-256, MD5)" : "Digest (SHA-512-256, SHA-256, MD5) and Basic";
    }

    public synchronized boolean hasChallenge() {
        return current != null;
    }

    /** The scheme answered, e.g. {@code "Digest (SHA-256)"}, or {@code "none"} before any challenge. */
    public synchronized String scheme() {
        if (current == null) {
            return "none";
        }
        return current.scheme().equals("basic") ? "Basic"
                : "Digest (" + current.params().getOrDefault("algorithm", "MD5") + ")";
    }

    /**
     * The {@code Authorization} or {@code Proxy-Authorization} header value for a request, or {@code null}
     * before any challenge.
     *
     * @param method the request's method, e.g. {@code CONNECT}
     * @param uri the request target as sent, e.g. {@code /ipp/print} or, for CONNECT, {@code host:port}
     * @param password the password in UTF-8; read, not kept (the caller clears it)
     */
    public synchronized String authorization(String method, String uri, byte[] password) {
        if (current == null) {
            return null;
        }
        if (current.scheme().equals("basic")) {
            byte[] u = (user + ":").getBytes(StandardCharsets.UTF_8);
            byte[] all = Arrays.copyOf(u, u.length + password.length);
            System.arraycopy(password, 0, all, u.length, password.length);
            String value = "Basic " + Base64.getEncoder().encodeToString(all);
            Arrays.fill(all, (byte) 0);
            return value;
        }
        Map<String, String> p = current.params();
        String algorithm = p.getOrDefault("algorithm", "MD5");
        String base = baseAlgorithm(p);
        boolean sess = algorithm.toUpperCase(Locale.ROOT).endsWith("-SESS");
        String realm = p.get("realm");
        String nonce = p.get("nonce");
        String qop = qop(p);
        String cnonce = cnonces.get();
        String ha1;
        MessageDigest md = digest(base);
        md.update((user + ":" + realm + ":").getBytes(StandardCharsets.UTF_8));
        md.update(password);
        ha1 = HexFormat.of().formatHex(md.digest());
        if (sess) {
            ha1 = hash(base, ha1 + ":" + nonce + ":" + cnonce);
        }
        String ha2 = hash(base, method + ":" + uri);
        StringBuilder b = new StringBuilder("Digest ");
        if ("true".equalsIgnoreCase(p.get("userhash"))) {
            b.append("username=\"").append(hash(base, user + ":" + realm)).append("\", userhash=true");
        } else if (user.chars().allMatch(ch -> ch >= ' ' && ch < 0x7f)) {
            b.append("username=\"").append(quote(user)).append('"');
        } else { // RFC 7616 section 3.4.4: username* in the extended notation of RFC 8187
            b.append("username*=UTF-8''").append(percent(user));
        }
        b.append(", realm=\"").append(quote(realm)).append("\", nonce=\"").append(quote(nonce)).append("\", uri=\"")
                .append(quote(uri)).append("\", algorithm=").append(algorithm);
        String response;
        if (!qop.isEmpty()) {
            String nc = String.format("%08x", ++nonceCount);
            response = hash(base, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
            b.append(", qop=").append(qop).append(", nc=").append(nc).append(", cnonce=\"").append(cnonce).append('"');
        } else {
            response = hash(base, ha1 + ":" + nonce + ":" + ha2);
        }
        b.append(", response=\"").append(response).append('"');
        if (p.containsKey("opaque")) {
            b.append(", opaque=\"").append(quote(p.get("opaque"))).append('"');
        }
        return b.toString();
    }

    /** "auth" when offered, "" when the challenge has no qop (RFC 2069), null when only others (auth-int). */
    private static String qop(Map<String, String> p) {
        String qop = p.get("qop");
        if (qop == null) {
            return "";
        }
        for (String q : qop.split(",")) {
            if (q.strip().equalsIgnoreCase("auth")) {
                return "auth";
            }
        }
        return null;
    }

    /** The algorithm without "-sess", upper case. */
    private static String baseAlgorithm(Map<String, String> p) {
        String a = p.getOrDefault("algorithm", "MD5").toUpperCase(Locale.ROOT);
        return a.endsWith("-SESS") ? a.substring(0, a.length() - 5) : a;
    }

    private static MessageDigest digest(String base) {
        try {
            return MessageDigest.getInstance(base.equals("SHA-512-256") ? "SHA-512/256" : base);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no " + base + " message digest", e);
        }
    }

    static String hash(String base, String s) {
        return HexFormat.of().formatHex(digest(base).digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static String randomCnonce() {
        byte[] cn = new byte[16];
        RANDOM.nextBytes(cn);
        return HexFormat.of().formatHex(cn);
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String percent(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        return b.toString();
    }

    /**
     * Parses one header value: a list of challenges, each {@code scheme [token68 | name=value, ...]}
     * (RFC 9110 section 11.6.1), values as tokens or quoted strings. A malformed rest (an unterminated
     * quoted string, a character where none fits) ends the list: what was complete before it is returned.
     * At most {@value #MAX_CHALLENGES} challenges.
     */
    public static List<Challenge> parse(String header) {
        List<Challenge> out = new ArrayList<>();
        Cursor c = new Cursor(header);
        while (out.size() < MAX_CHALLENGES) {
            c.skip(" \t,");
            String scheme = c.token();
            if (scheme.isEmpty()) {
                break;
            }
            Map<String, String> params = new LinkedHashMap<>();
            String token68 = null;
            boolean malformed = false;
            if (c.skip(" \t") > 0 || c.at(',') || c.end()) {
                int mark = c.i;
                String t = c.token68();
                c.skip(" \t");
                if (!t.isEmpty() && (c.end() || c.at(','))) {
                    token68 = t; // "Negotiate abc==": alone before the end or a comma (a name=value goes on after '=')
                } else {
                    c.i = mark;
                    while (true) { // name=value pairs, until the next challenge's scheme
                        int start = c.i;
                        c.skip(" \t,");
                        String name = c.token();
                        c.skip(" \t");
                        if (name.isEmpty() || !c.at('=')) {
                            c.i = start;
                            break;
                        }
                        c.i++;
                        c.skip(" \t");
                        String value = c.at('"') ? c.quoted() : c.token();
                        if (value == null) {
                            malformed = true;
                            break;
                        }
                        params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
                    }
                }
            }
            if (malformed) {
                break;
            }
            out.add(new Challenge(scheme.toLowerCase(Locale.ROOT), Map.copyOf(params), token68));
            if (!c.end() && !c.at(',') && !c.at(' ') && !c.at('\t')) {
                break; // a character no challenge has
            }
        }
        return out;
    }

    /** A position in a header value. */
    private static final class Cursor {
        private static final String TCHAR = "!#$%&'*+-.^_`|~";
        final String s;
        int i;

        Cursor(String s) {
            this.s = s;
        }

        boolean end() {
            return i >= s.length();
        }

        boolean at(char ch) {
            return i < s.length() && s.charAt(i) == ch;
        }

        int skip(String chars) {
            int from = i;
            while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            return i - from;
        }

        String token() {
            int from = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) && s.charAt(i) < 0x80
                    || TCHAR.indexOf(s.charAt(i)) >= 0)) {
                i++;
            }
            return s.substring(from, i);
        }

        String token68() {
            int from = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) && s.charAt(i) < 0x80
                    || "-._~+/".indexOf(s.charAt(i)) >= 0)) {
                i++;
            }
            while (i < s.length() && s.charAt(i) == '=') {
                i++;
            }
            return s.substring(from, i);
        }

        /** The quoted string at the cursor without its quotes and escapes, or null when it does not end. */
        String quoted() {
            StringBuilder v = new StringBuilder();
            i++;
            while (i < s.length()) {
                char ch = s.charAt(i++);
                if (ch == '"') {
                    return v.toString();
                }
                if (ch == '\\') {
                    if (i >= s.length()) {
                        return null;
                    }
                    ch = s.charAt(i++);
                }
                v.append(ch);
            }
            return null;
        }
    }
}
