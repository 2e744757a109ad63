package org.rawsockets.console.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Login sessions (random 256-bit ids, each with its own CSRF token, idle expiry, at most
 * {@value #MAX_SESSIONS}: the oldest goes) and the login rate limit per client address. A login
 * always creates a new session id: an id set before the login (session fixation) is never used.
 */
public final class Sessions {

    static final int MAX_SESSIONS = 64;
    static final int MAX_TRACKED_CLIENTS = 1024;

    /** One logged-in session. */
    public record Session(String id, String user, String csrf, Instant created) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Duration idle;
    private final int attemptsPerMinute;
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final Map<String, Instant> lastSeen = new LinkedHashMap<>();
    private final Map<String, Deque<Instant>> failures = new LinkedHashMap<>();

    public Sessions(Clock clock, Duration idle, int attemptsPerMinute) {
        this.clock = clock;
        this.idle = idle;
        this.attemptsPerMinute = attemptsPerMinute;
    }

    static String randomToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A new session for {@code user}. */
    public synchronized Session create(String user) {
        expire();
        while (sessions.size() >= MAX_SESSIONS) {
            String oldest = sessions.keySet().iterator().next();
            sessions.remove(oldest);
            lastSeen.remove(oldest);
        }
        Session s = new Session(randomToken(), user, randomToken(), clock.instant());
        sessions.put(s.id(), s);
        lastSeen.put(s.id(), clock.instant());
        return s;
    }

    /** The live session of {@code id} (touching it), or {@code null} (unknown or expired). */
    public synchronized Session find(String id) {
        if (id == null) {
            return null;
        }
        expire();
        Session s = sessions.get(id);
        if (s != null) {
            lastSeen.put(id, clock.instant());
        }
        return s;
    }

    public synchronized void remove(String id) {
        if (id != null) {
            sessions.remove(id);
            lastSeen.remove(id);
        }
    }

    private void expire() {
        Instant limit = clock.instant().minus(idle);
        for (Iterator<Map.Entry<String, Instant>> it = lastSeen.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Instant> e = it.next();
            if (e.getValue().isBefore(limit)) {
                sessions.remove(e.getKey());
                it.remove();
            }
        }
    }

    /**
     * Whether {@code client} may try to log in now; when not, the seconds until it may.
     *
     * @return 0 when allowed, else seconds to wait
     */
    public synchronized long loginBlockedSeconds(String client) {
        Deque<Instant> f = failures.get(client);
        if (f == null) {
            return 0;
        }
        Instant windowStart = clock.instant().minus(Duration.ofMinutes(1));
        while (!f.isEmpty() && f.peekFirst().isBefore(windowStart)) {
            f.pollFirst();
        }
        if (f.size() < attemptsPerMinute) {
            return 0;
        }
        return Math.max(1, Duration.between(clock.instant(), f.peekFirst().plus(Duration.ofMinutes(1))).toSeconds() + 1);
    }

    /** Counts a failed login of {@code client}. */
    public synchronized void loginFailed(String client) {
        if (!failures.containsKey(client) && failures.size() >= MAX_TRACKED_CLIENTS) {
            failures.remove(failures.keySet().iterator().next());
        }
        Deque<Instant> f = failures.computeIfAbsent(client, k -> new ArrayDeque<>());
        f.addLast(clock.instant());
        while (f.size() > attemptsPerMinute) {
            f.pollFirst();
        }
    }

    public synchronized void loginSucceeded(String client) {
        failures.remove(client);
    }
}
