package org.rawsockets.irc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The STS policy store: expiry, removal with duration 0, the bound, damaged files. */
class StsPoliciesTest {

    @TempDir
    Path dir;

    @Test
    void policiesExpireAreRemovedWithDurationZeroAndSurviveANewInstance() throws Exception {
        Path file = dir.resolve("sts");
        Instant now = Instant.ofEpochSecond(1_000_000);
        new StsPolicies(file).put("IRC.Example.org", 6697, 60, now);
        StsPolicies again = new StsPolicies(file);
        assertEquals(Optional.of(new StsPolicies.Policy(6697, 1_000_060)), again.get("irc.example.org", now));
        assertEquals(Optional.empty(), again.get("irc.example.org", now.plusSeconds(60)));
        again.put("irc.example.org", 6697, 0, now);
        assertEquals(Optional.empty(), new StsPolicies(file).get("irc.example.org", now));
    }

    @Test
    void theStoreIsBoundedAndDropsTheSoonestExpiring() throws Exception {
        Path file = dir.resolve("sts");
        StsPolicies p = new StsPolicies(file);
        Instant now = Instant.ofEpochSecond(1_000_000);
        for (int i = 0; i < StsPolicies.MAX + 5; i++) {
            p.put("h" + i, 6697, 1000 + i, now);
        }
        assertEquals(StsPolicies.MAX, Files.readAllLines(file).size());
        assertEquals(Optional.empty(), p.get("h0", now));
        assertTrue(p.get("h" + (StsPolicies.MAX + 4), now).isPresent());
    }

    @Test
    void damagedLinesAreSkipped() throws Exception {
        Path file = dir.resolve("sts");
        Files.writeString(file, "garbage\nh1 x 5\nh2 6697 2000000\n");
        assertTrue(new StsPolicies(file).get("h2", Instant.ofEpochSecond(1_000_000)).isPresent());
        assertEquals(Optional.empty(), new StsPolicies(file).get("h1", Instant.ofEpochSecond(1)));
    }
}
