package org.rawsockets.print.internal.ipp;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.rawsockets.print.Document;
import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.IppGroup;
import org.rawsockets.print.IppMessage;
import org.rawsockets.print.IppOperation;
import org.rawsockets.print.IppProtocolException;
import org.rawsockets.print.IppStatus;
import org.rawsockets.print.IppStatusException;
import org.rawsockets.print.IppTag;
import org.rawsockets.print.IppValue;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobState;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.PrintTimeoutException;
import org.rawsockets.print.Printer;
import org.rawsockets.print.PrinterState;
import org.rawsockets.print.PrinterStatus;
import org.rawsockets.print.ProgressListener;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.print.internal.http.HttpClient;
import org.rawsockets.print.internal.http.HttpResponse;
import org.rawsockets.print.internal.http.HttpSettings;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * An IPP/IPPS printer (RFC 8011 operations) over {@link HttpClient}: requests encoded with
 * {@link IppEncoder}, responses decoded with {@link IppDecoder} within the configured bounds,
 * unsuccessful status codes turned into {@link IppStatusException} with the printer's message.
 */
public final class IppPrinter implements Printer, AutoCloseable {

    static final List<String> JOB_ATTRS = List.of("job-id", "job-state", "job-state-reasons", "job-state-message",
            "job-name", "job-impressions-completed");

    private final PrinterSettings s;
    private final HttpClient http;
    private final AtomicInteger requestId = new AtomicInteger();
    private final IppDecoder.Limits limits;

    public IppPrinter(SocketService sockets, PrinterSettings settings) {
        this.s = settings;
        TlsOptions tls = settings.uri().scheme().equals("ipps")
                ? (settings.tls().mode() == TlsMode.ON ? settings.tls()
                        : settings.tls().toBuilder().mode(TlsMode.ON).build())
                : TlsOptions.off();
        this.http = new HttpClient(sockets, new HttpSettings(settings.uri().host(), settings.uri().port(), tls,
                settings.connectTimeout(), settings.timeout(), settings.timeout(), settings.maxResponseBytes(),
                settings.chunkSize(), Duration.ofSeconds(2), Duration.ofSeconds(10), settings.label()),
                settings.user(), settings.password().orElse(null));
        this.limits = new IppDecoder.Limits(settings.maxResponseBytes(), 200_000, 16);
    }

    @Override
    public String name() {
        return s.name();
    }

    @Override
    public String uri() {
        return s.uri().text();
    }

    // ---------------------------------------------------------------- requests

    private List<IppAttribute> operationAttributes(JobOptions o) {
        List<IppAttribute> a = new ArrayList<>();
        a.add(IppAttribute.of("attributes-charset", new IppValue(IppTag.CHARSET, "utf-8")));
        a.add(IppAttribute.of("attributes-natural-language", new IppValue(IppTag.NATURAL_LANGUAGE, "en")));
        a.add(IppAttribute.of("printer-uri", IppValue.uri(s.uri().text())));
        a.add(IppAttribute.of("requesting-user-name", IppValue.name(o == null ? s.user() : o.userName())));
        return a;
    }

    private static List<IppAttribute> jobTemplate(JobOptions o) {
        List<IppAttribute> j = new ArrayList<>();
        if (o.copies() != 1) {
            j.add(IppAttribute.of("copies", IppValue.integer(o.copies())));
        }
        o.media().ifPresent(m -> j.add(IppAttribute.of("media", IppValue.keyword(m))));
        o.sides().ifPresent(m -> j.add(IppAttribute.of("sides", IppValue.keyword(m))));
        return j;
    }

    private IppMessage request(IppOperation op, List<IppAttribute> operation, List<IppAttribute> job) {
        List<IppGroup> groups = new ArrayList<>();
        groups.add(new IppGroup(IppTag.OPERATION_ATTRIBUTES, operation));
        if (job != null && !job.isEmpty()) {
            groups.add(new IppGroup(IppTag.JOB_ATTRIBUTES, job));
        }
        return new IppMessage(0x0200, op.code(), requestId.incrementAndGet(), groups);
    }

