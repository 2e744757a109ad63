package org.rawsockets.print.internal.raw;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.rawsockets.print.Document;
import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.IppProtocolException;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobState;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.Printer;
import org.rawsockets.print.PrinterStatus;
import org.rawsockets.print.ProgressListener;
import org.rawsockets.print.UnsupportedPrintOperationException;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.print.internal.StreamConnection;
import org.rawsockets.socket.SocketService;

/**
 * Raw printing to port 9100 (AppSocket/JetDirect): the document is streamed as it is, optionally in a
 * PJL job wrapper; memory is two chunks, each chunk must be taken by the printer within the timeout
 * (a printer that stops reading ends the job with {@link org.rawsockets.print.PrintTimeoutException}).
 * The protocol reports nothing about the job: its state is {@link JobState#UNKNOWN}, never guessed.
 * With PJL on, {@link #status()} asks {@code @PJL INFO STATUS}.
 */
public final class RawPrinter implements Printer {

    private static final int MAX_PJL_ANSWER = 4096;

    private final SocketService sockets;
    private final PrinterSettings s;

    public RawPrinter(SocketService sockets, PrinterSettings settings) {
        this.sockets = sockets;
        this.s = settings;
    }

    @Override
    public String name() {
        return s.name();
    }

    @Override
    public String uri() {
        return s.uri().text();
    }

    @Override
    public PrinterStatus status() throws PrintException {
        if (!s.pjl()) {
            throw new UnsupportedPrintOperationException("printer " + s.label() + ": raw 9100 has no status without PJL"
                    + " (set pjl=true if the printer speaks PJL)");
        }
        try (StreamConnection c = StreamConnection.open(sockets, s)) {
            c.write(Pjl.infoStatus(), "@PJL INFO STATUS");
            byte[] answer = c.readUntil(new byte[] {0x0C}, MAX_PJL_ANSWER, "its answer to @PJL INFO STATUS");
            if (answer == null) {
                throw new IppProtocolException("printer " + s.label() + " closed the connection without answering"
                        + " @PJL INFO STATUS");
            }
            String text = new String(answer, StandardCharsets.US_ASCII);
            if (!text.contains("@PJL INFO STATUS")) {
                throw new IppProtocolException("printer " + s.label() + " answered @PJL INFO STATUS with something else: '"
                        + text.replaceAll("\\p{Cntrl}", "?") + "'");
            }
            return Pjl.status(Pjl.parse(text));
        }
    }

    @Override
    public JobStatus print(Document document, JobOptions options, ProgressListener progress) throws PrintException {
        return print(List.of(document), options, progress);
    }

    @Override
    public JobStatus print(List<Document> documents, JobOptions options, ProgressListener progress)
            throws PrintException {
        long total = documents.stream().mapToLong(Document::length).reduce(0, (x, y) -> x < 0 || y < 0 ? -1 : x + y);
        long sent = 0;
        try (StreamConnection c = StreamConnection.open(sockets, s)) {
            if (s.pjl()) {
                c.write(Pjl.jobStart(options.jobName(), options.copies(), s.pjlJobStatus()), "the PJL job header");
            }
            for (Document d : documents) {
                try (InputStream in = d.opener().open()) {
                    sent += c.stream(in, sent, progress, total);
                } catch (IOException e) {
                    throw e instanceof PrintException p ? p
                            : new PrintException("cannot read document " + d.name() + " for printer " + s.label() + ": " + e, e);
                }
            }
            if (s.pjl()) {
                c.write(Pjl.jobEnd(options.jobName()), "the PJL job end");
            }
            if (s.pjl() && s.pjlJobStatus()) {
                return awaitJobEnd(c, options.jobName(), sent);
            }
        }
        return new JobStatus(0, JobState.UNKNOWN, List.of(), "all " + sent + " bytes taken by the printer; raw 9100"
                + " does not report whether the job printed", options.jobName(), -1);
    }

    /** Most unsolicited status messages read while waiting for the job's END. */
    private static final int MAX_USTATUS = 1000;

