package org.rawsockets.print.internal.discovery;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import org.rawsockets.print.Document;
import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.PrintConnectionException;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.Printer;
import org.rawsockets.print.PrinterStatus;
import org.rawsockets.print.ProgressListener;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.print.internal.PrinterUri;

/**
 * A printer configured by DNS-SD instance name: every operation first resolves the instance (the
 * DNS-SD client answers from its cache while the records are fresh) and then runs on a printer for
 * the resolved URI, kept while the URI stays the same. Without the DNS-SD bundle every operation
 * fails with a {@link PrintConnectionException} saying so.
 */
public final class DnsSdPrinter implements Printer {

    private final PrinterSettings settings;
    private final Supplier<PrinterDiscovery> discovery;
    private final Function<PrinterSettings, Printer> factory;
    private final java.util.function.Consumer<Printer> closer;
    private PrinterUri resolvedUri;
    private Printer resolved;

    public DnsSdPrinter(PrinterSettings settings, Supplier<PrinterDiscovery> discovery,
            Function<PrinterSettings, Printer> factory, java.util.function.Consumer<Printer> closer) {
        this.settings = settings;
        this.discovery = discovery;
        this.factory = factory;
        this.closer = closer;
    }

    /** The printer for the instance's current address (resolved now). */
    synchronized Printer delegate() throws PrintException {
        PrinterDiscovery d = discovery.get();
        String instance = settings.uri().host();
        if (d == null) {
            throw new PrintConnectionException("printer '" + settings.name() + "' (dnssd:" + instance + "): no DNS-SD"
                    + " service; install and start the DNS-SD bundle (org.rawsockets.dnssd) or configure an ipp://,"
                    + " ipps://, lpd:// or socket:// URI");
        }
        PrinterUri u = d.resolve(instance, settings.connectTimeout());
        if (!u.equals(resolvedUri)) {
            if (resolved != null) {
                closer.accept(resolved);
            }
            resolved = factory.apply(new PrinterSettings(settings.name(), u, settings.connectTimeout(), settings.timeout(),
                    settings.jobTimeout(), settings.maxResponseBytes(), settings.chunkSize(), settings.user(),
                    settings.password(), settings.tls(), settings.pjl(), settings.pjlJobStatus()));
            resolvedUri = u;
        }
        return resolved;
    }

    /** The URI last resolved, if any. */
    public synchronized String resolvedUri() {
        return resolvedUri == null ? "" : resolvedUri.text();
    }

    public synchronized void close() {
        if (resolved != null) {
            closer.accept(resolved);
            resolved = null;
        }
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String uri() {
        String r = resolvedUri();
        return settings.uri().text() + (r.isEmpty() ? "" : " -> " + r);
    }

    @Override
    public PrinterStatus status() throws PrintException {
        return delegate().status();
    }

    @Override
    public List<IppAttribute> attributes(List<String> names) throws PrintException {
        return delegate().attributes(names);
    }

    @Override
    public void validate(JobOptions options) throws PrintException {
        delegate().validate(options);
    }

    @Override
    public JobStatus print(Document document, JobOptions options, ProgressListener progress) throws PrintException {
        return delegate().print(document, options, progress);
    }

    @Override
    public JobStatus print(List<Document> documents, JobOptions options, ProgressListener progress) throws PrintException {
        return delegate().print(documents, options, progress);
    }

    @Override
    public JobStatus job(int id) throws PrintException {
        return delegate().job(id);
    }

    @Override
    public List<JobStatus> jobs() throws PrintException {
        return delegate().jobs();
    }

    @Override
    public void cancel(int id) throws PrintException {
        delegate().cancel(id);
    }

    @Override
    public void identify() throws PrintException {
        delegate().identify();
    }

    @Override
    public JobStatus awaitJob(int id, Duration timeout) throws PrintException {
        return delegate().awaitJob(id, timeout);
    }
}
