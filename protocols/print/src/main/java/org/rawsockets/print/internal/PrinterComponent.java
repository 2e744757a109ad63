package org.rawsockets.print.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.print.Document;
import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.JobStatus;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.Printer;
import org.rawsockets.print.PrinterStatus;
import org.rawsockets.print.ProgressListener;
import org.rawsockets.print.internal.discovery.DnsSdPrinter;
import org.rawsockets.print.internal.discovery.PrinterDiscovery;
import org.rawsockets.print.internal.ipp.IppPrinter;
import org.rawsockets.print.internal.lpd.LpdPrinter;
import org.rawsockets.print.internal.raw.RawPrinter;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.RefusedLiterals;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.protocols.config.StrictConfig;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.annotation.RequireSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Printer} per factory configuration {@value #PID}, by the URI's scheme: IPP/IPPS, LPD or
 * raw 9100. The socket needs are declared for the policy: outgoing TCP to any port, because printers
 * listen where their owner put them (IPP on 631 or 8000+, LPD on 515, AppSocket on 9100-9102); the
 * policy's grants name the printer hosts (loopback by default). The configuration is read strictly at activation (a refused one is one ERROR line and is
 * remembered in {@link #REGISTRY}); the password is a {@code secret:NAME} reference read when a printer
 * asks for authentication, never at activation; a literal password is refused and removed from the
 * configuration store ({@link RefusedLiterals}).
 */
@RequireSocket(kind = RequireSocket.Kind.TCP, ports = "*")
@RequireSocket(kind = RequireSocket.Kind.TCP_BIND, ports = "721-731") // LPD's reserved source ports (lpdReservedPorts)
@Component(configurationPid = PrinterComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = Printer.class, immediate = true)
@Designate(ocd = PrinterConfig.class, factory = true)
public final class PrinterComponent implements Printer {

    public static final String PID = "org.rawsockets.print.printer";
    /** The configured printers of this bundle: names in use, rejected configurations. */
    public static final ConfigRegistry REGISTRY = new ConfigRegistry(PID, "printer");
    static final String PASSWORD = ".password";
    private static final Logger LOG = LoggerFactory.getLogger(PrinterComponent.class);

    private final Printer delegate;
    private final PrinterSettings settings;
    private final ConfigRegistry.Claim claim;
    /** DNS-SD discovery when the DNS-SD bundle is there (optional, dynamic): for dnssd: URIs. */
    private final AtomicReference<PrinterDiscovery> discovery = new AtomicReference<>();
    private final PrinterActivity activity = new PrinterActivity(java.time.Clock.systemUTC());

    @Activate
    public PrinterComponent(@Reference SocketService sockets,
            @Reference(name = "configurationAdmin", cardinality = ReferenceCardinality.OPTIONAL)
            ConfigurationAdmin configurationAdmin, Map<String, Object> properties, BundleContext context) {
        this(sockets, properties, new SecretFiles(context.getProperty(SecretFiles.DIR_PROPERTY)), REGISTRY,
                RefusedLiterals.storeRemover(configurationAdmin, "printer", LOG, PASSWORD));
    }

    /**
     * A printer from a configuration map, as DS gives it.
     *
     * @param literalRemover called with the PID of a configuration whose literal password was refused,
     *        to remove it from the configuration store
     * @throws org.rawsockets.protocols.config.ConfigRejectedException when the configuration is refused
     */
    public PrinterComponent(SocketService sockets, Map<String, Object> properties, SecretFiles secrets,
            ConfigRegistry registry, Consumer<String> literalRemover) {
        this(sockets, properties, secrets, registry, literalRemover, null);
    }

    /** As above, with a discovery already bound (tests; DS binds it through {@link #bindDiscovery}). */
    public PrinterComponent(SocketService sockets, Map<String, Object> properties, SecretFiles secrets,
            ConfigRegistry registry, Consumer<String> literalRemover, PrinterDiscovery initialDiscovery) {
        discovery.set(initialDiscovery);
        String where = StrictConfig.describe(properties == null ? Map.of() : properties);
        ConfigRegistry.Accepted<Configured> accepted = new RefusedLiterals(literalRemover, PASSWORD).accept(registry,
                properties, PrinterConfig.class, c -> configured(c, secrets, where),
                x -> x.settings().name(), LOG);
        this.settings = accepted.value().settings();
        this.claim = accepted.claim();
        Configured conf = accepted.value();
        this.delegate = settings.uri().scheme().equals(PrinterUri.DNSSD)
                ? new DnsSdPrinter(settings, discovery::get, s -> printerFor(sockets, s, conf), PrinterComponent::close)
                : printerFor(sockets, settings, conf);
        LOG.info("printer {} at {}", settings.name(), settings.uri().text());
    }

    private static Printer printerFor(SocketService sockets, PrinterSettings settings, Configured conf) {
        return switch (settings.uri().scheme()) {
            case "ipp", "ipps" -> new IppPrinter(sockets, settings);
            case "lpd" -> new LpdPrinter(sockets, settings, conf.lpdHost(), conf.lpdReservedPorts());
            default -> new RawPrinter(sockets, settings);
        };
    }

    private static void close(Printer p) {
        if (p instanceof IppPrinter ipp) {
            ipp.close();
        } else if (p instanceof DnsSdPrinter d) {
            d.close();
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDiscovery(PrinterDiscovery d) {
        discovery.set(d);
    }

    void unbindDiscovery(PrinterDiscovery d) {
        discovery.compareAndSet(d, null);
    }

    private record Configured(PrinterSettings settings, String lpdHost, boolean lpdReservedPorts) {
    }

    private static Configured configured(PrinterConfig c, SecretFiles secrets, String where) {
        PrinterSettings s = toSettings(c, secrets, where);
        boolean lpd = s.uri().scheme().equals("lpd") || s.uri().scheme().equals(PrinterUri.DNSSD)
                && s.uri().host().toLowerCase(java.util.Locale.ROOT).matches("(?s).*\\._printer\\._tcp(\\..*)?");
        if (c.lpdReservedPorts() && !lpd) {
            throw bad("lpdReservedPorts", true, "set for a " + s.uri().scheme() + " printer", "only LPD (lpd:// or a"
                    + " _printer._tcp instance) uses reserved source ports; set false");
        }
        return new Configured(s, c.lpdHostName(), c.lpdReservedPorts());
    }

    static PrinterSettings toSettings(PrinterConfig c, SecretFiles secrets, String where) {
        String name = c.name() == null ? "" : c.name().strip();
        if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw bad("name", c.name(), "not a printer name", "1..64 letters, digits, '.', '_', '-'");
        }
        PrinterUri uri;
        try {
            uri = PrinterUri.parse(c.uri() == null ? "" : c.uri());
        } catch (IllegalArgumentException e) {
            throw bad("uri", c.uri(), e.getMessage(), "ipp://host/path, ipps://host/path, lpd://host/queue,"
                    + " socket://host:9100 or dnssd:<instance>._ipp._tcp.local");
        }
        Optional<String> secret = SecretFiles.reference(where, PASSWORD, c._password(), name);
        String user = c.user().strip();
        Supplier<char[]> password = null;
        if (secret.isPresent()) {
            boolean ippInstance = uri.scheme().equals(PrinterUri.DNSSD) && uri.host().toLowerCase(java.util.Locale.ROOT)
                    .matches("(?s).*\\._ipps?\\._tcp(\\..*)?");
            if (!uri.scheme().startsWith("ipp") && !ippInstance) {
                throw bad(PASSWORD, null, "set for a " + uri.scheme() + ":// printer", "only IPP printers authenticate;"
                        + " clear " + PASSWORD);
            }
            String secretName = secret.get();
            password = () -> {
                try {
                    return secrets.read(secretName).toCharArray();
                } catch (SecretFiles.SecretException e) {
                    throw new UncheckedIOException(new PrintException("printer '" + name + "': the " + PASSWORD + " "
                            + e.getMessage(), e));
                }
            };
        }
        TlsOptions.Builder tls = TlsOptions.builder().verifyHostname(c.verifyHostname());
        String caPath = c.caCertificatesPath() == null ? "" : c.caCertificatesPath().strip();
        if (!caPath.isEmpty()) {
            try {
                tls.trustedCertificatesPem(Files.readString(Path.of(caPath)));
            } catch (IOException | IllegalArgumentException e) {
                throw bad("caCertificatesPath", caPath, "cannot read it (" + e.getMessage() + ")",
                        "a readable PEM file of CA certificates");
            }
        }
        PrinterSettings s = new PrinterSettings(name, uri, millis("connectTimeoutMillis", c.connectTimeoutMillis()),
                millis("timeoutMillis", c.timeoutMillis()), millis("jobTimeoutMillis", c.jobTimeoutMillis()),
                c.maxResponseBytes(), c.chunkSize(), user.isEmpty() ? "rawsockets" : user, Optional.ofNullable(password),
                tls.build(), c.pjl(), c.pjlJobStatus());
        if (c.pjlJobStatus() && !c.pjl()) {
            throw bad("pjlJobStatus", true, "set without pjl=true", "pjl=true as well (the job status is PJL's USTATUS), or"
                    + " false");
        }
        if (c.maxResponseBytes() < 1024 || c.maxResponseBytes() > 64 * 1024 * 1024) {
            throw bad("maxResponseBytes", c.maxResponseBytes(), "out of range", "1024..67108864");
        }
        if (c.chunkSize() < 512 || c.chunkSize() > 4 * 1024 * 1024) {
            throw bad("chunkSize", c.chunkSize(), "out of range", "512..4194304");
        }
        return s;
    }

    private static Duration millis(String property, long value) {
        if (value < 1) {
            throw bad(property, value, "not positive", "a number of milliseconds, at least 1");
        }
        return Duration.ofMillis(value);
    }

    private static IllegalArgumentException bad(String property, Object value, String problem, String rule) {
        return new IllegalArgumentException(StrictConfig.field(property, value, problem, rule));
    }

    @Deactivate
    void deactivate() {
        close(delegate);
        claim.close();
    }

    /** The configured job timeout (the shell's send follows jobs this long). */
    public Duration jobTimeout() {
        return settings.jobTimeout();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String uri() {
        return delegate.uri();
    }

    private static PrintException unwrap(UncheckedIOException e) throws PrintException {
        throw unwrapped(e);
    }

    private static PrintException unwrapped(UncheckedIOException e) {
        return e.getCause() instanceof PrintException p ? p : new PrintException(e.getMessage(), e);
    }

    @Override
    public PrinterStatus status() throws PrintException {
        try {
            PrinterStatus s = delegate.status();
            activity.answered(s);
            return s;
        } catch (UncheckedIOException e) {
            PrintException p = unwrapped(e);
            activity.failed(p);
            throw p;
        } catch (org.rawsockets.print.UnsupportedPrintOperationException e) {
            throw e; // the protocol has no status (raw without PJL): the state stays UNKNOWN
        } catch (PrintException | RuntimeException e) {
            activity.failed(e);
            throw e;
        }
    }

    /**
     * This printer for operator tools: name, the URI's scheme as kind, the URI (never with
     * credentials), the answer to the last status query or its failure; no I/O.
     */
    org.rawsockets.socket.admin.DeviceStatus deviceStatus() {
        return activity.status(settings.name(), settings.uri().scheme(), delegate.uri());
    }

    @Override
    public List<IppAttribute> attributes(List<String> names) throws PrintException {
        try {
            return delegate.attributes(names);
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
    }

    @Override
    public void validate(JobOptions options) throws PrintException {
        try {
            delegate.validate(options);
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
    }

    @Override
    public JobStatus print(Document document, JobOptions options, ProgressListener progress) throws PrintException {
        try {
            return delegate.print(document, options.withUser(options.userName().equals("rawsockets") ? settings.user()
                    : options.userName()), progress);
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
    }

    @Override
    public JobStatus print(List<Document> documents, JobOptions options, ProgressListener progress)
            throws PrintException {
        try {
            return delegate.print(documents, options.withUser(options.userName().equals("rawsockets") ? settings.user()
                    : options.userName()), progress);
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
    }

    @Override
    public JobStatus job(int id) throws PrintException {
        try {
            return delegate.job(id);
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
    }

    @Override
    public List<JobStatus> jobs() throws PrintException {
        try {
            return delegate.jobs();
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
    }

    @Override
    public void cancel(int id) throws PrintException {
        try {
            delegate.cancel(id);
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
    }

    @Override
    public void identify() throws PrintException {
        try {
            delegate.identify();
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
    }

    @Override
    public JobStatus awaitJob(int id, Duration timeout) throws PrintException {
        try {
            return delegate.awaitJob(id, timeout);
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
    }
}
