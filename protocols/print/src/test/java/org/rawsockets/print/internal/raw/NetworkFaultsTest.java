package org.rawsockets.print.internal.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rawsockets.print.Document;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobState;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.PrintConnectionException;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.PrintTimeoutException;
import org.rawsockets.print.internal.FaultingDocument;
import org.rawsockets.print.internal.PrintFaultsTestBase;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.socket.netfault.FaultNetwork;

/**
 * The raw 9100 client through network faults (issue 21): a socat sink in a network namespace the test
 * creates ({@link SocatSink}: port 9100 of the namespace's address, each connection's bytes in a file),
 * the client in this JVM. Faults: a delay of 200 ms ± 50 ms each way (which reorders packets) and 10 %
 * loss both ways at MTU 576 and every packet of the sink duplicated, each under a job the sink must
 * receive byte for byte; a blackhole in the
 * middle of a 64 MiB job and a frozen sink (SIGSTOP): {@link PrintTimeoutException} once a chunk was
 * not taken within the client's time limit (raw 9100 has no acknowledgement: a job smaller than the
 * sockets' buffers is "taken" before the fault could show); a TCP reset in the middle of a job:
 * {@link PrintConnectionException} naming the printer's address; after each, once the fault is lifted,
 * a job arrives whole. After each test no socket, thread or file descriptor of the client remains.
 * {@code -Dfaults.full=true} (profile {@code faults}): a 4 MiB document under the delay, at least 4
 * jobs under the loss.
 */
class NetworkFaultsTest extends PrintFaultsTestBase {

    SocatSink sink;

    @Override
    protected void startPeer() throws Exception {
        sink = new SocatSink(net);
    }

    @Override
    protected void stopPeer() {
        if (sink != null) {
            System.out.println("---- the sink's files: " + sink.describe() + "\n---- socat's log:\n" + net.output("sink"));
            sink.close();
        }
    }

    RawPrinter printer(Duration timeout) {
        return new RawPrinter(sockets, PrinterSettings.defaults("faults", sink.uri()).withTimeout(timeout));
    }

