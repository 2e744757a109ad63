package org.rawsockets.print.internal.ipp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rawsockets.print.Document;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobState;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.PrintConnectionException;
import org.rawsockets.print.PrintTimeoutException;
import org.rawsockets.print.internal.IppEvePrinter;
import org.rawsockets.print.internal.Peers;
import org.rawsockets.print.internal.PrintFaultsTestBase;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.socket.netfault.FaultNetwork;

/**
 * The IPP client through network faults (issue 21): CUPS's ippeveprinter in a network namespace
 * the test creates (a veth pair, a private /30, nothing leaves the machine), the client in this JVM.
 * Faults: a delay of 200 ms ± 50 ms each way (which reorders packets) and 10 % loss both ways at MTU
 * 576 and every packet of the printer duplicated, each under a print job whose spooled document
 * must equal the one sent; a blackhole and a
 * frozen printer (SIGSTOP): a status request ends with {@link PrintTimeoutException} at the
 * client's time limit; a TCP reset: {@link PrintConnectionException}; the printer answers again
 * once the fault is lifted. After close no socket, thread or file descriptor of the
 * client remains. {@code -Dfaults.full=true} (profile {@code faults}) prints 4x larger documents.
 */
class NetworkFaultsTest extends PrintFaultsTestBase {

    IppEvePrinter eve;

    @Override
    protected void startPeer() throws Exception {
        eve = IppEvePrinter.startIn(net);
    }

    @Override
    protected void stopPeer() {
        if (eve != null) {
            System.out.println("---- ippeveprinter's log:\n" + eve.log());
            eve.close();
        }
    }

    IppPrinter printer(Duration timeout) {
        return new IppPrinter(sockets, PrinterSettings.defaults("faults", eve.uri("ipp")).withTimeout(timeout));
    }