    /** Sends one request (and document), decodes the response, fails on an unsuccessful status. */
    IppMessage call(IppOperation op, IppMessage request, InputStream document, ProgressListener progress, long total)
            throws PrintException {
        HttpResponse r = http.post(s.uri().path(), "application/ipp", IppEncoder.encode(request), document, total,
                progress == null ? null : sent -> progress.progress(sent, total));
        String ct = r.header("content-type").orElse("");
        if (!ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/ipp")) {
            throw new IppProtocolException("printer " + s.label() + " answered " + op + " with Content-Type '" + ct
                    + "', not application/ipp");
        }
        IppMessage m = IppDecoder.decode(r.body(), limits, "printer " + s.label());
        if (m.requestId() != request.requestId()) {
            throw new IppProtocolException("printer " + s.label() + " answered request " + request.requestId()
                    + " with the id " + m.requestId());
        }
        if (!m.isSuccessful()) {
            String msg = m.attribute(IppTag.OPERATION_ATTRIBUTES, "status-message").map(IppAttribute::text).orElse("");
            throw new IppStatusException(m.code(), "printer " + s.label() + " refused " + op + ": "
                    + IppStatus.name(m.code()) + " (" + IppStatus.meaning(m.code()) + ")"
                    + (msg.isEmpty() ? "" : ": " + msg));
        }
        return m;
    }

    // ---------------------------------------------------------------- operations

    @Override
    public List<IppAttribute> attributes(List<String> names) throws PrintException {
        List<IppAttribute> op = operationAttributes(null);
        List<String> req = names.isEmpty() ? List.of("all", "media-col-database") : names;
        op.add(new IppAttribute("requested-attributes", req.stream().map(IppValue::keyword).toList()));
        IppMessage m = call(IppOperation.GET_PRINTER_ATTRIBUTES, request(IppOperation.GET_PRINTER_ATTRIBUTES, op, null),
                null, null, -1);
        return m.groups(IppTag.PRINTER_ATTRIBUTES).stream().flatMap(g -> g.attributes().stream()).toList();
    }

    @Override
    public PrinterStatus status() throws PrintException {
        List<IppAttribute> a = attributes(List.of("printer-state", "printer-state-reasons", "printer-state-message",
                "printer-is-accepting-jobs"));
        PrinterState st = PrinterState.UNKNOWN;
        List<String> reasons = List.of();
        String msg = "";
        boolean accepting = true;
        for (IppAttribute x : a) {
            switch (x.name()) {
                case "printer-state" -> st = PrinterState.of(intOf(x));
                case "printer-state-reasons" -> reasons = strings(x);
                case "printer-state-message" -> msg = x.text();
                case "printer-is-accepting-jobs" -> accepting = !Boolean.FALSE.equals(x.value().value());
                default -> {
                }
            }
        }
        return new PrinterStatus(st, reasons, msg, accepting);
    }

    @Override
    public void validate(JobOptions options) throws PrintException {
        List<IppAttribute> op = operationAttributes(options);
        op.add(IppAttribute.of("job-name", IppValue.name(options.jobName())));
        options.format().ifPresent(f -> op.add(IppAttribute.of("document-format", IppValue.mimeMediaType(f))));
        call(IppOperation.VALIDATE_JOB, request(IppOperation.VALIDATE_JOB, op, jobTemplate(options)), null, null, -1);
    }