    /**
     * Prints {@code bytes}; a new connection's file at the sink holds exactly them.
     *
     * @return milliseconds from the call until the sink had them all
     */
    long arrivesWhole(RawPrinter p, String name, byte[] bytes) throws Exception {
        Set<Path> before = new HashSet<>(sink.files());
        long start = System.nanoTime();
        JobStatus j = p.print(Document.of(name + ".bin", bytes), JobOptions.named(name), null);
        assertEquals(JobState.UNKNOWN, j.state(), j.describe());
        assertTrue(j.message().contains("all " + bytes.length + " bytes taken"), j.message());
        sink.awaitJob(before, bytes);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void delayWithJitterReordersPacketsYetTheJobArrivesWhole() throws Exception {
        RawPrinter p = printer(Duration.ofSeconds(30));
        net.delay(200, 50, 79);
        int size = FULL ? 4 * MIB : 512 * 1024;
        long ms = arrivesWhole(p, "delayed", FaultingDocument.bytes(size));
        long queued = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        net.clear();
        System.out.println("raw 9100, delay 200 +- 50 ms: a job of " + size + " bytes at the sink whole in " + ms
                + " ms; " + queued + " packets through the delay (" + net.delayReport() + ")");
        // the connection's round trip, then the bytes' way there: at least 3 x 150 ms
        assertTrue(ms >= 3 * 150, "through the delay: " + ms + " ms");
        net.checkDelayReordered(queued);
        leaks.awaitReleased();
    }

    @Test
    void everyPacketOfTheSinkDuplicatedTheJobArrivesWhole() throws Exception {
        // the sink sends only acknowledgements: each one twice is a duplicate ACK to the client's TCP
        // (a fast retransmit after three), and the bytes still arrive once, in order
        RawPrinter p = printer(Duration.ofSeconds(30));
        net.duplicate();
        int size = FULL ? 4 * MIB : 512 * 1024;
        long ms = arrivesWhole(p, "duplicated", FaultingDocument.bytes(size));
        long duplicated = net.matched("mangle", "POSTROUTING");
        net.clear();
        System.out.println("raw 9100, duplication: a job of " + size + " bytes at the sink whole in " + ms + " ms; "
                + duplicated + " packets of the sink duplicated");
        assertTrue(duplicated > 0, "the duplication took effect");
        leaks.awaitReleased();
    }

    @Test
    void lossAtMtu576TheJobArrivesWhole() throws Exception {
        RawPrinter p = printer(LOSS_LIMIT);
        net.mtu(576);
        net.loss(10);
        LossRun run = jobsThroughLoss(i -> arrivesWhole(p, "lossy-" + i, FaultingDocument.bytes(256 * 1024 + i)));
        System.out.println("raw 9100, loss 10 %, MTU 576: " + run.jobs() + " jobs of 256 KiB at the sink whole in "
                + run.millis() + " ms; " + run.dropped() + " packets dropped");
        assertTrue(run.dropped() > 0, "the loss took effect");
        net.clear();
        leaks.awaitReleased();
    }

    /**
     * Prints a 64 MiB document made while sent; {@code fault} comes after its first MiB (null: none, the
     * fault is already there).
     */
    <T extends PrintException> T cutJob(RawPrinter p, Class<T> expected, String what, FaultingDocument.Fault fault)
            throws Exception {
        long[] lastProgress = {0, 0};
        long[] applied = {0};
        Document d = FaultingDocument.of("cut.bin", 64L * MIB, fault == null ? 0 : MIB, () -> {
            if (fault != null) {
                fault.apply();
            }
            applied[0] = System.nanoTime();
        });
        long start = System.nanoTime();
        lastProgress[0] = start;
        T e = assertThrows(expected, () -> p.print(d, JobOptions.named("cut"), (sent, total) -> {
            lastProgress[0] = System.nanoTime();
            lastProgress[1] = sent;
        }));
        long end = System.nanoTime();
        assertTrue(applied[0] != 0, "the fault was applied: " + e);
        System.out.println("raw 9100, " + what + ": " + e.getClass().getSimpleName() + " \"" + e.getMessage() + "\" "
                + TimeUnit.NANOSECONDS.toMillis(end - applied[0]) + " ms after the fault, "
                + TimeUnit.NANOSECONDS.toMillis(end - lastProgress[0]) + " ms after the last chunk taken ("
                + lastProgress[1] + " bytes taken), " + TimeUnit.NANOSECONDS.toMillis(end - start) + " ms in all");
        assertTrue(e.getMessage().contains(net.peerAddress + ":" + SocatSink.PORT), "names the printer's address: "
                + e.getMessage());
        if (e instanceof PrintTimeoutException) {
            long stall = TimeUnit.NANOSECONDS.toMillis(end - lastProgress[0]);
            assertTrue(stall >= 1_900 && stall < 10_000, "ended at the 2 s limit after the last chunk taken: " + stall);
            assertTrue(e.getMessage().contains("did not take the document") && e.getMessage().contains("within 2000 ms"),
                    e.getMessage());
        }
        return e;
    }

    @Test
    void aBlackholeMidJobIsATypedTimeoutThenAJobArrives() throws Exception {
        RawPrinter p = printer(Duration.ofSeconds(2));
        arrivesWhole(p, "before", FaultingDocument.bytes(16 * 1024));
        cutJob(p, PrintTimeoutException.class, "blackhole after 1 MiB of a 64 MiB job", net::blackhole);
        net.clear();
        System.out.println("raw 9100, blackhole lifted: a 64 KiB job at the sink whole in "
                + arrivesWhole(p, "after", FaultingDocument.bytes(64 * 1024)) + " ms");
        leaks.awaitReleased();
    }

    @Test
    void aResetMidJobIsATypedConnectionFailureThenAJobArrives() throws Exception {
        RawPrinter p = printer(Duration.ofSeconds(10));
        arrivesWhole(p, "before", FaultingDocument.bytes(16 * 1024));
        long start = System.nanoTime();
        cutJob(p, PrintConnectionException.class, "reset after 1 MiB of a 64 MiB job", () -> net.resetTcp(SocatSink.PORT));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < 10_000, "failed at the reset, not at the 10 s limit: " + ms + " ms");
        net.clear();
        System.out.println("raw 9100, reset lifted: a 64 KiB job at the sink whole in "
                + arrivesWhole(p, "after", FaultingDocument.bytes(64 * 1024)) + " ms");
        leaks.awaitReleased();
    }

    @Test
    void aFrozenSinkIsATypedTimeoutThenAJobArrivesWhenItResumes() throws Exception {
        RawPrinter p = printer(Duration.ofSeconds(2));
        arrivesWhole(p, "before", FaultingDocument.bytes(16 * 1024));
        long processes = 1 + sink.process().descendants().count();
        FaultNetwork.freeze(sink.process());
        try {
            // the kernel still accepts for the frozen socat and buffers what comes: the job stalls once
            // the buffers are full
            cutJob(p, PrintTimeoutException.class, "frozen sink (" + processes + " processes), a 64 MiB job", null);
        } finally {
            FaultNetwork.thaw(sink.process());
        }
        System.out.println("raw 9100, thawed: a 64 KiB job at the sink whole in "
                + arrivesWhole(p, "after", FaultingDocument.bytes(64 * 1024)) + " ms");
        leaks.awaitReleased();
    }
}
