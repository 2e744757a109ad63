package org.rawsockets.print.internal.lpd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rawsockets.print.Document;
import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobState;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.LpdException;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.PrintTimeoutException;
import org.rawsockets.print.Printer;
import org.rawsockets.print.PrinterState;
import org.rawsockets.print.PrinterStatus;
import org.rawsockets.print.ProgressListener;
import org.rawsockets.print.UnsupportedPrintOperationException;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.print.internal.StreamConnection;
import org.rawsockets.socket.SocketService;

/**
 * An LPD queue (RFC 1179): receive job (02) with a control file (H, P, J, N, the l/f/o print lines per
 * copy, U) and the data files, every step's one-byte acknowledgement checked (anything but 0 is a
 * {@link LpdException} with the daemon's text); short (03) and long (04) queue state; remove jobs (05).
 * With {@code reservedPorts} every connection leaves from a free one of the RFC's source ports 721-731
 * (section 3.1), which daemons that authenticate clients by a privileged port (BSD lpd, LPRng with a
 * PORT rule) demand; without, from an ephemeral port.
 */
public final class LpdPrinter implements Printer {

    private static final int MAX_QUEUE_TEXT = 256 * 1024;
    private static final AtomicInteger JOB_NUMBER = new AtomicInteger((int) (System.nanoTime() % 1000));

    private final SocketService sockets;
    private final PrinterSettings s;
    /** RFC 1179 section 3.1: the source port of every connection is in this range. */
    public static final int RESERVED_FIRST = 721;
    public static final int RESERVED_LAST = 731;

    private static final String RESERVED_HINT = "; a daemon that accepts clients only from RFC 1179's source ports"
            + " 721-731 answers so too: then set lpdReservedPorts=true";

    private final String host;
    private final boolean reservedPorts;

    public LpdPrinter(SocketService sockets, PrinterSettings settings, String localHostName) {
        this(sockets, settings, localHostName, false);
    }

    /** @param reservedPorts connect from a free one of the source ports 721-731 */
    public LpdPrinter(SocketService sockets, PrinterSettings settings, String localHostName, boolean reservedPorts) {
        this.sockets = sockets;
        this.s = settings;
        this.host = clean(localHostName, 31, "localhost");
        this.reservedPorts = reservedPorts;
    }

    private StreamConnection connect() throws PrintException {
        return reservedPorts ? StreamConnection.open(sockets, s, RESERVED_FIRST, RESERVED_LAST) : StreamConnection.open(sockets, s);
    }

    @Override
    public String name() {
        return s.name();
    }

    @Override
    public String uri() {
        return s.uri().text();
    }

    /** Control file text: printable ASCII without spaces in the first field, at most {@code max} characters. */
    static String clean(String v, int max, String fallback) {
        StringBuilder b = new StringBuilder();
        for (char c : (v == null ? "" : v).toCharArray()) {
            if (c > 32 && c < 127) {
                b.append(c);
            } else if (c == ' ') {
                b.append('_');
            }
        }
        String r = b.length() > max ? b.substring(0, max) : b.toString();
        return r.isEmpty() ? fallback : r;
    }

    static char formatLetter(JobOptions o) {
        String f = o.format().orElse("");
        return switch (f) {
            case "application/postscript" -> 'o';
            case "text/plain" -> 'f';
            default -> 'l';
        };
    }

    /** The control file of a job (RFC 1179 section 7). */
    static String controlFile(String host, int number, JobOptions o, List<Document> docs) {
        StringBuilder b = new StringBuilder();
        b.append('H').append(host).append('\n');
        b.append('P').append(clean(o.userName(), 31, "rawsockets")).append('\n');
        b.append('J').append(clean(o.jobName(), 99, "job")).append('\n');
        b.append('L').append(clean(o.userName(), 31, "rawsockets")).append('\n');
        char letter = formatLetter(o);
        for (int i = 0; i < docs.size(); i++) {
            String df = dataFileName(i, number, host);
            for (int c = 0; c < o.copies(); c++) {
                b.append(letter).append(df).append('\n');
            }
            b.append('N').append(clean(docs.get(i).name(), 131, "document")).append('\n');
        }
        for (int i = 0; i < docs.size(); i++) {
            b.append('U').append(dataFileName(i, number, host)).append('\n');
        }
        return b.toString();
    }