    @Override
    public JobStatus print(Document document, JobOptions options, ProgressListener progress) throws PrintException {
        List<IppAttribute> op = operationAttributes(options);
        op.add(IppAttribute.of("job-name", IppValue.name(options.jobName())));
        op.add(IppAttribute.of("document-name", IppValue.name(document.name())));
        options.format().ifPresent(f -> op.add(IppAttribute.of("document-format", IppValue.mimeMediaType(f))));
        try (InputStream in = open(document)) {
            IppMessage m = call(IppOperation.PRINT_JOB, request(IppOperation.PRINT_JOB, op, jobTemplate(options)), in,
                    progress, document.length());
            return jobStatus(m.groups(IppTag.JOB_ATTRIBUTES).stream().findFirst()
                    .orElseThrow(() -> new IppProtocolException("printer " + s.label()
                            + " accepted Print-Job without job attributes (no job-id)")));
        } catch (IOException e) {
            throw e instanceof PrintException p ? p : new PrintException("closing document " + document.name() + ": " + e, e);
        }
    }

    @Override
    public JobStatus print(List<Document> documents, JobOptions options, ProgressListener progress) throws PrintException {
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("no document to print");
        }
        JobStatus job = createJob(options);
        long total = documents.stream().mapToLong(Document::length).reduce(0, (x, y) -> x < 0 || y < 0 ? -1 : x + y);
        long[] before = {0};
        try {
            for (int i = 0; i < documents.size(); i++) {
                Document d = documents.get(i);
                List<IppAttribute> sd = operationAttributes(options);
                sd.add(IppAttribute.of("job-id", IppValue.integer(job.id())));
                sd.add(IppAttribute.of("document-name", IppValue.name(d.name())));
                options.format().ifPresent(f -> sd.add(IppAttribute.of("document-format", IppValue.mimeMediaType(f))));
                sd.add(IppAttribute.of("last-document", IppValue.bool(i == documents.size() - 1)));
                long base = before[0];
                try (InputStream in = open(d)) {
                    IppMessage m = call(IppOperation.SEND_DOCUMENT, request(IppOperation.SEND_DOCUMENT, sd, null), in,
                            progress == null ? null : (sent, t) -> progress.progress(base + sent, total), d.length());
                    job = m.groups(IppTag.JOB_ATTRIBUTES).stream().findFirst().map(this::jobStatusQuiet).orElse(job);
                }
                before[0] += Math.max(0, d.length());
            }
        } catch (PrintException e) {
            throw new PrintException(e.getMessage() + " (job " + job.id() + " was created; it may wait for its documents:"
                    + " cancel it with cancel " + job.id() + ")", e);
        } catch (IOException e) {
            throw new PrintException("closing a document of job " + job.id() + ": " + e, e);
        }
        return job;
    }

    /** IPP Create-Job: a job that waits for its documents (Send-Document). */
    public JobStatus createJob(JobOptions options) throws PrintException {
        List<IppAttribute> op = operationAttributes(options);
        op.add(IppAttribute.of("job-name", IppValue.name(options.jobName())));
        IppMessage created = call(IppOperation.CREATE_JOB, request(IppOperation.CREATE_JOB, op, jobTemplate(options)),
                null, null, -1);
        return jobStatus(created.groups(IppTag.JOB_ATTRIBUTES).stream().findFirst()
                .orElseThrow(() -> new IppProtocolException("printer " + s.label() + " answered Create-Job without job-id")));
    }

    @Override
    public JobStatus job(int id) throws PrintException {
        List<IppAttribute> op = operationAttributes(null);
        op.add(IppAttribute.of("job-id", IppValue.integer(id)));
        op.add(new IppAttribute("requested-attributes", JOB_ATTRS.stream().map(IppValue::keyword).toList()));
        IppMessage m = call(IppOperation.GET_JOB_ATTRIBUTES, request(IppOperation.GET_JOB_ATTRIBUTES, op, null), null,
                null, -1);
        return jobStatus(m.groups(IppTag.JOB_ATTRIBUTES).stream().findFirst().orElseThrow(
                () -> new IppProtocolException("printer " + s.label() + " answered Get-Job-Attributes without job attributes")));
    }

    @Override
    public List<JobStatus> jobs() throws PrintException {
        return jobs("not-completed");
    }

    /** Get-Jobs with which-jobs (not-completed, completed, all). */
    public List<JobStatus> jobs(String which) throws PrintException {
        List<IppAttribute> op = operationAttributes(null);
        op.add(IppAttribute.of("which-jobs", IppValue.keyword(which)));
        op.add(new IppAttribute("requested-attributes", JOB_ATTRS.stream().map(IppValue::keyword).toList()));
        IppMessage m = call(IppOperation.GET_JOBS, request(IppOperation.GET_JOBS, op, null), null, null, -1);
        List<JobStatus> out = new ArrayList<>();
        for (IppGroup g : m.groups(IppTag.JOB_ATTRIBUTES)) {
            out.add(jobStatus(g));
        }
        return out;
    }

    @Override
    public void cancel(int id) throws PrintException {
        List<IppAttribute> op = operationAttributes(null);
        op.add(IppAttribute.of("job-id", IppValue.integer(id)));
        call(IppOperation.CANCEL_JOB, request(IppOperation.CANCEL_JOB, op, null), null, null, -1);
    }

    @Override
    public void identify() throws PrintException {
        call(IppOperation.IDENTIFY_PRINTER, request(IppOperation.IDENTIFY_PRINTER, operationAttributes(null), null), null,
                null, -1);
    }

    @Override
    public JobStatus awaitJob(int id, Duration timeout) throws PrintException {
        long until = System.nanoTime() + timeout.toNanos();
        long pause = 100;
        while (true) {
            JobStatus j = job(id);
            if (j.state().isTerminal()) {
                return j;
            }
            if (System.nanoTime() + pause * 1_000_000 > until) {
                throw new PrintTimeoutException("printer " + s.label() + ": job " + id + " did not finish within "
                        + timeout.toMillis() + " ms; last reported: " + j.describe());
            }
            try {
                Thread.sleep(pause); // polling interval between Get-Job-Attributes requests
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PrintException("interrupted while following job " + id + " on printer " + s.label());
            }
            pause = Math.min(1000, pause * 2);
        }
    }

    // ---------------------------------------------------------------- helpers

    private InputStream open(Document d) throws PrintException {
        try {
            return d.opener().open();
        } catch (IOException e) {
            throw new PrintException("cannot open document " + d.name() + " to print on " + s.label() + ": " + e, e);
        }
    }

    private JobStatus jobStatusQuiet(IppGroup g) {
        try {
            return jobStatus(g);
        } catch (IppProtocolException e) {
            return null;
        }
    }

    JobStatus jobStatus(IppGroup g) throws IppProtocolException {
        IppAttribute id = g.attribute("job-id").orElseThrow(
                () -> new IppProtocolException("printer " + s.label() + " sent job attributes without job-id"));
        return new JobStatus(intOf(id), g.attribute("job-state").map(a -> JobState.of(intOfQuiet(a))).orElse(JobState.UNKNOWN),
                g.attribute("job-state-reasons").map(IppPrinter::strings).orElse(List.of()),
                g.attribute("job-state-message").map(IppAttribute::text).orElse(""),
                g.attribute("job-name").map(IppAttribute::text).orElse(""),
                g.attribute("job-impressions-completed").map(IppPrinter::intOfQuiet).orElse(-1));
    }

    private int intOf(IppAttribute a) throws IppProtocolException {
        if (a.value().value() instanceof Integer i) {
            return i;
        }
        throw new IppProtocolException("printer " + s.label() + " sent " + a.name() + " as " + a.value().tag()
                + ", not an integer");
    }

    private static int intOfQuiet(IppAttribute a) {
        return a.value().value() instanceof Integer i ? i : -1;
    }

    private static List<String> strings(IppAttribute a) {
        return a.values().stream().map(IppValue::toString).toList();
    }

    @Override
    public void close() {
        http.close();
    }
}