    /**
     * Reads the printer's unsolicited status messages until the END of this job (by its PJL name):
     * COMPLETED with the pages printed and the device errors seen on the way as reasons. A printer
     * that says nothing within the timeout, closes, or goes past the job timeout leaves the state
     * UNKNOWN (the bytes were taken; raw 9100 cannot say more), never guessed.
     */
    private JobStatus awaitJobEnd(StreamConnection c, String jobName, long sent) throws PrintException {
        long deadline = System.nanoTime() + s.jobTimeout().toNanos();
        String name = Pjl.safe(jobName);
        java.util.LinkedHashSet<String> reasons = new java.util.LinkedHashSet<>();
        String taken = "all " + sent + " bytes taken by the printer";
        for (int n = 0; n < MAX_USTATUS && System.nanoTime() < deadline; n++) {
            byte[] msg;
            try {
                msg = c.readUntil(new byte[] {0x0C}, MAX_PJL_ANSWER, "its unsolicited status (@PJL USTATUS) after the job");
            } catch (org.rawsockets.print.PrintTimeoutException e) {
                return unknown(jobName, reasons, taken + "; no @PJL USTATUS from the printer within "
                        + s.timeout().toMillis() + " ms (timeoutMillis), so whether the job printed is unknown");
            }
            if (msg == null) {
                return unknown(jobName, reasons, taken + "; the printer closed the connection before the job's"
                        + " @PJL USTATUS JOB END");
            }
            Pjl.Ustatus u = Pjl.Ustatus.parse(new String(msg, StandardCharsets.US_ASCII).replace("\u001B%-12345X", ""));
            if (u == null) {
                continue; // not a USTATUS message (e.g. an echo): skipped
            }
            if (u.kind().equals("DEVICE")) {
                PrinterStatus st = Pjl.status(u.values());
                if (st.state() == org.rawsockets.print.PrinterState.STOPPED) {
                    reasons.addAll(st.reasons());
                }
            } else if (u.kind().equals("JOB") && u.event().equals("END") && name.equals(u.values().get("NAME"))) {
                int pages;
                try {
                    pages = Integer.parseInt(u.values().getOrDefault("PAGES", "-1"));
                } catch (NumberFormatException e) {
                    pages = -1;
                }
                return new JobStatus(0, JobState.COMPLETED, List.copyOf(reasons), taken + "; the printer reported the"
                        + " job's end (@PJL USTATUS JOB END" + (pages >= 0 ? ", " + pages + " pages" : "") + ")", jobName,
                        pages);
            }
        }
        return unknown(jobName, reasons, taken + "; no @PJL USTATUS JOB END for it within " + s.jobTimeout().toMillis()
                + " ms (jobTimeoutMillis), so whether the job printed is unknown");
    }

    private static JobStatus unknown(String jobName, java.util.Set<String> reasons, String message) {
        return new JobStatus(0, JobState.UNKNOWN, List.copyOf(reasons), message, jobName, -1);
    }

    private UnsupportedPrintOperationException unsupported(String what) {
        return new UnsupportedPrintOperationException("printer " + s.label() + ": raw 9100 (AppSocket) has no " + what);
    }

    @Override
    public List<IppAttribute> attributes(List<String> names) throws PrintException {
        throw unsupported("printer attributes (IPP only)");
    }

    @Override
    public void validate(JobOptions options) throws PrintException {
        throw unsupported("job validation (IPP only)");
    }

    @Override
    public JobStatus job(int id) throws PrintException {
        throw unsupported("job status");
    }

    @Override
    public List<JobStatus> jobs() throws PrintException {
        throw unsupported("job list");
    }

    @Override
    public void cancel(int id) throws PrintException {
        throw unsupported("job cancel");
    }

    @Override
    public void identify() throws PrintException {
        throw unsupported("identify operation");
    }

    @Override
    public JobStatus awaitJob(int id, Duration timeout) throws PrintException {
        throw unsupported("job status to follow");
    }
}
