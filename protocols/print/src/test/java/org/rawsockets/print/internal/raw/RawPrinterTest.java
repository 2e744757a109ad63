package org.rawsockets.print.internal.raw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.print.Document;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobState;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.PrintTimeoutException;
import org.rawsockets.print.PrinterState;
import org.rawsockets.print.PrinterStatus;
import org.rawsockets.print.UnsupportedPrintOperationException;
import org.rawsockets.print.internal.Peers;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.print.internal.ScriptedPeer;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** Raw 9100 against scripted Python sinks: exact bytes, PJL wrapper and status, a sink that stops reading. */
class RawPrinterTest {

    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;

    @BeforeAll
    static void start() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.print"));
    }

    @AfterAll
    static void stop() {
        sockets.close();
        engine.close();
    }

    static PrinterSettings settings(int port) {
        return PrinterSettings.defaults("raw", "socket://127.0.0.1:" + port);
    }

    static Path waitForJob(ScriptedPeer peer, int n) throws Exception {
        Path f = peer.dir.resolve("job-" + n + ".bin");
        Peers.waitFor("job file " + f, Duration.ofSeconds(10), () -> Files.exists(f), null, peer.log);
        return f;
    }

    @Test
    void documentArrivesByteForByte() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer("raw_peer.py", "sink")) {
            byte[] doc = new byte[3 * 128 * 1024 + 17];
            for (int i = 0; i < doc.length; i++) {
                doc[i] = (byte) (i * 7);
            }
            long[] last = {0};
            JobStatus j = new RawPrinter(sockets, settings(peer.port)).print(Document.of("d.bin", doc),
                    JobOptions.named("d"), (sent, total) -> last[0] = sent);
            assertEquals(JobState.UNKNOWN, j.state(), "raw 9100 reports nothing: not guessed");
            assertEquals(doc.length, last[0]);
            assertArrayEquals(doc, Files.readAllBytes(waitForJob(peer, 1)));
        }
    }

    /**
     * pjlJobStatus: the header asks for unsolicited status, and print() follows the job to the
     * printer's USTATUS JOB END (pages; a device error on the way is a reason). A printer that never
     * sends USTATUS leaves the job UNKNOWN after the timeout, as before: not an error, not a guess.
     */
    @Test
    void pjlJobStatusFollowsTheJobToTheEndThePrinterReports() throws Exception {
        byte[] doc = new byte[300_000];
        for (int i = 0; i < doc.length; i++) {
            doc[i] = (byte) ('A' + i % 26);
        }
        try (ScriptedPeer peer = new ScriptedPeer("raw_peer.py", "pjl")) {
            Files.writeString(peer.dir.resolve("pages.txt"), "3");
            Files.writeString(peer.dir.resolve("device.txt"), "CODE=41200\nDISPLAY=\"LOAD TRAY 2\"\nONLINE=TRUE\n\n"
                    + "CODE=10001\nDISPLAY=\"Ready\"\nONLINE=TRUE\n");
            RawPrinter p = new RawPrinter(sockets, settings(peer.port).withPjl(true).withPjlJobStatus(true));
            JobStatus j = p.print(Document.of("report.txt", doc), JobOptions.named("report"), null);
            assertEquals(JobState.COMPLETED, j.state(), j.toString());
            assertEquals(3, j.impressionsCompleted(), j.toString());
            assertEquals(java.util.List.of("media-empty-error"), j.reasons(), j.toString());
            assertTrue(j.message().contains("USTATUS JOB END") && j.message().contains("3 pages"), j.message());
            String sent = new String(Files.readAllBytes(waitForJob(peer, 1)), StandardCharsets.ISO_8859_1);
            assertTrue(sent.startsWith("\u001B%-12345X@PJL\r\n@PJL USTATUS JOB=ON\r\n@PJL USTATUS DEVICE=ON\r\n"
                    + "@PJL JOB NAME=\"report\"\r\n"), sent.substring(0, 120));
            assertTrue(sent.contains(new String(doc, StandardCharsets.ISO_8859_1)), "the document, whole");
        }
        try (ScriptedPeer peer = new ScriptedPeer("raw_peer.py", "pjl")) {
            Files.writeString(peer.dir.resolve("silent"), "");
            RawPrinter p = new RawPrinter(sockets, settings(peer.port).withTimeout(Duration.ofSeconds(2)).withPjl(true)
                    .withPjlJobStatus(true));
            long t0 = System.nanoTime();
            JobStatus j = p.print(Document.of("report.txt", doc), JobOptions.named("report"), null);
            assertEquals(JobState.UNKNOWN, j.state(), j.toString());
            assertTrue(j.message().contains("no @PJL USTATUS") && j.message().contains("2000 ms"), j.message());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "bounded by the timeout");
        }
    }

    @Test
    void pjlWrapperAndStatusReadback() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer("raw_peer.py", "pjl")) {
            RawPrinter p = new RawPrinter(sockets, settings(peer.port).withPjl(true));
            byte[] doc = "%!PS\nshowpage\n".getBytes(StandardCharsets.US_ASCII);
            p.print(Document.of("d.ps", doc), JobOptions.named("Invoice \"42\"").withCopies(2), null);
            ByteArrayOutputStream want = new ByteArrayOutputStream();
            want.writeBytes(("\u001B%-12345X@PJL\r\n@PJL JOB NAME=\"Invoice _42_\"\r\n@PJL SET COPIES=2\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            want.writeBytes(doc);
            want.writeBytes("\u001B%-12345X@PJL\r\n@PJL EOJ NAME=\"Invoice _42_\"\r\n\u001B%-12345X"
                    .getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(want.toByteArray(), Files.readAllBytes(waitForJob(peer, 1)));

            Files.writeString(peer.dir.resolve("status.txt"), "CODE=10001\nDISPLAY=\"Ready\"\nONLINE=TRUE\n");
            PrinterStatus st = p.status();
            assertEquals(PrinterState.IDLE, st.state(), st.describe());
            assertTrue(st.message().contains("Ready"), st.describe());
            Files.writeString(peer.dir.resolve("status.txt"), "CODE=41200\nDISPLAY=\"LOAD TRAY 2\"\nONLINE=FALSE\n");
            st = p.status();
            assertEquals(PrinterState.STOPPED, st.state());
            assertTrue(st.describe().contains("out of paper") && st.describe().contains("offline"), st.describe());
        }
        try (ScriptedPeer peer = new ScriptedPeer("raw_peer.py", "sink")) {
            assertThrows(UnsupportedPrintOperationException.class,
                    () -> new RawPrinter(sockets, settings(peer.port)).status());
        }
    }

    @Test
    void sinkThatStopsReadingMakesTheJobWaitThenATypedTimeout() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer("raw_peer.py", "stall")) {
            long size = 1L << 30;
            long[] read = {0};
            long[] progress = {0};
            Document huge = new Document("huge", size, () -> new InputStream() {
                @Override
                public int read() {
                    return -1;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    int n = (int) Math.min(len, size - read[0]);
                    if (n <= 0) {
                        return -1;
                    }
                    read[0] += n;
                    return n;
                }
            });
            RawPrinter p = new RawPrinter(sockets, settings(peer.port).withTimeout(Duration.ofSeconds(2)));
            long t0 = System.nanoTime();
            PrintTimeoutException e = assertThrows(PrintTimeoutException.class,
                    () -> p.print(huge, JobOptions.named("x"), (sent, total) -> progress[0] = sent));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(peer.logContains("stalled after"), peer.log());
            assertTrue(e.getMessage().contains("did not take the document"), e.getMessage());
            assertTrue(ms >= 2000 && ms < 6_000, "waited for the sink, then a typed timeout: " + ms + " ms");
            assertTrue(read[0] < 32L * 1024 * 1024, "document read only as far as the sink took it: " + read[0]);
            assertTrue(progress[0] <= read[0]);
            System.out.printf("stalled 9100 sink: %d bytes read from the document, %d reported taken, timeout after %d ms%n",
                    read[0], progress[0], ms);
        }
    }

    @Test
    void twoDocumentsOneStream() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer("raw_peer.py", "sink")) {
            new RawPrinter(sockets, settings(peer.port)).print(List.of(Document.of("a", "AAA".getBytes()),
                    Document.of("b", "BB".getBytes())), JobOptions.named("two"), null);
            assertEquals("AAABB", Files.readString(waitForJob(peer, 1)));
        }
    }
}
