package org.rawsockets.webbridge.internal.web;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may open a bridge connection: the page's {@code Origin} must be on the operator's allow-list
 * (refused at the handshake, HTTP 403: this is what stops cross-site WebSocket hijacking, a foreign
 * page riding on the operator's browser), and the page must present a valid operator-issued token
 * (else the WebSocket is closed at once with 1008 and the reason). Tokens are never cookies, so no
 * ambient credential of the browser opens a connection.
 */
public final class Admission {

    /** The subprotocol of the bridge; {@code bearer.<token>} may accompany it. */
    public static final String SUBPROTOCOL = "direct-sockets.v1";
    public static final String BEARER_PREFIX = "bearer.";

    private final Set<String> allowedOrigins;
    private final Tokens tokens;

    public Admission(List<String> allowedOrigins, Tokens tokens) {
        // A .cfg file gives one string: "https://a.example, https://b.example" is two origins.
        this.allowedOrigins = Set.copyOf(allowedOrigins.stream().flatMap(o -> java.util.Arrays.stream(o.split(",")))
                .map(o -> o.trim().toLowerCase(Locale.ROOT)).filter(o -> !o.isEmpty()).toList());
        this.tokens = tokens;
    }

    /** Whether the handshake's {@code Origin} header is allowed. */
    public boolean originAllowed(String origin) {
        return origin != null && allowedOrigins.contains(origin);
    }

    /** The origins allowed, for messages. */
    public Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** The token presented in the subprotocols or the Authorization header, or {@code null}. */
    public static String presentedToken(List<String> subprotocols, List<String> authorization) {
        if (subprotocols != null) {
            for (String header : subprotocols) {
                for (String p : header.split(",")) {
                    String t = p.trim();
                    if (t.startsWith(BEARER_PREFIX)) {
                        return t.substring(BEARER_PREFIX.length());
                    }
                }
            }
        }
        if (authorization != null) {
            for (String a : authorization) {
                if (a.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    return a.substring(7).trim();
                }
            }
        }
        return null;
    }

    /** Checks the token. */
    public Tokens.Check token(String presented) {
        return tokens.check(presented);
    }
}
