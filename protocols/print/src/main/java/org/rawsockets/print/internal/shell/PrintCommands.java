package org.rawsockets.print.internal.shell;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.rawsockets.print.Document;
import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobState;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.Printer;
import org.rawsockets.print.UnsupportedPrintOperationException;
import org.rawsockets.print.internal.PrinterComponent;
import org.rawsockets.print.internal.discovery.PrinterDiscovery;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.Table;

/**
 * Gogo commands, scope {@code print}: {@code printers}, {@code attrs}, {@code send}, {@code jobs},
 * {@code job}, {@code cancel}. Failures are thrown as one clear line (so {@code gosh -c} exits
 * non-zero). Every command is bounded by the printer's configured timeouts; {@code send} follows the
 * job until completed, canceled or aborted within the printer's jobTimeoutMillis (IPP), printing
 * progress as the document goes out.
 */
@Component(service = PrintCommands.class, property = { "osgi.command.scope=print", "osgi.command.function=printers",
        "osgi.command.function=attrs", "osgi.command.function=send", "osgi.command.function=jobs",
        "osgi.command.function=job", "osgi.command.function=cancel", "osgi.command.function=discover" })
public final class PrintCommands {

    private final Map<String, Printer> printers = new ConcurrentHashMap<>();
    private final ConfigRegistry registry;
    /** DNS-SD discovery when the DNS-SD bundle is there (optional, dynamic). */
    private final AtomicReference<PrinterDiscovery> discovery = new AtomicReference<>();

    public PrintCommands() {
        this(PrinterComponent.REGISTRY);
    }

