package org.rawsockets.print.internal.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP authentication for the printer's web server: Basic (RFC 7617) and Digest (RFC 7616, MD5 and
 * SHA-256, qop "auth" or none). Holds the last challenge so that later requests authenticate at
 * once (Digest counts its nonce uses).
 */
public final class HttpAuth {

    /** One challenge of a WWW-Authenticate header. */
    public record Challenge(String scheme, Map<String, String> params) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String user;
    private final java.util.function.Supplier<char[]> password;
    private Challenge current;
    private int nonceCount;

    /** @param password read at each authorization (from a secret file), never kept here */
    public HttpAuth(String user, java.util.function.Supplier<char[]> password) {
        this.user = user;
        this.password = password;
    }

    /**
     * Takes the challenges of a 401; false when none is usable (no Basic or Digest, or the same
     * Digest nonce was already refused, which means the credentials are wrong).
     */
    public synchronized boolean challenge(List<String> headerValues, boolean alreadyTried) {
        Challenge best = null;
        for (String h : headerValues) {
            for (Challenge c : parse(h)) {
                if (c.scheme().equals("digest") && supportedDigest(c)) {
                    if (best == null || !best.scheme().equals("digest")) {
                        best = c;
                    }
                } else if (c.scheme().equals("basic") && best == null) {
                    best = c;
                }
            }
        }
        if (best == null) {
            return false;
        }
        if (alreadyTried && !"true".equalsIgnoreCase(best.params().get("stale"))) {
            return false;
        }
        current = best;
        nonceCount = 0;
        return true;
    }

    public synchronized boolean hasChallenge() {
        return current != null;
    }

    public synchronized String scheme() {
        return current == null ? "none" : current.scheme();
    }

    /** The Authorization header value for a request, or {@code null} before any challenge. */
    public synchronized String authorization(String method, String uri) {
        if (current == null) {
            return null;
        }
        if (current.scheme().equals("basic")) {
            byte[] pw = new String(password.get()).getBytes(StandardCharsets.UTF_8);
            byte[] u = (user + ":").getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[u.length + pw.length];
            System.arraycopy(u, 0, all, 0, u.length);
            System.arraycopy(pw, 0, all, u.length, pw.length);
            return "Basic " + Base64.getEncoder().encodeToString(all);
        }
        Map<String, String> p = current.params();
        String algorithm = p.getOrDefault("algorithm", "MD5");
        String realm = p.getOrDefault("realm", "");
        String nonce = p.getOrDefault("nonce", "");
        String qop = qopAuth(p.get("qop"));
        String ha1 = hash(algorithm, user + ":" + realm + ":" + new String(password.get()));
        String ha2 = hash(algorithm, method + ":" + uri);
        StringBuilder b = new StringBuilder("Digest username=\"").append(quote(user)).append("\", realm=\"")
                .append(quote(realm)).append("\", nonce=\"").append(quote(nonce)).append("\", uri=\"").append(quote(uri))
                .append("\", algorithm=").append(algorithm);
        String response;
        if (qop != null) {
            String nc = String.format("%08x", ++nonceCount);
            byte[] cn = new byte[12];
            RANDOM.nextBytes(cn);
            String cnonce = HexFormat.of().formatHex(cn);
            response = hash(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
            b.append(", qop=").append(qop).append(", nc=").append(nc).append(", cnonce=\"").append(cnonce).append('"');
        } else {
            response = hash(algorithm, ha1 + ":" + nonce + ":" + ha2);
        }
        b.append(", response=\"").append(response).append('"');
        if (p.containsKey("opaque")) {
            b.append(", opaque=\"").append(quote(p.get("opaque"))).append('"');
        }
        return b.toString();
    }

    private static String qopAuth(String qop) {
        if (qop == null) {
            return null;
        }
        for (String q : qop.split(",")) {
            if (q.strip().equalsIgnoreCase("auth")) {
                return "auth";
            }
        }
        return null;
    }

    private static boolean supportedDigest(Challenge c) {
        String a = c.params().getOrDefault("algorithm", "MD5").toUpperCase(Locale.ROOT);
        String qop = c.params().get("qop");
        return (a.equals("MD5") || a.equals("SHA-256")) && (qop == null || qopAuth(qop) != null);
    }

    static String hash(String algorithm, String s) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm.equalsIgnoreCase("SHA-256") ? "SHA-256" : "MD5");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Parses one WWW-Authenticate value: {@code scheme k=v, k="v", scheme2 ...} (RFC 7235 section 4.1). */
    public static List<Challenge> parse(String header) {
        List<Challenge> out = new ArrayList<>();
        int i = 0;
        int n = header.length();
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',' || header.charAt(i) == '\t')) {
                i++;
            }
            int start = i;
            while (i < n && header.charAt(i) != ' ' && header.charAt(i) != '=' && header.charAt(i) != ',') {
                i++;
            }
            if (start == i) {
                break;
            }
            String token = header.substring(start, i);
            int j = i;
            while (j < n && header.charAt(j) == ' ') {
                j++;
            }
            if (j < n && header.charAt(j) == '=' && scheme != null) {
                i = j + 1;
                while (i < n && header.charAt(i) == ' ') {
                    i++;
                }
                String value;
                if (i < n && header.charAt(i) == '"') {
                    StringBuilder v = new StringBuilder();
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        if (header.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        v.append(header.charAt(i++));
                    }
                    i++;
                    value = v.toString();
                } else {
                    int vs = i;
                    while (i < n && header.charAt(i) != ',') {
                        i++;
                    }
                    value = header.substring(vs, i).strip();
                }
                params.put(token.toLowerCase(Locale.ROOT), value);
            } else {
                if (scheme != null) {
                    out.add(new Challenge(scheme, params));
                    params = new LinkedHashMap<>();
                }
                scheme = token.toLowerCase(Locale.ROOT);
            }
        }
        if (scheme != null) {
            out.add(new Challenge(scheme, params));
        }
        return out;
    }
}