    static String dataFileName(int index, int number, String host) {
        // dfA, dfB, ... then dfa...: one letter per data file (52 at most)
        char c = index < 26 ? (char) ('A' + index) : (char) ('a' + index - 26);
        return "df" + c + String.format("%03d", number) + host;
    }

    private void ack(StreamConnection c, String what) throws PrintException {
        byte[] a = c.readExactly(1, "its acknowledgement of " + what);
        if (a == null) {
            throw new LpdException("LPD printer " + s.label() + " closed the connection instead of acknowledging " + what);
        }
        if (a[0] != 0) {
            String text = "";
            try {
                text = new String(c.readToEnd(4096, "its refusal"), StandardCharsets.ISO_8859_1).strip();
            } catch (PrintException e) {
                // the code is what counts; the text is a courtesy
            }
            throw new LpdException("LPD printer " + s.label() + " refused " + what + " (negative acknowledgement "
                    + (a[0] & 0xFF) + (text.isEmpty() ? "" : ": " + text.replaceAll("\\p{Cntrl}", " ")) + ")"
                    + ((text.isEmpty() || text.toLowerCase(java.util.Locale.ROOT).contains("permission")) && !reservedPorts
                            && what.startsWith("receive job")
                            ? RESERVED_HINT : ""));
        }
    }

    @Override
    public JobStatus print(Document document, JobOptions options, ProgressListener progress) throws PrintException {
        return print(List.of(document), options, progress);
    }

    @Override
    public JobStatus print(List<Document> documents, JobOptions options, ProgressListener progress)
            throws PrintException {
        if (documents.isEmpty() || documents.size() > 52) {
            throw new IllegalArgumentException("an LPD job has 1 to 52 documents, was " + documents.size());
        }
        for (Document d : documents) {
            if (d.length() < 0) {
                throw new IllegalArgumentException("LPD needs each document's length before sending it; " + d.name()
                        + " has none (give a file or a length)");
            }
        }
        int number = JOB_NUMBER.updateAndGet(n -> (n + 1) % 1000);
        long total = documents.stream().mapToLong(Document::length).sum();
        byte[] control = controlFile(host, number, options, documents).getBytes(StandardCharsets.US_ASCII);
        String cfName = "cfA" + String.format("%03d", number) + host;
        try (StreamConnection c = connect()) {
            try {
                c.write(("\u0002" + s.uri().path() + "\n").getBytes(StandardCharsets.US_ASCII), "receive job");
                ack(c, "receive job for queue " + s.uri().path());
            } catch (LpdException | org.rawsockets.print.PrintTimeoutException e) {
                // a refusal, or a daemon that did not answer in time (down, frozen, unreachable): no port check
                throw e;
            } catch (PrintException e) {
                if (reservedPorts) {
                    throw e;
                }
                // the daemon hung up on the first command: what one that checks the source port does
                throw new LpdException(e.getMessage() + RESERVED_HINT, e);
            }
            c.write(("\u0002" + control.length + " " + cfName + "\n").getBytes(StandardCharsets.US_ASCII),
                    "the control file command");
            ack(c, "the control file command");
            byte[] cf = java.util.Arrays.copyOf(control, control.length + 1);
            c.write(cf, "the control file");
            ack(c, "the control file");
            long sent = 0;
            for (int i = 0; i < documents.size(); i++) {
                Document d = documents.get(i);
                String df = dataFileName(i, number, host);
                c.write(("\u0003" + d.length() + " " + df + "\n").getBytes(StandardCharsets.US_ASCII),
                        "the data file command");
                ack(c, "the data file command for " + d.name() + " (" + d.length() + " bytes)");
                long n;
                try (InputStream in = d.opener().open()) {
                    n = c.stream(in, sent, progress, total);
                } catch (IOException e) {
                    throw e instanceof PrintException p ? p
                            : new PrintException("cannot read document " + d.name() + " for " + s.label() + ": " + e, e);
                }
                if (n != d.length()) {
                    throw new PrintException("document " + d.name() + " had " + n + " bytes, not the " + d.length()
                            + " announced to LPD printer " + s.label() + "; the job is incomplete and the daemon drops it");
                }
                sent += n;
                c.write(new byte[] {0}, "the end of the data file");
                ack(c, "the data file " + d.name());
            }
        }
        return new JobStatus(number, JobState.PENDING, List.of(), "queued by the LPD daemon (LPD reports no completion;"
                + " see the queue state)", options.jobName(), -1);
    }

