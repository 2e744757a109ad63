package org.rawsockets.print.internal.lpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
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
import org.rawsockets.print.internal.LprngDaemon;
import org.rawsockets.print.internal.Peers;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.socket.netfault.FaultNetwork;
import org.rawsockets.socket.netfault.Leaks;

/**
 * The LPD client through network faults (issue 21): LPRng's lpd in a network namespace the test
 * creates ({@link LprngDaemon#startIn}, port 515 of the namespace's address), the client in this JVM.
 * Faults: a delay of 200 ms ± 50 ms each way (which reorders packets) and 10 % loss both ways at MTU
 * 576 and every packet of lpd duplicated, each under a job whose printed output (queue {@code raw}:
 * the data file as is) must equal the document sent; a blackhole in the middle of a job's data and
 * a frozen lpd (SIGSTOP to it and its children): {@link PrintTimeoutException} at the client's time
 * limit; a TCP reset in the middle of a job's data: {@link PrintConnectionException} naming the
 * printer's address; after each, once the
 * fault is lifted, a job prints and the output holds only the whole jobs (nothing of a cut one).
 * After each test no socket, thread or file descriptor of the client remains. {@code
 * -Dfaults.full=true} (profile {@code faults}): a 1 MiB document under the delay, at least 4 jobs
 * under the loss.
 */
class NetworkFaultsTest extends PrintFaultsTestBase {

    LprngDaemon lpd;
    /** What the queue's output must hold: every job printed so far, in order. */
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @Override
    protected void startPeer() throws Exception {
        lpd = LprngDaemon.startIn(net);
    }

    @Override
    protected void stopPeer() {
        if (lpd != null) {
            System.out.println("---- lpd's log:\n" + lpd.log());
            lpd.close();
        }
    }

    LpdPrinter printer(Duration timeout) {
        return new LpdPrinter(sockets, PrinterSettings.defaults("faults", lpd.uri("raw")).withTimeout(timeout), "gateway");
    }