    /**
     * A document of {@code size} bytes sent as application/pdf: a PDF header, then bytes of every
     * value (ippeveprinter spools what it gets as is; application/octet-stream would make it guess
     * the format, and it refuses what it cannot recognize).
     */
    static byte[] document(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + (i >> 8));
        }
        byte[] head = "%PDF-1.4\n%".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, b, 0, head.length);
        return b;
    }

    /** Prints {@code bytes}; the job completes and the spool holds exactly them. */
    void printsWhole(IppPrinter p, String name, byte[] bytes, String format, String ext) throws Exception {
        JobStatus j = p.print(Document.of(name + "." + ext, bytes), JobOptions.named(name).withFormat(format), null);
        JobStatus done = p.awaitJob(j.id(), Duration.ofSeconds(60));
        assertEquals(JobState.COMPLETED, done.state(), done.describe());
        assertArrayEquals(bytes, Files.readAllBytes(eve.spoolFile(j.id(), ext)), "the spooled document of job " + j.id());
    }

    void noLeaks(IppPrinter p) throws Exception {
        p.close();
        leaks.awaitReleased();
    }

    @Test
    void delayWithJitterReordersPacketsYetTheJobArrivesWhole() throws Exception {
        IppPrinter p = printer(Duration.ofSeconds(30));
        net.delay(200, 50, 63);
        long start = System.nanoTime();
        printsWhole(p, "delayed-pdf", Peers.pdf(), "application/pdf", "pdf");
        printsWhole(p, "delayed-data", document(FULL ? 1024 * 1024 : 256 * 1024), "application/pdf", "pdf");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long queued = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        net.clear();
        String report = net.delayReport();
        System.out.println("delay 200 +- 50 ms: a PDF and a " + (FULL ? "1 MiB" : "256 KiB") + " job printed whole in " + ms
                + " ms; " + queued + " packets through the delay (" + report + ")");
        assertTrue(ms >= 4 * 300, "two jobs, each a print request and at least one status request: " + ms + " ms");
        net.checkDelayReordered(queued);
        noLeaks(p);
    }

    @Test
    void everyPacketOfThePrinterDuplicatedTheJobArrivesWhole() throws Exception {
        IppPrinter p = printer(Duration.ofSeconds(30));
        net.duplicate();
        long start = System.nanoTime();
        printsWhole(p, "duplicated-pdf", Peers.pdf(), "application/pdf", "pdf");
        printsWhole(p, "duplicated-data", document(FULL ? 1024 * 1024 : 256 * 1024), "application/pdf", "pdf");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long duplicated = net.matched("mangle", "POSTROUTING");
        System.out.println("duplication: a PDF and a " + (FULL ? "1 MiB" : "256 KiB") + " job printed whole in " + ms
                + " ms; " + duplicated + " packets of the printer duplicated");
        assertTrue(duplicated > 0, "the duplication took effect");
        net.clear();
        noLeaks(p);
    }

    @Test
    void lossAtMtu576TheJobArrivesWhole() throws Exception {
        IppPrinter p = printer(LOSS_LIMIT);
        net.mtu(576);
        net.loss(10);
        LossRun run = jobsThroughLoss(i -> printsWhole(p, "lossy-data-" + i, document(256 * 1024 + i),
                "application/pdf", "pdf"));
        System.out.println("loss 10 %, MTU 576: " + run.jobs() + " jobs of 256 KiB printed whole in " + run.millis()
                + " ms; " + run.dropped() + " packets dropped");
        assertTrue(run.dropped() > 0, "the loss took effect");
        net.clear();
        noLeaks(p);
    }

    @Test
    void aResetIsATypedConnectionFailureThenThePrinterAnswersAgain() throws Exception {
        IppPrinter p = printer(Duration.ofSeconds(10));
        p.status();
        net.resetTcp(631);
        PrintConnectionException e = assertThrows(PrintConnectionException.class, p::status);
        System.out.println("reset: " + e.getMessage());
        assertTrue(e.getMessage().contains(net.peerAddress), e.getMessage());
        net.clear();
        assertTrue(p.status().acceptingJobs());
        noLeaks(p);
    }

    @Test
    void aFrozenPrinterIsATypedTimeoutThenAnswersWhenItResumes() throws Exception {
        IppPrinter p = printer(Duration.ofSeconds(2));
        p.status();
        FaultNetwork.freeze(eve.process());
        PrintTimeoutException e;
        try {
            e = assertThrows(PrintTimeoutException.class, p::status);
        } finally {
            FaultNetwork.thaw(eve.process());
        }
        System.out.println("frozen printer: " + e.getMessage());
        assertTrue(p.status().acceptingJobs());
        noLeaks(p);
    }

    @Test
    void aBlackholeIsATypedTimeoutThenThePrinterAnswersAgain() throws Exception {
        IppPrinter p = printer(Duration.ofSeconds(2));
        p.status();
        net.blackhole();
        long start = System.nanoTime();
        PrintTimeoutException e = assertThrows(PrintTimeoutException.class, p::status);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("blackhole: " + e.getMessage() + " after " + ms + " ms");
        assertTrue(ms >= 1_900 && ms < 10_000, "ended at the 2 s limit: " + ms + " ms");
        assertTrue(e.getMessage().contains(eve.uri("ipp")) || e.getMessage().contains(net.peerAddress), e.getMessage());
        net.clear();
        assertTrue(p.status().acceptingJobs());
        noLeaks(p);
    }

    @Test
    void aJobIntoABlackholeTimesOutSayingWhatWasUnsentAndNothingOfItPrintsLater() throws Exception {
        IppPrinter p = printer(Duration.ofSeconds(2));
        p.status(); // the connection the job reuses (kept alive), open before the blackhole
        net.blackhole();
        // no 100 Continue (after its 2 s the body goes anyway), the kernel takes its first send buffer
        // (16 KiB: no ACK grows it), the socket service holds the rest (below its 256 KiB high-water
        // mark, so the writes complete), and the response's timeout says so
        byte[] doc = document(200 * 1024);
        long start = System.nanoTime();
        PrintTimeoutException j = assertThrows(PrintTimeoutException.class,
                () -> p.print(Document.of("blackholed.pdf", doc), JobOptions.named("blackholed").withFormat(
                        "application/pdf"), null));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("blackhole, a job: " + j.getMessage() + " after " + ms + " ms");
        assertTrue(j.getMessage().matches(".*sent nothing of the response for 2000 ms \\(\\d+ bytes of the request were"
                + " still waiting to be sent: the network did not take them\\); connection closed"), j.getMessage());
        // the failed request's connection is reset at once, what the socket service held dropped: a
        // graceful close would keep it (up to the 30 s close timeout) and deliver the rest of a job the
        // caller was told failed once the path is back, and the printer would print it
        Peers.waitFor("the failed job's connection gone", Duration.ofSeconds(3), () -> sockets.sockets().isEmpty(),
                null, null);
        net.clear();
        assertTrue(p.status().acceptingJobs());
        assertTrue(!eve.log().contains("blackholed"), "the printer never got the failed job: " + eve.log());
        noLeaks(p);
    }
}
