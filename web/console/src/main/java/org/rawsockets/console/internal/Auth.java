package org.rawsockets.console.internal;

import java.io.IOException;
import java.net.URI;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login (rate-limited per client address), session cookies ({@code HttpOnly}, {@code SameSite=Strict},
 * {@code Secure} under HTTPS), API tokens ({@code Authorization: Bearer}), CSRF and Origin checks.
 * Passwords and tokens are never logged.
 */
final class Auth {

    private static final Logger LOG = LoggerFactory.getLogger(Auth.class);

    private final ConsoleConfig config;
    private final Sessions sessions;
    private final PasswordHash password;
    private final PasswordHash token;

    Auth(ConsoleConfig config, Sessions sessions) {
        this.config = config;
        this.sessions = sessions;
        this.password = parse(config.adminPasswordHash(), "adminPasswordHash");
        this.token = parse(config.apiTokenHash(), "apiTokenHash");
    }

    private static PasswordHash parse(String stored, String key) {
        if (stored == null || stored.isBlank()) {
            return null;
        }
        try {
            return PasswordHash.parse(stored);
        } catch (IllegalArgumentException e) {
            LOG.error("configuration {}: {} is not usable: {}", ConsoleConfig.PID, key, e.getMessage());
            return null;
        }
    }

    /** POST /login (form fields user, password): a new session and its cookie, or 401/429. */
    void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        checkOrigin(req);
        String client = req.getRemoteAddr();
        long wait = sessions.loginBlockedSeconds(client);
        if (wait > 0) {
            throw new HttpError(429, "too many failed logins from " + client + ": try again in " + wait + " s", wait);
        }
        String user = req.getParameter("user");
        String pass = req.getParameter("password");
        boolean ok = password != null && user != null && pass != null && user.equals(config.adminUser())
                && password.matches(pass.toCharArray());
        if (!ok) {
            sessions.loginFailed(client);
            LOG.warn("console: failed login from {}", client); // never the name or password typed
            throw new HttpError(401, password == null ? "no administrator password is configured (adminPasswordHash in "
                    + ConsoleConfig.PID + ")" : "wrong user or password");
        }
        sessions.loginSucceeded(client);
        // A new id on every login: an id planted before (session fixation) is dropped, never reused.
        sessions.remove(cookieValue(req));
        Sessions.Session s = sessions.create(user);
        resp.addCookie(ConsoleServlet.cookie(s.id(), req.isSecure(), -1));
        LOG.info("console: {} logged in from {}", user, client);
        ConsoleServlet.json(resp, 200, Map.of("user", user, "csrf", s.csrf()));
    }

    void logout(HttpServletRequest req, HttpServletResponse resp) {
        sessions.remove(cookieValue(req));
        resp.addCookie(ConsoleServlet.cookie("", req.isSecure(), 0));
    }

    /** The session of the request's cookie or API token, or {@code null}. */
    Sessions.Session authenticate(HttpServletRequest req) {
        String authz = req.getHeader("Authorization");
        if (authz != null && authz.regionMatches(true, 0, "Bearer ", 0, 7)) {
            if (token != null && token.matches(authz.substring(7).trim().toCharArray())) {
                return new Sessions.Session("", "api-token", null, java.time.Instant.now());
            }
            return null;
        }
        return sessions.find(cookieValue(req));
    }

    /** State-changing requests: the session's CSRF token and no foreign Origin (API tokens carry no cookie). */
    void checkCsrf(HttpServletRequest req, Sessions.Session s) {
        checkOrigin(req);
        if (s.csrf() == null) {
            return; // API token: not sent by browsers on their own
        }
        String sent = req.getHeader("X-CSRF-Token");
        if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8))) {
            throw new HttpError(403, "missing or wrong CSRF token (header X-CSRF-Token, from GET /api/session)");
        }
    }

    /** A request whose Origin header names another site is refused (cross-origin POST). */
    static void checkOrigin(HttpServletRequest req) {
        String origin = req.getHeader("Origin");
        if (origin == null) {
            return;
        }
        String host = req.getHeader("Host");
        try {
            URI o = URI.create(origin);
            String oHost = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            if (host == null || !host.equalsIgnoreCase(oHost)) {
                throw new HttpError(403, "cross-origin request refused (Origin " + origin + ")");
            }
        } catch (IllegalArgumentException e) {
            throw new HttpError(403, "cross-origin request refused (unreadable Origin)");
        }
    }

    static String cookieValue(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (c.getName().equals(ConsoleServlet.COOKIE)) {
                return c.getValue();
            }
        }
        return null;
    }

    Sessions sessions() {
        return sessions;
    }
}
