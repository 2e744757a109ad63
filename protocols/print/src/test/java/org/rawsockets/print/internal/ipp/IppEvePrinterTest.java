package org.rawsockets.print.internal.ipp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.print.Document;
import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.IppStatusException;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobState;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.PrinterState;
import org.rawsockets.print.PrinterStatus;
import org.rawsockets.print.internal.IppEvePrinter;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * The IPP client against CUPS's ippeveprinter over IPP and IPPS, cross-checked with ipptool.
 */
class IppEvePrinterTest {

    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;
    static IppEvePrinter eve;

    @BeforeAll
    static void start() throws Exception {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.print"));
        eve = IppEvePrinter.start();
    }

    @AfterAll
    static void stop() {
        if (eve != null) {
            eve.close();
        }
        sockets.close();
        engine.close();
    }

    static IppPrinter printer(String scheme) {
        PrinterSettings s = PrinterSettings.defaults("eve-" + scheme, eve.uri(scheme));
        if (scheme.equals("ipps")) {
            s = s.withTls(TlsOptions.builder().trustedCertificatesPem(eve.certificatePem).build());
        }
        return new IppPrinter(sockets, s);
    }

    static Path resource(String name) throws Exception {
        return Paths.get(IppEvePrinterTest.class.getResource("/ipptool/" + name).toURI());
    }

    @Test
    void printerAttributesMatchIpptool() throws Exception {
        try (IppPrinter p = printer("ipp")) {
            List<IppAttribute> all = p.attributes(List.of());
            Map<String, IppAttribute> byName = all.stream().collect(Collectors.toMap(IppAttribute::name, a -> a, (a, b) -> a));
            assertTrue(all.size() > 40, "attributes: " + all.size());
            assertTrue(byName.get("document-format-supported").text().contains("application/pdf"));
            assertTrue(byName.containsKey("media-col-database"), "media-col-database (collections) decoded");
            String tool = eve.ipptool("ipp", resource("get-printer.test").toString());
            for (String n : List.of("printer-name", "printer-uuid", "printer-make-and-model")) {
                assertTrue(tool.contains(n + " (") && tool.contains("= " + byName.get(n).text()),
                        n + " = " + byName.get(n).text() + " not in ipptool's output:\n" + tool);
            }
            PrinterStatus st = p.status();
            assertTrue(st.state() == PrinterState.IDLE || st.state() == PrinterState.PROCESSING, st.describe());
            assertTrue(st.acceptingJobs());
            p.identify();
        }
    }

    @Test
    void printPdfOverIppToCompletedCrossCheckedWithIpptool() throws Exception {
        byte[] pdf = org.rawsockets.print.internal.Peers.pdf();
        try (IppPrinter p = printer("ipp")) {
            p.validate(JobOptions.named("pdf").withFormat("application/pdf"));
            JobStatus j = p.print(Document.of("t.pdf", pdf), JobOptions.named("pdfjob").withFormat("application/pdf"), null);
            assertTrue(j.id() > 0, j.describe());
            JobStatus done = p.awaitJob(j.id(), Duration.ofSeconds(30));
            assertEquals(JobState.COMPLETED, done.state(), done.describe());
            assertTrue(done.describe().contains("printed successfully") || done.reasons().contains("job-completed-successfully")
                    || !done.reasons().isEmpty(), done.describe());
            assertArrayEquals(pdf, Files.readAllBytes(eve.spoolFile(j.id(), "pdf")));
            String tool = eve.ipptool("ipp", resource("get-job.test").toString(), "job=" + j.id());
            assertTrue(tool.contains("job-state (enum) = completed"), tool);
            assertTrue(p.jobs("completed").stream().anyMatch(x -> x.id() == j.id()));
        }
    }

