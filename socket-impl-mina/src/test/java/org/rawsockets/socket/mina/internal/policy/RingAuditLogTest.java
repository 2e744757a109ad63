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

    /**
     * Audit entries are recorded on I/O threads: a log sink that blocks (a full disk, a stuck
     * appender) must not block them. The hand-off to the logging thread is bounded; what does not
     * fit is dropped and counted, and the ring still has every entry.
     */
    @Test
    void aBlockedLogSinkNeitherBlocksTheCallerNorLosesTheRingAndCountsDrops() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstInSink = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        int queue = 16;
        RingAuditLog log = new RingAuditLog(1000, queue, e -> {
            firstInSink.countDown();
            try {
                release.await(); // a stuck appender
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            written.incrementAndGet();
        });
        try {
            log.record(entry(0, AuditLog.Outcome.OPENED));
            assertTrue(firstInSink.await(10, TimeUnit.SECONDS), "the logging thread took the first entry");
            int n = 500;
            long t0 = System.nanoTime();
            for (long i = 1; i <= n; i++) {
                log.record(entry(i, AuditLog.Outcome.CLOSED));
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 2_000, n + " records took " + ms + " ms while the sink was blocked");
            assertEquals(n - queue, log.logDropped(), "what did not fit the hand-off queue is counted");
            assertEquals(n + 1, log.recent(10_000).size(), "the ring keeps every entry");
            assertEquals((long) n, log.counts().get(AuditLog.Outcome.CLOSED));
        } finally {
            release.countDown();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (written.get() < 1 + queue && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1 + queue, written.get(), "the queued entries are written once the sink moves again");
        log.close();
    }

    @Test
    void closeEndsInBoundedTimeEvenWithAStuckSink() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        RingAuditLog log = new RingAuditLog(10, 4, e -> {
            try {
                never.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        log.record(entry(1, AuditLog.Outcome.OPENED));
        long t0 = System.nanoTime();
        log.close();
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5_000, "close() waited on the stuck sink");
        log.record(entry(2, AuditLog.Outcome.OPENED)); // after close: kept in the ring, counted as not logged
        assertEquals(2, log.recent(10).size());
        assertEquals(1, log.logDropped());
    }

    /**
     * The real sink (SLF4J; slf4j-simple writes to System.err in tests) stuck: recording from
     * another thread still returns at once.
     */
    @Test
    void aStuckLogDoesNotBlockTheRecordingThread() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        java.io.PrintStream original = System.err;
        java.io.OutputStream stuck = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                try {
                    unblock.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        RingAuditLog log = new RingAuditLog(100);
        CountDownLatch recorded = new CountDownLatch(1);
        System.setErr(new java.io.PrintStream(stuck, true));
        try {
            Thread ioThread = new Thread(() -> {
                for (long i = 1; i <= 50; i++) {
                    log.record(entry(i, AuditLog.Outcome.OPENED));
                }
                recorded.countDown();
            }, "test-io-thread");
            ioThread.start();
            assertTrue(recorded.await(5, TimeUnit.SECONDS), "record() blocked on the stuck log");
            assertEquals(50, log.recent(100).size());
        } finally {
            unblock.countDown();
            System.setErr(original);
        }
        log.close();
    }
}
