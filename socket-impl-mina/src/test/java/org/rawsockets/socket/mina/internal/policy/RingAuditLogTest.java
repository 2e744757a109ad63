package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class RingAuditLogTest {

    static AuditLog.Entry entry(long id, AuditLog.Outcome outcome) {
        return new AuditLog.Entry(Instant.EPOCH.plusSeconds(id), Owner.of(4, "org.example.a"), id, AccessKind.TCP_CONNECT,
                "example.org:" + id, new InetSocketAddress(Addresses.literal("93.184.216.34"), 443), outcome,
                outcome == AuditLog.Outcome.REFUSED ? "no grant covers it" : "", 10 * id, 20 * id);
    }

    @Test
    void keepsTheLastEntriesInOrderAndCountsOverwritten() {
        RingAuditLog log = new RingAuditLog(3);
        assertEquals(List.of(), log.recent(10));
        assertEquals(Map.of(), log.counts());
        for (long i = 1; i <= 5; i++) {
            log.record(entry(i, AuditLog.Outcome.OPENED));
        }
        assertEquals(List.of(3L, 4L, 5L), log.recent(10).stream().map(AuditLog.Entry::socketId).toList());
        assertEquals(List.of(4L, 5L), log.recent(2).stream().map(AuditLog.Entry::socketId).toList());
        assertEquals(List.of(), log.recent(0));
        assertEquals(2, log.overwritten());
        assertEquals(5L, log.counts().get(AuditLog.Outcome.OPENED));
    }

    @Test
    void resizeKeepsTheMostRecent() {
        RingAuditLog log = new RingAuditLog(5);
        for (long i = 1; i <= 5; i++) {
            log.record(entry(i, AuditLog.Outcome.CLOSED));
        }
        log.resize(2);
        assertEquals(List.of(4L, 5L), log.recent(10).stream().map(AuditLog.Entry::socketId).toList());
        log.resize(4);
        log.record(entry(6, AuditLog.Outcome.REFUSED));
        assertEquals(List.of(4L, 5L, 6L), log.recent(10).stream().map(AuditLog.Entry::socketId).toList());
        assertThrows(IllegalArgumentException.class, () -> log.resize(0));
    }

    @Test
    void formatNamesOwnerDestinationAddressOutcomeAndBytes() {
        String closed = RingAuditLog.format(entry(7, AuditLog.Outcome.CLOSED));
        assertEquals("1970-01-01T00:00:07Z CLOSED org.example.a [4] #7 tcp connect example.org:7 -> 93.184.216.34:443 in=70 out=140",
                closed);
        String refused = RingAuditLog.format(entry(0, AuditLog.Outcome.REFUSED));
        assertTrue(refused.contains("REFUSED org.example.a [4] #0") && refused.endsWith("(no grant covers it)"), refused);
    }

    @Test
    void staysBoundedUnderConcurrentWriters() throws InterruptedException {
        RingAuditLog log = new RingAuditLog(100);
        int threads = 4;
        int each = 2_000;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    log.record(entry(i, AuditLog.Outcome.OPENED));
                }
                done.countDown();
            }).start();
        }
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertEquals(100, log.recent(1_000).size());
        assertEquals(threads * each - 100, log.overwritten());
        assertEquals((long) threads * each, log.counts().get(AuditLog.Outcome.OPENED));
    }
}
