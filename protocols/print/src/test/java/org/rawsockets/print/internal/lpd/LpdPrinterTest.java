package org.rawsockets.print.internal.lpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.print.Document;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobState;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.LpdException;
import org.rawsockets.print.internal.LprngDaemon;
import org.rawsockets.print.internal.Peers;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** The LPD client against LPRng's lpd run by the test (see {@link LprngDaemon}). */
class LpdPrinterTest {

    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;
    static LprngDaemon lpd;

    @BeforeAll
    static void start() throws Exception {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.print"));
        lpd = new LprngDaemon();
    }

    @AfterAll
    static void stop() {
        if (lpd != null) {
            lpd.close();
        }
        sockets.close();
        engine.close();
    }

    static LpdPrinter printer(String queue) {
        return new LpdPrinter(sockets, PrinterSettings.defaults("lpd-" + queue, "lpd://127.0.0.1:" + lpd.port + "/" + queue)
                .withTimeout(Duration.ofSeconds(10)), "gateway");
    }

    @Test
    void jobPrintedByteForByteTwoCopies() throws Exception {
        byte[] doc = new byte[200_000];
        for (int i = 0; i < doc.length; i++) {
            doc[i] = (byte) (i % 251); // every byte value incl. control characters: 'l' format keeps them
        }
        JobStatus j = printer("raw").print(Document.of("data.bin", doc), JobOptions.named("lpd test").withCopies(2),
                null);
        assertTrue(j.id() >= 0 && j.id() < 1000);
        byte[] twice = new byte[doc.length * 2];
        System.arraycopy(doc, 0, twice, 0, doc.length);
        System.arraycopy(doc, 0, twice, doc.length, doc.length);
        Peers.waitFor("lpd output", Duration.ofSeconds(20), () -> {
            try {
                return Files.size(lpd.output("raw")) >= twice.length;
            } catch (java.io.IOException e) {
                return false;
            }
        }, null, null);
        assertArrayEquals(twice, Files.readAllBytes(lpd.output("raw")), "two copies, byte for byte; lpd log:\n" + lpd.log());
    }

    @Test
    void nakIsATypedError() {
        LpdException e = assertThrows(LpdException.class,
                () -> printer("nosuch").print(Document.of("a", "x".getBytes()), JobOptions.named("x"), null));
        assertTrue(e.getMessage().contains("refused receive job for queue nosuch (negative acknowledgement")
                && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void heldJobListedShortAndLongThenRemoved() throws Exception {
        LpdPrinter p = printer("held");
        JobStatus j = p.print(Document.of("report.txt", "held job\n".getBytes()),
                JobOptions.named("quarterly").withUser("alice"), null);
        // the daemon lists it as "incoming" until it has processed the job, then as held
        Peers.waitFor("job " + j.id() + " listed as held", Duration.ofSeconds(10), () -> {
            try {
                return p.jobs().stream().anyMatch(x -> x.id() == j.id() && x.state() == JobState.PENDING_HELD);
            } catch (Exception e) {
                return false;
            }
        }, null, null);
        String longForm = p.queueState(true);
        assertTrue(longForm.contains("alice") && longForm.contains("quarterly"), longForm);
        p.cancel(j.id());
        Peers.waitFor("job removed", Duration.ofSeconds(10), () -> {
            try {
                return p.jobs().stream().noneMatch(x -> x.id() == j.id());
            } catch (Exception e) {
                return false;
            }
        }, null, null);
        assertEquals(JobState.UNKNOWN, p.job(j.id()).state());
        assertFalse(p.status().message().isEmpty());
    }

    static String safe(LpdPrinter p) {
        try {
            return p.queueState(false);
        } catch (Exception e) {
            return e.toString();
        }
    }

    static String safeLong(LpdPrinter p) {
        try {
            return p.queueState(true);
        } catch (Exception e) {
            return e.toString();
        }
    }
}
