package org.rawsockets.smtp.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.RefusedLiterals;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.protocols.config.StrictConfig;
import org.rawsockets.smtp.AuthMechanism;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MailSender;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.ProbeResult;
import org.rawsockets.smtp.ProgressListener;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpConfigurationException;
import org.rawsockets.smtp.SmtpCredentials;
import org.rawsockets.smtp.SmtpSession;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.annotation.RequireSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link MailSender} per factory configuration {@value #PID}. The socket needs are declared for
 * the policy: outgoing TCP to the SMTP ports (25 relay, 465 implicit TLS, 587 submission).
 *
 * <p>The configuration is read strictly and checked at activation (immediate component, so a bad
 * configuration is reported when it arrives, not at first use): a refused one is one ERROR line
 * on this class's logger and is remembered in {@link #REGISTRY} for the shell. The password is a
 * reference {@code .password = secret:NAME} ({@link SecretFiles}); the secret file is read each
 * time a connection is opened, never at activation. A literal password is refused, and removed
 * from the configuration store ({@link RefusedLiterals}: the marker {@code .password.refused} takes
 * its place) so that neither Config Admin's files nor {@code scr:info}/{@code cm:*} keep showing
 * it; the file it came from is the operator's to fix (the ERROR line says how).
 *
 * <p>Every operation ({@link #send}, {@link #probe}, opening a session) ends by its deadline
 * ({@code timeoutMillis}) with the connection closed; a caller that cancels the returned stage (or
 * completes it itself) closes the connection at once.
 */
@RequireSocket(kind = RequireSocket.Kind.TCP, ports = "25,465,587")
@Component(configurationPid = MailSenderComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = MailSender.class, immediate = true)
@Designate(ocd = ServerConfig.class, factory = true)
public final class MailSenderComponent implements MailSender {

    public static final String PID = "org.rawsockets.smtp.server";
    /** The configured mail servers of this bundle: names in use, rejected configurations. */
    public static final ConfigRegistry REGISTRY = new ConfigRegistry(PID, "mail server");
    /** The property holding the secret reference (method {@code _password} of {@link ServerConfig}). */
    static final String PASSWORD = ".password";
    private static final Logger LOG = LoggerFactory.getLogger(MailSenderComponent.class);
    /** The platform's name for a PEM file of trusted CA certificates (as on socket endpoints). */
    static final String CA_CERTIFICATES_PATH = "caCertificatesPath";
    /** Its deprecated SMTP alias, read with a WARN until 0.3. */
    static final String TRUSTED_CERTIFICATES = "trustedCertificates";

    private final SocketService sockets;
    private final String name;
    private final SmtpSettings settings;
    private final ConfigRegistry.Claim claim;
    private final ServerActivity activity = new ServerActivity(java.time.Clock.systemUTC());

    @Activate
    public MailSenderComponent(@Reference SocketService sockets,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL) ConfigurationAdmin configurationAdmin,
            Map<String, Object> properties, BundleContext context) {
        this(sockets, properties, new SecretFiles(context.getProperty(SecretFiles.DIR_PROPERTY)), REGISTRY,
                RefusedLiterals.storeRemover(configurationAdmin, "mail server", LOG, PASSWORD));
    }

    /**
     * A sender from a configuration map, as DS gives it.
     *
     * @param literalRemover called with the PID of a configuration whose literal password was
     *        refused, to remove it from the configuration store
     * @throws org.rawsockets.protocols.config.ConfigRejectedException when the configuration is
     *         refused (logged once at ERROR, remembered in {@code registry})
     */
    public MailSenderComponent(SocketService sockets, Map<String, Object> properties, SecretFiles secrets,
            ConfigRegistry registry, Consumer<String> literalRemover) {
        this.sockets = sockets;
        String where = StrictConfig.describe(properties == null ? Map.of() : properties);
        ConfigRegistry.Accepted<Configured> accepted = new RefusedLiterals(literalRemover, PASSWORD).accept(registry,
                properties, ServerConfig.class, c -> {
                    SmtpSettings s = toSettings(c, secrets, where);
                    return new Configured(c.name().strip(), s);
                }, Configured::name, LOG);
        this.settings = accepted.value().settings();
        this.claim = accepted.claim();
        this.name = claim.name();
    }

    private record Configured(String name, SmtpSettings settings) {
    }

    @Deactivate
    void deactivate() {
        claim.close();
    }

    /**
     * Settings from a configuration; throws {@link IllegalArgumentException} naming the property,
     * the problem and the rule. The password is not read here: the credentials read the secret file
     * each time they are used.
     */
    static SmtpSettings toSettings(ServerConfig c, SecretFiles secrets, String where) {
        if (c.name() == null || c.name().isBlank()) {
            throw bad("name", null, "missing", "every mail server needs a name, used by the shell and as the"
                    + " MailSender service property 'name'");
        }
        String name = c.name().strip();
        SmtpSettings.Builder b = SmtpSettings.builder();
        if (!c.endpoint().isBlank() && !c.host().isBlank()) {
            throw bad("endpoint", c.endpoint(), "set together with host '" + c.host() + "'", "set host (and port) or"
                    + " endpoint, not both");
        }
        if (!c.endpoint().isBlank()) {
            b.endpointName(c.endpoint());
        } else if (!c.host().isBlank()) {
            b.host(c.host());
        } else {
            throw bad("host", null, "missing, and no endpoint either", "set host (and port) or endpoint");
        }
        if (c.port() < 0 || c.port() > 65535) {
            throw bad("port", c.port(), "out of range", "1..65535, or 0 for the TLS mode's default");
        }
        b.port(c.port());
        SmtpTlsMode mode;
        try {
            mode = SmtpTlsMode.valueOf(c.tls().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad("tls", c.tls(), "not a TLS mode", "STARTTLS_REQUIRED, STARTTLS_OPPORTUNISTIC, IMPLICIT or OFF");
        }
        b.tlsMode(mode);
        TlsOptions.Builder tls = TlsOptions.builder().verifyHostname(c.verifyHostname());
        String caKey = CA_CERTIFICATES_PATH;
        String caPath = c.caCertificatesPath();
        if (!c.trustedCertificates().isBlank()) {
            // One property name per idea across the platform: endpoints say caCertificatesPath.
            if (!caPath.isBlank()) {
                throw bad(TRUSTED_CERTIFICATES, c.trustedCertificates(), "set together with " + CA_CERTIFICATES_PATH,
                        "only " + CA_CERTIFICATES_PATH + " (" + TRUSTED_CERTIFICATES + " is its deprecated alias)");
            }
            LOG.warn("{}: {} is deprecated, rename it to {} (same value); the old name is read until 0.3", where,
                    TRUSTED_CERTIFICATES, CA_CERTIFICATES_PATH);
            caKey = TRUSTED_CERTIFICATES;
            caPath = c.trustedCertificates();
        }
        if (!caPath.isBlank()) {
            Path pem = Path.of(caPath.strip());
            try {
                tls.trustedCertificatesPem(Files.readString(pem));
            } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                throw bad(caKey, caPath, "cannot read " + pem.toAbsolutePath() + " (" + e.getMessage() + ")",
                        "a readable PEM file of CA certificates");
            }
        }
        b.tls(tls.build());
        String mech = c.authMechanism().strip().toUpperCase(Locale.ROOT);
        if (!Set.of("AUTO", "NONE", "PLAIN", "LOGIN", "XOAUTH2").contains(mech)) {
            throw bad("authMechanism", c.authMechanism(), "not a mechanism", "AUTO, NONE, PLAIN, LOGIN or XOAUTH2");
        }
        // A literal password is refused whatever else is set: none may stay in the configuration.
        Optional<String> secret = SecretFiles.reference(where, PASSWORD, c._password(), name);
        String user = c.user().strip();
        if (!user.isEmpty() && !mech.equals("NONE")) {
            if (secret.isEmpty()) {
                throw bad(PASSWORD, null, "empty while user '" + user + "' is set", "an empty password is never sent:"
                        + " put the password in a secret file and set " + PASSWORD + " = " + SecretFiles.PREFIX + name
                        + "; to send without AUTH, clear 'user' or set authMechanism = NONE");
            }
            Supplier<String> read = secretReader(name, secrets, secret.get());
            SmtpCredentials cred = mech.equals("XOAUTH2") ? SmtpCredentials.oauth2(user, read)
                    : SmtpCredentials.password(user, read);
            if (!mech.equals("AUTO") && !mech.equals("XOAUTH2")) {
                cred = cred.withMechanism(AuthMechanism.valueOf(mech));
            }
            b.credentials(cred);
        } else if (secret.isPresent() && user.isEmpty()) {
            throw bad("user", null, "empty while " + PASSWORD + " is set", "AUTH needs both user and " + PASSWORD
                    + "; clear " + PASSWORD + " to send without AUTH");
        }
        b.allowAuthWithoutTls(c.allowAuthWithoutTls());
        try {
            b.clientName(c.clientName());
        } catch (IllegalArgumentException e) {
            throw bad("clientName", c.clientName(), "not a host name",
                    "1..255 printable ASCII characters without spaces, e.g. mail.example.org or [192.0.2.1]");
        }
        b.connectTimeout(millis("connectTimeoutMillis", c.connectTimeoutMillis()));
        b.commandTimeout(millis("commandTimeoutMillis", c.commandTimeoutMillis()));
        b.dataTimeout(millis("dataTimeoutMillis", c.dataTimeoutMillis()));
        b.timeout(millis("timeoutMillis", c.timeoutMillis()));
        b.pipelining(c.pipelining());
        b.chunking(c.chunking());
        return b.build();
    }

    /** Reads the secret when the credentials are used; a problem fails that connect, naming the file. */
    private static Supplier<String> secretReader(String server, SecretFiles secrets, String secretName) {
        return () -> {
            try {
                return secrets.read(secretName);
            } catch (SecretFiles.SecretException e) {
                throw new UncheckedIOException(new SmtpConfigurationException("mail server '" + server + "': the "
                        + PASSWORD + " " + e.getMessage() + "; nothing was sent", e));
            }
        };
    }

    private static Duration millis(String property, long value) {
        if (value < 1) {
            throw bad(property, value, "not positive", "a number of milliseconds, at least 1");
        }
        return Duration.ofMillis(value);
    }

    /** {@code field 'f' = 'v': problem; rule: r}; the registry puts the PID and file in front. */
    private static IllegalArgumentException bad(String property, Object value, String problem, String rule) {
        return new IllegalArgumentException(StrictConfig.field(property, value, problem, rule));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SmtpSettings settings() {
        return settings;
    }

    @Override
    public CompletionStage<SendResult> send(Envelope envelope, MessageSource content, ProgressListener progress) {
        Duration limit = settings.timeout();
        long deadline = SmtpSessionImpl.deadline(limit);
        SmtpSessionImpl session = SmtpSessionImpl.create(sockets, settings);
        return tracked(caller(session, session.open(deadline, limit)
                .thenCompose(s -> session.send(envelope, content, progress, deadline, limit))
                .whenComplete((r, t) -> session.close(deadline))));
    }

    @Override
    public CompletionStage<SmtpSession> openSession() {
        return tracked(SmtpSessionImpl.create(sockets, settings).open(SmtpSessionImpl.deadline(settings.timeout()),
                settings.timeout()));
    }

    @Override
    public CompletionStage<ProbeResult> probe() {
        Duration limit = settings.timeout();
        long deadline = SmtpSessionImpl.deadline(limit);
        SmtpSessionImpl session = SmtpSessionImpl.create(sockets, settings);
        return tracked(caller(session, session.open(deadline, limit).thenCompose(s -> {
            ProbeResult r = new ProbeResult(settings.serverLabel(), s.remoteAddress(), s.greeting(), s.capabilities(),
                    s.tls().orElse(null), s.authenticatedWith().orElse(null));
            return session.close(deadline).handle((v, t) -> r);
        })));
    }

    /**
     * {@code stage} as the caller sees it, its outcome counted in this server's activity (the Devices
     * page) before the caller learns it; completed by the caller first (cancelled), it completes
     * {@code stage} too, which aborts the exchange as before.
     */
    private <T> CompletableFuture<T> tracked(CompletableFuture<T> stage) {
        activity.begin();
        CompletableFuture<T> out = new CompletableFuture<>();
        stage.whenComplete((v, t) -> {
            Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            activity.end(cause);
            if (cause != null) {
                out.completeExceptionally(cause);
            } else {
                out.complete(v);
            }
        });
        out.whenComplete((v, t) -> {
            if (!stage.isDone()) {
                stage.completeExceptionally(t != null ? t : new java.util.concurrent.CancellationException(
                        "completed by the caller"));
            }
        });
        return out;
    }

    /** This server for operator tools: name, server, the last exchange's outcome and error. */
    org.rawsockets.socket.admin.DeviceStatus deviceStatus() {
        return activity.status(name, settings.endpointName().map(e -> "endpoint:" + e).orElseGet(settings::serverLabel));
    }

    /**
     * The stage handed to the caller: completes with {@code work}'s outcome (its cause unwrapped);
     * completed by the caller first (cancelled, timed out), it aborts the session at once.
     */
    private static <T> CompletableFuture<T> caller(SmtpSessionImpl session, CompletableFuture<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        AtomicBoolean settled = new AtomicBoolean();
        work.whenComplete((v, t) -> {
            settled.set(true);
            if (t != null) {
                result.completeExceptionally(t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
            } else {
                result.complete(v);
            }
        });
        result.whenComplete((v, t) -> {
            if (!settled.get()) {
                session.abort();
            }
        });
        return result;
    }

    @Override
    public String toString() {
        return "MailSender[" + name + ", " + settings + "]";
    }
}
