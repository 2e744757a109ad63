package org.rawsockets.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Password hashes, sessions and the login rate limit. */
class PasswordHashTest {

    @Test
    void hashesAreSaltedAndVerify() {
        String a = PasswordHash.create("s3cret-pass".toCharArray());
        String b = PasswordHash.create("s3cret-pass".toCharArray());
        assertNotEquals(a, b); // salted
        assertTrue(a.startsWith("pbkdf2-sha256:100000:"), a);
        assertTrue(PasswordHash.parse(a).matches("s3cret-pass".toCharArray()));
        assertFalse(PasswordHash.parse(a).matches("s3cret-pasS".toCharArray()));
        assertFalse(PasswordHash.parse(a).toString().contains(a.split(":")[3]));
        for (String bad : List.of("", "plain", "pbkdf2-sha256:x:a:b", "pbkdf2-sha256:5:YWJjZGVmZ2g=:YWJj", "md5:1:2:3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(bad));
            assertFalse(!bad.isEmpty() && e.getMessage().contains(bad), e.getMessage()); // never echoes the value
        }
        assertEquals("a password needs at least 8 characters", new PasswordCommand().passwordhash("short"));
        assertTrue(PasswordHash.parse(new PasswordCommand().passwordhash("long enough")).matches("long enough".toCharArray()));
    }

    @Test
    void sessionsExpireWhenIdleAndAreBounded() {
        MutableClock clock = new MutableClock();
        Sessions s = new Sessions(clock, Duration.ofMinutes(30), 5);
        Sessions.Session one = s.create("admin");
        assertNotEquals(one.id(), one.csrf());
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertEquals(one, s.find(one.id())); // touched
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertEquals(one, s.find(one.id()));
        clock.now = clock.now.plus(Duration.ofMinutes(31));
        assertEquals(null, s.find(one.id())); // expired
        Sessions.Session first = s.create("admin");
        for (int i = 0; i < Sessions.MAX_SESSIONS; i++) {
            s.create("admin");
        }
        assertEquals(null, s.find(first.id())); // the oldest went
    }

    @Test
    void theLoginRateLimitIsPerClientAndSlides() {
        MutableClock clock = new MutableClock();
        Sessions s = new Sessions(clock, Duration.ofMinutes(30), 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, s.loginBlockedSeconds("a"));
            s.loginFailed("a");
        }
        assertTrue(s.loginBlockedSeconds("a") > 0);
        assertEquals(0, s.loginBlockedSeconds("b"));
        clock.now = clock.now.plus(Duration.ofSeconds(61));
        assertEquals(0, s.loginBlockedSeconds("a"));
    }

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-12-04T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