    PrintCommands(ConfigRegistry registry) {
        this.registry = registry;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addPrinter(Printer p) {
        printers.put(p.name(), p);
    }

    void removePrinter(Printer p) {
        printers.remove(p.name(), p);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDiscovery(PrinterDiscovery d) {
        discovery.set(d);
    }

    void unbindDiscovery(PrinterDiscovery d) {
        discovery.compareAndSet(d, null);
    }

    @Descriptor("find printers by DNS-SD for 5 seconds (IPP, IPPS, LPD, raw 9100), configured or not")
    public String discover() throws PrintException, InterruptedException {
        return discover(5);
    }

    @Descriptor("find printers by DNS-SD (IPP, IPPS, LPD, raw 9100), configured or not")
    public String discover(@Descriptor("seconds to browse (1..600)") int seconds) throws PrintException, InterruptedException {
        if (seconds < 1 || seconds > 600) {
            throw new IllegalArgumentException("seconds must be in 1..600, was " + seconds);
        }
        PrinterDiscovery d = discovery.get();
        if (d == null) {
            throw new IllegalStateException("printer discovery needs the DNS-SD bundle (org.rawsockets.dnssd): install and"
                    + " start it (deploy/dnssd-*.jar)");
        }
        List<PrinterDiscovery.Discovered> found = d.discover(Duration.ofSeconds(seconds));
        StringBuilder sb = new StringBuilder(found.size() + " printer(s) found in " + seconds + " s\n");
        for (PrinterDiscovery.Discovered f : found) {
            String uri = f.uri() == null ? "(not resolved)" : f.uri().text();
            String configured = printers.values().stream()
                    .filter(p -> p.uri().equals("dnssd:" + f.instanceName()) || p.uri().startsWith("dnssd:" + f.instanceName() + " ")
                            || f.uri() != null && p.uri().equals(f.uri().text()))
                    .map(Printer::name).sorted().reduce((a, b) -> a + "," + b).map(n -> "configured as " + n)
                    .orElse("not configured");
            sb.append(String.format("%-44s %-20s %-40s %s%s%n", f.instanceName(), f.type(), uri, configured,
                    f.makeAndModel().isEmpty() ? "" : " (" + f.makeAndModel() + ")"));
        }
        return sb.toString();
    }

    Printer printer(String name) {
        Printer p = printers.get(name);
        if (p == null) {
            String why = registry.rejection(name).map(r -> ": its configuration was rejected: " + r.reason())
                    .orElse(" (configured: " + (printers.isEmpty() ? "none" : String.join(", ", new TreeMap<>(printers).keySet()))
                            + "; add a factory configuration " + PrinterComponent.PID + ")");
            throw new IllegalArgumentException("no printer '" + name + "'" + why);
        }
        return p;
    }

    @Descriptor("list the configured printers with their state (factory PID org.rawsockets.print.printer)")
    public String printers() {
        StringBuilder sb = new StringBuilder();
        if (printers.isEmpty()) {
            sb.append("no printers configured (add a factory configuration " + PrinterComponent.PID + ")\n");
        } else {
            Table t = new Table("name", "uri", "state");
            new TreeMap<>(printers).forEach((n, p) -> t.row(n, p.uri(), state(p)));
            sb.append(t);
        }
        for (ConfigRegistry.Rejection r : registry.rejections()) {
            sb.append("REJECTED ").append(r.describe()).append('\n');
        }
        return sb.toString();
    }

    private static String state(Printer p) {
        try {
            return p.status().describe();
        } catch (UnsupportedPrintOperationException e) {
            return "(no status over this protocol)";
        } catch (PrintException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    @Descriptor("show a printer's IPP attributes (all, or the ones named)")
    public String attrs(@Descriptor("printer name") String name,
            @Descriptor("attribute names (none: all)") String... attributes) throws PrintException {
        StringBuilder sb = new StringBuilder();
        for (IppAttribute a : printer(name).attributes(attributes == null ? List.of() : List.of(attributes))) {
            sb.append(a.name()).append(" = ").append(a.text()).append('\n');
        }
        return sb.toString();
    }

    @Descriptor("send a file to a printer and follow the job until it is completed, canceled or aborted")
    public String send(@Descriptor("copies") @Parameter(names = "-copies", absentValue = "1") int copies,
            @Descriptor("media keyword, e.g. iso_a4_210x297mm") @Parameter(names = "-media", absentValue = "") String media,
            @Descriptor("one-sided, two-sided-long-edge, two-sided-short-edge") @Parameter(names = "-sides",
                    absentValue = "") String sides,
            @Descriptor("document MIME type (default: from the file name)") @Parameter(names = "-format",
                    absentValue = "") String format,
            @Descriptor("printer name") String name, @Descriptor("file to print") String file) throws PrintException {
        return send(System.out, name, file, copies, media, sides, format);
    }

    String send(PrintStream out, String name, String file, int copies, String media, String sides, String format)
            throws PrintException {
        Printer p = printer(name);
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no file " + path.toAbsolutePath());
        }
        JobOptions o = JobOptions.named(path.getFileName().toString()).withCopies(copies);
        if (!media.isEmpty()) {
            o = o.withMedia(media);
        }
        if (!sides.isEmpty()) {
            o = o.withSides(sides);
        }
        String f = format.isEmpty() ? formatOf(path) : format;
        if (f != null) {
            o = o.withFormat(f);
        }
        Document d;
        try {
            d = Document.of(path);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read " + path.toAbsolutePath() + ": " + e.getMessage());
        }
        int[] lastTenth = {-1};
        long t0 = System.nanoTime();
        JobStatus j = p.print(d, o, (sent, total) -> {
            int tenth = total > 0 ? (int) (sent * 10 / total) : -1;
            if (tenth != lastTenth[0]) {
                lastTenth[0] = tenth;
                out.printf("sent %d of %d bytes%n", sent, total);
            }
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        out.printf("%s: %d bytes in %.1f s; %s%n", name, d.length(), secs, j.describe());
        if (j.id() <= 0 || j.state() == JobState.UNKNOWN) {
            return j.describe();
        }
        Duration limit = p instanceof PrinterComponent c ? c.jobTimeout() : Duration.ofMinutes(5);
        try {
            JobStatus done = p.awaitJob(j.id(), limit);
            if (done.state() != JobState.COMPLETED && done.state() != JobState.UNKNOWN) {
                throw new IllegalStateException(name + ": " + done.describe());
            }
            return done.describe();
        } catch (UnsupportedPrintOperationException e) {
            return j.describe();
        }
    }

    static String formatOf(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".pdf")) {
            return "application/pdf";
        } else if (n.endsWith(".ps")) {
            return "application/postscript";
        } else if (n.endsWith(".txt")) {
            return "text/plain";
        } else if (n.endsWith(".pwg")) {
            return "image/pwg-raster";
        } else if (n.endsWith(".urf")) {
            return "image/urf";
        } else if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        return null;
    }

    @Descriptor("list a printer's jobs that are not completed")
    public String jobs(@Descriptor("printer name") String name) throws PrintException {
        StringBuilder sb = new StringBuilder();
        List<JobStatus> js = printer(name).jobs();
        if (js.isEmpty()) {
            sb.append("no jobs\n");
        }
        for (JobStatus j : js) {
            sb.append(j.describe()).append(j.name().isEmpty() ? "" : " [" + j.name() + "]").append('\n');
        }
        return sb.toString();
    }

    @Descriptor("show one job's state")
    public String job(@Descriptor("printer name") String name, @Descriptor("job id") int id) throws PrintException {
        return printer(name).job(id).describe();
    }

    @Descriptor("cancel a job")
    public String cancel(@Descriptor("printer name") String name, @Descriptor("job id") int id) throws PrintException {
        Printer p = printer(name);
        p.cancel(id);
        return "cancel of job " + id + " on " + name + " accepted; " + p.job(id).describe();
    }
}