    @Test
    void ipptoolJobSeenByTheClient() throws Exception {
        Path pdf = Files.write(eve.dir.resolve("tool.pdf"), org.rawsockets.print.internal.Peers.pdf());
        String out = eve.ipptool("ipps", resource("print-job.test").toString(), "format=application/pdf",
                "filename=" + pdf);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("job-id \\(integer\\) = (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        int id = Integer.parseInt(m.group(1));
        try (IppPrinter p = printer("ipps")) {
            JobStatus j = p.awaitJob(id, Duration.ofSeconds(30));
            assertEquals(JobState.COMPLETED, j.state(), j.describe());
        }
    }

    /** A document of known length goes with Content-Length, one of unknown length (-1) chunked. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({ "ipp,true", "ipps,true", "ipp,false" })
    void largeDocumentWithProgressToCompleted(String scheme, boolean lengthKnown) throws Exception {
        long size = 64L * 1024 * 1024;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        AtomicLong last = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        Document doc = new Document("big.bin", lengthKnown ? size : -1, () -> new PatternStream(size, sent));
        try (IppPrinter p = printer(scheme)) {
            long t0 = System.nanoTime();
            JobStatus j = p.print(doc, JobOptions.named("big").withFormat("application/pdf"), (n, total) -> {
                assertEquals(lengthKnown ? size : -1, total);
                assertTrue(n >= last.get());
                last.set(n);
                calls.incrementAndGet();
            });
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("64 MiB over %s to ippeveprinter (%s): %.2f s, %.1f MiB/s%n", scheme,
                    lengthKnown ? "Content-Length" : "chunked", secs, 64 / secs);
            assertEquals(size, last.get());
            assertTrue(calls.get() >= size / (128 * 1024), "progress after each chunk: " + calls.get());
            JobStatus done = p.awaitJob(j.id(), Duration.ofSeconds(60));
            assertEquals(JobState.COMPLETED, done.state(), done.describe());
            Path f = eve.spoolFile(j.id(), "prn").resolveSibling(eve.spoolFile(j.id(), "prn").getFileName().toString());
            Path data = null;
            try (var files = Files.list(eve.spool)) {
                data = files.filter(x -> x.getFileName().toString().startsWith(j.id() + "-")
                        && !x.getFileName().toString().endsWith(".prn")).findFirst().orElseThrow();
            }
            assertEquals(size, Files.size(data), "spooled " + data + " (" + f + ")");
            MessageDigest got = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(data)) {
                byte[] b = new byte[1 << 16];
                int n;
                while ((n = in.read(b)) > 0) {
                    got.update(b, 0, n);
                }
            }
            assertEquals(HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(got.digest()));
        }
    }

    @Test
    void createJobSendDocumentAndCancel() throws Exception {
        try (IppPrinter p = printer("ipp")) {
            JobStatus j = p.print(List.of(Document.of("a.pdf", org.rawsockets.print.internal.Peers.pdf())),
                    JobOptions.named("two-step").withFormat("application/pdf"), null);
            assertEquals(JobState.COMPLETED, p.awaitJob(j.id(), Duration.ofSeconds(30)).state());
        }
        try (IppPrinter p = printer("ipp")) {
            // a job created and never given its document waits: cancel it
            JobStatus c = p.createJob(JobOptions.named("to-cancel"));
            assertTrue(p.jobs().stream().anyMatch(x -> x.id() == c.id()), "Get-Jobs lists the pending job");
            p.cancel(c.id());
            JobStatus after = p.awaitJob(c.id(), Duration.ofSeconds(30));
            assertEquals(JobState.CANCELED, after.state(), after.describe());
            String tool = eve.ipptool("ipp", resource("get-job.test").toString(), "job=" + c.id());
            assertTrue(tool.contains("job-state (enum) = canceled"), tool);
            IppStatusException again = assertThrows(IppStatusException.class, () -> p.cancel(c.id()));
            assertTrue(again.getMessage().contains("client-error-not-possible") || again.statusCode() >= 0x400,
                    again.getMessage());
        }
    }

    @Test
    void refusedFormatIsATypedIppError() throws Exception {
        try (IppPrinter p = printer("ipp")) {
            IppStatusException e = assertThrows(IppStatusException.class,
                    () -> p.validate(JobOptions.named("x").withFormat("application/x-unheard-of")));
            // ippeveprinter answers client-error-attributes-or-values-not-supported (0x040B), RFC 8011 also allows 0x040A
            assertTrue(e.statusCode() == 0x040A || e.statusCode() == 0x040B, e.getMessage());
            assertTrue(e.getMessage().contains("document-format"), e.getMessage());
        }
    }

    @Test
    void aDocumentShorterOrLongerThanItsDeclaredLengthFailsAndTheNextJobStillPrints() throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (IppPrinter p = printer("ipp")) {
            Document shorter = new Document("short.bin", 1 << 20, () -> new PatternStream(1000, md));
            PrintException s1 = assertThrows(PrintException.class,
                    () -> p.print(shorter, JobOptions.named("short").withFormat("application/pdf"), null));
            assertTrue(s1.getMessage().contains("was declared 1048576 bytes long but ended after 1000 bytes"), s1.getMessage());
            Document longer = new Document("long.bin", 1000, () -> new PatternStream(5000, md));
            PrintException s2 = assertThrows(PrintException.class,
                    () -> p.print(longer, JobOptions.named("long").withFormat("application/pdf"), null));
            assertTrue(s2.getMessage().contains("was declared 1000 bytes long but has more"), s2.getMessage());
            // ippeveprinter answers server-error-busy while a job (the aborted ones' or another test's) still
            // processes, even when it already reports idle: ask again until it takes the job, within 30 s
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            JobStatus ok;
            while (true) {
                try {
                    ok = p.print(Document.of("fine.pdf", "%PDF-1.4\n%%EOF\n".getBytes()),
                            JobOptions.named("fine").withFormat("application/pdf"), null);
                    break;
                } catch (IppStatusException busy) {
                    if (busy.statusCode() != 0x0507 || System.nanoTime() > until) {
                        throw busy;
                    }
                    Thread.sleep(50); // polling the printer for a condition, bounded by the deadline
                }
            }
            assertEquals(JobState.COMPLETED, p.awaitJob(ok.id(), Duration.ofSeconds(30)).state());
        }
    }

    /** A document of {@code size} pattern bytes, digested as it is read. */
    static final class PatternStream extends InputStream {
        private final long size;
        private final MessageDigest digest;
        private long pos;

        PatternStream(long size, MessageDigest digest) {
            this.size = size;
            this.digest = digest;
        }

        @Override
        public int read() {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++) {
                long x = pos + i;
                b[off + i] = (byte) (x * 31 + (x >>> 12));
            }
            digest.update(b, off, n);
            pos += n;
            return n;
        }
    }
}