    /** Short (03) or long (04) queue state as the daemon's text. */
    public String queueState(boolean longForm) throws PrintException {
        try (StreamConnection c = connect()) {
            c.write(((longForm ? "\u0004" : "\u0003") + s.uri().path() + "\n").getBytes(StandardCharsets.US_ASCII),
                    "the queue state request");
            return new String(c.readToEnd(MAX_QUEUE_TEXT, "the queue state"), StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public PrinterStatus status() throws PrintException {
        String text = queueState(false);
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        boolean disabled = lower.contains("printing disabled") || lower.contains("queue disabled");
        boolean accepting = !(lower.contains("spooling disabled") || lower.contains("queuing disabled"));
        return new PrinterStatus(disabled ? PrinterState.STOPPED : PrinterState.UNKNOWN,
                disabled ? List.of("paused") : List.of(), text.strip(), accepting);
    }

    private static final Pattern JOB_LINE = Pattern.compile(
            "^\\s*(active|hold|\\d+|[a-z]+)\\s+(\\S+)\\s+(?:\\S\\s+)?(\\d+)\\s+(.*?)\\s+(\\d+)(?:\\s+\\S+)?\\s*$");

    /**
     * Jobs from the queue listing: the rows "rank owner [class] job files size [time]" of LPRng's long
     * form, else of the short form (BSD lpd's layout).
     */
    @Override
    public List<JobStatus> jobs() throws PrintException {
        List<JobStatus> out = parseJobs(queueState(true));
        return out.isEmpty() ? parseJobs(queueState(false)) : out;
    }

    static List<JobStatus> parseJobs(String listing) {
        List<JobStatus> out = new ArrayList<>();
        for (String line : listing.split("\r?\n")) {
            Matcher m = JOB_LINE.matcher(line);
            if (m.matches() && !line.contains("Rank")) {
                String rank = m.group(1);
                JobState st = rank.equals("active") ? JobState.PROCESSING
                        : rank.equals("hold") ? JobState.PENDING_HELD : JobState.PENDING;
                out.add(new JobStatus(Integer.parseInt(m.group(3)), st, List.of(), line.strip(), m.group(4), -1));
            }
        }
        return out;
    }

    @Override
    public JobStatus job(int id) throws PrintException {
        for (JobStatus j : jobs()) {
            if (j.id() == id) {
                return j;
            }
        }
        return new JobStatus(id, JobState.UNKNOWN, List.of(), "not in the queue any more (printed or removed;"
                + " LPD does not tell which)", "", -1);
    }

    @Override
    public void cancel(int id) throws PrintException {
        try (StreamConnection c = connect()) {
            c.write(("\u0005" + s.uri().path() + " " + clean(s.user(), 31, "rawsockets") + " " + id + "\n")
                    .getBytes(StandardCharsets.US_ASCII), "remove jobs");
            String answer = new String(c.readToEnd(MAX_QUEUE_TEXT, "the answer to remove jobs"),
                    StandardCharsets.ISO_8859_1).strip();
            String lower = answer.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("permission denied") || lower.contains("not allowed") || lower.contains("no permission")) {
                throw new LpdException("LPD printer " + s.label() + " refused to remove job " + id + ": " + answer);
            }
        }
    }

    @Override
    public JobStatus awaitJob(int id, Duration timeout) throws PrintException {
        long until = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobStatus j = job(id);
            if (j.state() == JobState.UNKNOWN) {
                return j;
            }
            if (System.nanoTime() > until) {
                throw new PrintTimeoutException("LPD printer " + s.label() + ": job " + id + " still queued after "
                        + timeout.toMillis() + " ms: " + j.message());
            }
            try {
                Thread.sleep(500); // polling interval of the queue state
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PrintException("interrupted while following job " + id);
            }
        }
    }

    private UnsupportedPrintOperationException unsupported(String what) {
        return new UnsupportedPrintOperationException("printer " + s.label() + ": LPD has no " + what);
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
    public void identify() throws PrintException {
        throw unsupported("identify operation");
    }
}
