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
                c.write(Pjl.jobStart(options.jobName(), options.copies()), "the PJL job header");
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
        }
        return new JobStatus(0, JobState.UNKNOWN, List.of(), "all " + sent + " bytes taken by the printer; raw 9100"
                + " does not report whether the job printed", options.jobName(), -1);
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