    /**
     * Prints {@code bytes}; lpd prints the job, and the queue's output is every job so far, byte for byte.
     *
     * @return milliseconds from the call until the output held the job
     */
    long printsWhole(LpdPrinter p, String name, byte[] bytes) throws Exception {
        long start = System.nanoTime();
        JobStatus j;
        try {
            j = p.print(Document.of(name + ".bin", bytes), JobOptions.named(name), null);
        } catch (PrintException e) {
            throw new AssertionError("job " + name + ": " + e + "; lpd's log:\n" + lpd.log(), e);
        }
        assertEquals(JobState.PENDING, j.state(), j.describe());
        printed.writeBytes(bytes);
        byte[] want = printed.toByteArray();
        Peers.waitFor("lpd printing job " + j.id() + " (" + name + "): " + want.length + " bytes in its output",
                Duration.ofSeconds(30), () -> size() >= want.length, lpd.process(), lpd.dir.resolve("lpd.log"));
        assertArrayEquals(want, Files.readAllBytes(lpd.output("raw")), "the output after job " + j.id() + " (" + name
                + "): every whole job, nothing of a cut one; lpd's log:\n" + lpd.log());
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    long size() {
        try {
            return Files.size(lpd.output("raw"));
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void delayWithJitterReordersPacketsYetTheJobPrintsWhole() throws Exception {
        LpdPrinter p = printer(Duration.ofSeconds(30));
        net.delay(200, 50, 71);
        int size = FULL ? MIB : 256 * 1024;
        long ms = printsWhole(p, "delayed", FaultingDocument.bytes(size));
        long queued = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        net.clear();
        System.out.println("lpd, delay 200 +- 50 ms: a job of " + size + " bytes printed whole in " + ms + " ms; " + queued
                + " packets through the delay (" + net.delayReport() + ")");
        // connect, then five acknowledgements (receive job, control file command, control file, data file
        // command, data file): six round trips of at least 2 x 150 ms
        assertTrue(ms >= 6 * 300, "six round trips through the delay: " + ms + " ms");
        net.checkDelayReordered(queued);
        leaks.awaitReleased();
    }

    @Test
    void everyPacketOfTheDaemonDuplicatedTheJobPrintsWhole() throws Exception {
        LpdPrinter p = printer(Duration.ofSeconds(30));
        net.duplicate();
        int size = FULL ? MIB : 256 * 1024;
        long ms = printsWhole(p, "duplicated", FaultingDocument.bytes(size));
        long duplicated = net.matched("mangle", "POSTROUTING");
        net.clear();
        System.out.println("lpd, duplication: a job of " + size + " bytes printed whole in " + ms + " ms; " + duplicated
                + " packets of lpd duplicated (its acknowledgements among them)");
        assertTrue(duplicated > 0, "the duplication took effect");
        leaks.awaitReleased();
    }

    @Test
    void lossAtMtu576TheJobPrintsWhole() throws Exception {
        LpdPrinter p = printer(LOSS_LIMIT);
        net.mtu(576);
        net.loss(10);
        LossRun run = jobsThroughLoss(i -> printsWhole(p, "lossy-" + i, FaultingDocument.bytes(256 * 1024 + i)));
        System.out.println("lpd, loss 10 %, MTU 576: " + run.jobs() + " jobs of 256 KiB printed whole in "
                + run.millis() + " ms; " + run.dropped() + " packets dropped");
        assertTrue(run.dropped() > 0, "the loss took effect");
        net.clear();
        leaks.awaitReleased();
    }

    /**
     * lpd again, with a 3 s limit on each read of a job it receives ({@link LprngDaemon#startIn(FaultNetwork,
     * int)}): lpd receives one job per queue at a time, and the receive of a job cut by a fault (whose
     * client's reset lpd never got: dropped by the blackhole, or sent by the rule for lpd) would hold
     * the queue for lpd's default 6000 s.
     */
    void lpdWithReceiveLimit() throws Exception {
        lpd.close();
        lpd = LprngDaemon.startIn(net, 3);
        leaks = Leaks.baseline(sockets::sockets);
    }

    /** Prints a 64 MiB document made while sent; {@code fault} comes after its first MiB. */
    <T extends PrintException> T cutJob(LpdPrinter p, Class<T> expected, String what, FaultingDocument.Fault fault)
            throws Exception {
        long[] lastProgress = {0, 0};
        long[] applied = {0};
        Document d = FaultingDocument.of("cut.bin", 64L * MIB, MIB, () -> {
            fault.apply();
            applied[0] = System.nanoTime();
        });
        long start = System.nanoTime();
        T e = assertThrows(expected, () -> p.print(d, JobOptions.named("cut"), (sent, total) -> {
            lastProgress[0] = System.nanoTime();
            lastProgress[1] = sent;
        }));
        long end = System.nanoTime();
        assertTrue(applied[0] != 0, "the fault was applied: " + e);
        System.out.println("lpd, " + what + " after 1 MiB of a 64 MiB job: " + e.getClass().getSimpleName() + " \""
                + e.getMessage() + "\" " + TimeUnit.NANOSECONDS.toMillis(end - applied[0]) + " ms after the fault, "
                + TimeUnit.NANOSECONDS.toMillis(end - lastProgress[0]) + " ms after the last chunk taken ("
                + lastProgress[1] + " bytes taken), " + TimeUnit.NANOSECONDS.toMillis(end - start) + " ms in all");
        assertTrue(e.getMessage().contains(net.peerAddress + ":515"), "names the printer's address: " + e.getMessage());
        return e;
    }

    @Test
    void aBlackholeMidJobIsATypedTimeoutThenAJobPrints() throws Exception {
        lpdWithReceiveLimit();
        LpdPrinter p = printer(Duration.ofSeconds(2));
        printsWhole(p, "before", FaultingDocument.bytes(16 * 1024));
        PrintTimeoutException e = cutJob(p, PrintTimeoutException.class, "blackhole", net::blackhole);
        assertTrue(e.getMessage().contains("within 2000 ms"), e.getMessage());
        net.clear();
        System.out.println("lpd, blackhole lifted: a 64 KiB job printed in " + printsWhole(p, "after",
                FaultingDocument.bytes(64 * 1024)) + " ms");
        leaks.awaitReleased();
    }

    @Test
    void aResetMidJobIsATypedConnectionFailureThenAJobPrints() throws Exception {
        lpdWithReceiveLimit();
        LpdPrinter p = printer(Duration.ofSeconds(10));
        printsWhole(p, "before", FaultingDocument.bytes(16 * 1024));
        long start = System.nanoTime();
        PrintConnectionException e = cutJob(p, PrintConnectionException.class, "reset", () -> net.resetTcp(515));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < 10_000, "failed at the reset, not at the 10 s limit: " + ms + " ms");
        net.clear();
        // the cut job's receive holds the queue until lpd's 3 s limit ends it
        System.out.println("lpd, reset lifted: a 64 KiB job printed in " + printsWhole(p, "after",
                FaultingDocument.bytes(64 * 1024)) + " ms");
        leaks.awaitReleased();
    }

    @Test
    void aFrozenDaemonIsATypedTimeoutThenPrintsWhenItResumes() throws Exception {
        LpdPrinter p = printer(Duration.ofSeconds(2));
        printsWhole(p, "before", FaultingDocument.bytes(16 * 1024));
        long processes = 1 + lpd.process().descendants().count();
        FaultNetwork.freeze(lpd.process());
        PrintTimeoutException job;
        PrintTimeoutException state;
        long jobMs;
        long stateMs;
        try {
            long start = System.nanoTime();
            job = assertThrows(PrintTimeoutException.class,
                    () -> p.print(Document.of("frozen.bin", FaultingDocument.bytes(16 * 1024)), JobOptions.named("frozen"),
                            null));
            jobMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            start = System.nanoTime();
            state = assertThrows(PrintTimeoutException.class, p::status);
            stateMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        } finally {
            FaultNetwork.thaw(lpd.process());
        }
        System.out.println("lpd, frozen (" + processes + " processes): a job: \"" + job.getMessage() + "\" after "
                + jobMs + " ms; the queue state: \"" + state.getMessage() + "\" after " + stateMs + " ms");
        for (long ms : new long[] {jobMs, stateMs}) {
            assertTrue(ms >= 1_900 && ms < 10_000, "ended at the 2 s limit: " + ms + " ms");
        }
        assertTrue(job.getMessage().contains(net.peerAddress + ":515") && job.getMessage().contains("receive job"),
                job.getMessage());
        System.out.println("lpd, thawed: a 64 KiB job printed in " + printsWhole(p, "after",
                FaultingDocument.bytes(64 * 1024)) + " ms");
        leaks.awaitReleased();
    }
}
