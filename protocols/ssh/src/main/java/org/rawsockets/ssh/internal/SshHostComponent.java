package org.rawsockets.ssh.internal;

import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
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
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.annotation.RequireSocket;
import org.rawsockets.ssh.ExecResult;
import org.rawsockets.ssh.HostKeyMode;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshHost;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link SshHost} per factory configuration {@value #PID}, with its own Apache MINA SSHD client on
 * the bundle's socket service; deactivating it (configuration deleted, bundle stopped or updated)
 * disconnects its sessions and ends the client's threads. The socket needs are declared for the
 * policy: outgoing TCP to port 22 (other ports need their grant).
 *
 * <p>The configuration is read strictly at activation; a refused one is one ERROR line and is
 * remembered in {@link #REGISTRY} for {@code ssh:hosts}. The password and the key passphrase are
 * references {@code secret:NAME}, read from the secret file at each connect; a literal is refused and
 * removed from the configuration store ({@link RefusedLiterals}).
 */
@RequireSocket(kind = RequireSocket.Kind.TCP, ports = "22")
@Component(configurationPid = SshHostComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = SshHost.class, immediate = true)
@Designate(ocd = HostConfig.class, factory = true)
public final class SshHostComponent implements SshHost {

    public static final String PID = "org.rawsockets.ssh.host";
    /** The configured hosts of this bundle: names in use, rejected configurations. */
    public static final ConfigRegistry REGISTRY = new ConfigRegistry(PID, "SSH host");
    static final String PASSWORD = ".password";
    static final String PASSPHRASE = ".passphrase";
    private static final Logger LOG = LoggerFactory.getLogger(SshHostComponent.class);

    private final String name;
    private final SshSettings settings;
    /** The configuration's settings, to build them again with the jump's bastion at each connect (under this). */
    private final SshSettings.Builder builder;
    /** The {@code jump} property: the bastion host's name, or null. */
    private final String jump;
    private final HostDirectory directory;
    private final ConfigRegistry registry;
    private final ConfigRegistry.Claim claim;
    private final SshEngine engine;
    private final Reconnect reconnect;
    private final HostActivity activity = new HostActivity(java.time.Clock.systemUTC());

    @Activate
    public SshHostComponent(@Reference SocketService sockets,
            @Reference(name = "configurationAdmin", cardinality = ReferenceCardinality.OPTIONAL)
            ConfigurationAdmin configurationAdmin, Map<String, Object> properties, BundleContext context) {
        this(sockets, properties, new SecretFiles(context.getProperty(SecretFiles.DIR_PROPERTY)), REGISTRY,
                RefusedLiterals.storeRemover(configurationAdmin, "SSH host", LOG, PASSWORD, PASSPHRASE));
    }

    /**
     * A host from a configuration map, as DS gives it (tests use this with their own registry).
     *
     * @param literalRemover called with the PID of a configuration whose literal password or passphrase
     *        was refused, to remove it from the configuration store
     */
    public SshHostComponent(SocketService sockets, Map<String, Object> properties, SecretFiles secrets, ConfigRegistry registry,
            Consumer<String> literalRemover) {
        String where = StrictConfig.describe(properties == null ? Map.of() : properties);
        ConfigRegistry.Accepted<Configured> accepted = new RefusedLiterals(literalRemover, PASSWORD, PASSPHRASE).accept(
                registry, properties, HostConfig.class, c -> {
                    SshSettings.Builder b = toBuilder(c, secrets, where);
                    return new Configured(c.name().strip(), b.build(), b, c.jump().isBlank() ? null : c.jump().strip(),
                            c.reconnectAttempts(), reconnectMinMillis(c), c.reconnectMaxMillis());
                }, Configured::name, LOG);
        this.settings = accepted.value().settings();
        this.builder = accepted.value().builder();
        this.jump = accepted.value().jump();
        this.claim = accepted.claim();
        this.name = claim.name();
        this.registry = registry;
        this.directory = HostDirectory.of(registry);
        this.engine = new SshEngine(sockets);
        this.reconnect = new Reconnect(name, accepted.value().retries(), Duration.ofMillis(accepted.value().minMillis()),
                Duration.ofMillis(accepted.value().maxMillis()), () -> engine.client().getScheduledExecutorService());
        directory.add(this);
    }

    /** reconnectMinMillis, or its former name reconnectDelayMillis when that is set. */
    private static long reconnectMinMillis(HostConfig c) {
        return c.reconnectDelayMillis() > 0 ? c.reconnectDelayMillis() : c.reconnectMinMillis();
    }

    private record Configured(String name, SshSettings settings, SshSettings.Builder builder, String jump, int retries,
            long minMillis, long maxMillis) {
    }

    static SshSettings toSettings(HostConfig c, SecretFiles secrets, String where) {
        return toBuilder(c, secrets, where).build();
    }

    private static SshSettings.Builder toBuilder(HostConfig c, SecretFiles secrets, String where) {
        if (c.name() == null || c.name().isBlank()) {
            throw bad("name", null, "missing", "every SSH host needs a name, used by the shell and as the SshHost service"
                    + " property 'name'");
        }
        String name = c.name().strip();
        SshSettings.Builder b = SshSettings.builder();
        if (!c.endpoint().isBlank() && !c.host().isBlank()) {
            throw bad("endpoint", c.endpoint(), "set together with host '" + c.host() + "'", "set host (and port) or endpoint,"
                    + " not both");
        }
        if (!c.endpoint().isBlank()) {
            b.endpoint(c.endpoint().strip());
        } else if (!c.host().isBlank()) {
            b.host(c.host().strip());
        } else {
            throw bad("host", null, "missing, and no endpoint either", "set host (and port) or endpoint");
        }
        if (!c.jump().isBlank()) {
            if (!c.endpoint().isBlank()) {
                throw bad("jump", c.jump(), "set together with endpoint '" + c.endpoint() + "'", "a host reached through a"
                        + " bastion needs host (and port) as the bastion sees it, not a named endpoint");
            }
            if (c.jump().strip().equals(name)) {
                throw bad("jump", c.jump(), "names this host itself", "the name of another configured SSH host (the"
                        + " bastion to go through)");
            }
        }
        if (c.port() < 1 || c.port() > 65535) {
            throw bad("port", c.port(), "out of range", "1..65535");
        }
        b.port(c.port());
        if (c.user() == null || c.user().isBlank()) {
            throw bad("user", null, "missing", "the user to log in as");
        }
        b.user(c.user().strip());
        String auth = c.auth().strip().toLowerCase(java.util.Locale.ROOT);
        if (!Set.of("publickey", "password", "any").contains(auth)) {
            throw bad("auth", c.auth(), "not an authentication method", "publickey, password or any");
        }
        Optional<String> password = SecretFiles.reference(where, PASSWORD, c._password(), name);
        Optional<String> passphrase = SecretFiles.reference(where, PASSPHRASE, c._passphrase(), name + "-key");
        boolean keys = !auth.equals("password");
        boolean pw = !auth.equals("publickey");
        if (keys) {
            if (c.keyFile().isBlank()) {
                throw bad("keyFile", null, "missing while auth = " + auth, "the path of an OpenSSH private key file");
            }
            b.keyFile(Path.of(c.keyFile().strip()));
            passphrase.ifPresent(p -> b.passphrase(secretReader(name, PASSPHRASE, secrets, p)));
        }
        if (pw) {
            if (password.isEmpty()) {
                throw bad(PASSWORD, null, "empty while auth = " + auth, "put the password in a secret file and set "
                        + PASSWORD + " = " + SecretFiles.PREFIX + name);
            }
            b.password(secretReader(name, PASSWORD, secrets, password.get()));
        }
        HostKeyMode mode;
        try {
            mode = HostKeyMode.parse(c.hostKeyMode());
        } catch (IllegalArgumentException e) {
            throw bad("hostKeyMode", c.hostKeyMode(), "not a mode", "strict, accept-new or off");
        }
        b.hostKeyMode(mode);
        if (!c.knownHosts().isBlank()) {
            b.knownHosts(Path.of(c.knownHosts().strip()));
        } else if (mode != HostKeyMode.OFF) {
            throw bad("knownHosts", null, "missing with hostKeyMode " + mode.configName(), "the path of an OpenSSH known_hosts"
                    + " file (with accept-new it may not exist yet)");
        }
        if (mode == HostKeyMode.OFF) {
            LOG.warn("SSH host '{}': hostKeyMode = off, the server's identity is NOT checked", name);
        }
        if (c.keepAliveSeconds() < 0) {
            throw bad("keepAliveSeconds", c.keepAliveSeconds(), "negative", "0 (none) or a number of seconds");
        }
        b.keepAliveInterval(Duration.ofSeconds(c.keepAliveSeconds()));
        if (c.connectTimeoutMillis() < 1) {
            throw bad("connectTimeoutMillis", c.connectTimeoutMillis(), "not positive", "a number of milliseconds, at least 1");
        }
        b.connectTimeout(Duration.ofMillis(c.connectTimeoutMillis()));
        if (c.reconnectAttempts() < 0) {
            throw bad("reconnectAttempts", c.reconnectAttempts(), "negative", "0 (no retry) or a number of retries");
        }
        if (c.reconnectDelayMillis() < 0) {
            throw bad("reconnectDelayMillis", c.reconnectDelayMillis(), "negative", "use reconnectMinMillis (its new name)");
        }
        if (c.reconnectDelayMillis() > 0) {
            LOG.warn("SSH host '{}': reconnectDelayMillis is now called reconnectMinMillis; using {} ms", c.name().strip(),
                    c.reconnectDelayMillis());
        }
        if (reconnectMinMillis(c) < 1) {
            throw bad("reconnectMinMillis", c.reconnectMinMillis(), "not positive", "a number of milliseconds, at least 1");
        }
        if (c.reconnectMaxMillis() < reconnectMinMillis(c)) {
            throw bad("reconnectMaxMillis", c.reconnectMaxMillis(), "below reconnectMinMillis (" + reconnectMinMillis(c) + ")",
                    "reconnectMaxMillis >= reconnectMinMillis");
        }
        b.build(); // the rules of SshSettings, at activation
        return b;
    }

    /**
     * The settings to connect with: with a {@code jump}, the bastion's (itself resolved the same way)
     * as {@link SshSettings#jump()}. Looked up at each connect among the hosts active beside this one.
     *
     * @throws SshException {@link Reason#CONFIGURATION} when a jump names no active host or the
     *             chain comes back to a host already in it (the message names the hosts)
     */
    SshSettings connectSettings() throws SshException {
        List<String> chain = new ArrayList<>();
        chain.add(name);
        return resolve(this, chain);
    }

    private SshSettings resolve(SshHostComponent host, List<String> chain) throws SshException {
        if (host.jump == null) {
            return host.settings;
        }
        if (chain.contains(host.jump)) {
            chain.add(host.jump);
            throw new SshException(Reason.CONFIGURATION, "SSH host '" + name + "': the jump chain " + String.join(" -> ", chain)
                    + " is a cycle; set the jump property of one of these hosts to a bastion that does not lead back"
                    + " (or remove it); nothing was sent", null);
        }
        SshHostComponent next = directory.get(host.jump);
        if (next == null) {
            String rejected = claimRejection(host.jump);
            throw new SshException(Reason.CONFIGURATION, "SSH host '" + name + "'" + (host == this ? "" : " (through '"
                    + host.name + "')") + ": jump '" + host.jump + "' of host '" + host.name + "' is not a configured SSH host"
                    + rejected + " (configured: " + String.join(", ", directory.names()) + "); set jump to the name of an "
                    + PID + " configuration; nothing was sent", null);
        }
        chain.add(host.jump);
        return host.settingsVia(resolve(next, chain));
    }

    private String claimRejection(String host) {
        return registry.rejection(host).map(r -> " (its configuration was rejected: " + r.reason() + ")").orElse("");
    }

    private SshSettings settingsVia(SshSettings bastion) {
        synchronized (builder) {
            try {
                return builder.jump(bastion).build();
            } finally {
                builder.jump(null);
            }
        }
    }

    /** Reads the secret at each use; a problem fails that connect with a message naming the file, never the secret. */
    private static Supplier<String> secretReader(String host, String property, SecretFiles secrets, String secretName) {
        return () -> {
            try {
                return secrets.read(secretName);
            } catch (SecretFiles.SecretException e) {
                throw new UncheckedIOException(new SshException(Reason.CONFIGURATION, "SSH host '" + host + "': the " + property
                        + " " + e.getMessage() + "; nothing was sent", e));
            }
        };
    }

    private static IllegalArgumentException bad(String property, Object value, String problem, String rule) {
        return new IllegalArgumentException(StrictConfig.field(property, value, problem, rule));
    }

    @Deactivate
    void deactivate() {
        directory.remove(this);
        try {
            engine.close();
        } finally {
            claim.close();
        }
    }

    /** The SSHD client of this host, for tests and diagnostics. */
    SshEngine engine() {
        return engine;
    }

    @Override
    public String name() {
        return name;
    }

    /** The configured settings; with a {@code jump}, the bastion's in {@link SshSettings#jump()} when it is configured. */
    @Override
    public SshSettings settings() {
        try {
            return connectSettings();
        } catch (SshException e) {
            return settings;
        }
    }

    /** {@code [0]} the server's host key fingerprint, {@code [1]} its known_hosts line; no login. */
    public CompletionStage<String[]> hostKey() {
        try {
            return engine.hostKey(connectSettings());
        } catch (SshException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /** Connects; failures that may pass (network, time limit, server gone) are tried again with backoff. */
    @Override
    public CompletionStage<SshSession> connect() {
        return reconnect.connect(() -> {
            try {
                return engine.connect(connectSettings());
            } catch (SshException e) {
                return java.util.concurrent.CompletableFuture.failedFuture(e);
            }
        }).whenComplete((s, e) -> activity.connectEnded(e));
    }

    /**
     * This host for operator tools: name, {@code user@host:port} (or {@code user@endpoint:NAME}), the
     * sessions open or the last connect's outcome, its error; no I/O, no secret.
     */
    org.rawsockets.socket.admin.DeviceStatus deviceStatus() {
        String where = settings.endpoint().map(e -> "endpoint:" + e).orElseGet(settings::hostPort);
        return activity.status(name, settings.user() + "@" + where, engine.openSessions(), engine.sessionsChanged());
    }

    /**
     * The longest {@link #connect()} can take: each attempt connects every hop of the jump chain in
     * turn, each within its own {@code connectTimeoutMillis}, and a transient failure is tried again
     * {@code reconnectAttempts} times with the delays between. For callers that wait for a connect.
     */
    public Duration connectLimit() {
        Duration perAttempt = Duration.ZERO;
        for (SshSettings s = settings(); s != null; s = s.jump().orElse(null)) {
            perAttempt = perAttempt.plus(s.connectTimeout());
        }
        return reconnect.worstCase(perAttempt);
    }

    /** Attempts that failed and were tried again (diagnostics, tests). */
    long failedAttempts() {
        return reconnect.failedAttempts();
    }

    @Override
    public CompletionStage<ExecResult> exec(String command, Duration timeout) {
        return once(s -> s.exec(command, timeout));
    }

    @Override
    public CompletionStage<Integer> exec(String command, OutputStream stdout, OutputStream stderr, Duration timeout) {
        return once(s -> s.exec(command, stdout, stderr, timeout));
    }

    private <T> CompletionStage<T> once(Function<SshSession, CompletionStage<T>> work) {
        return connect().thenCompose(s -> work.apply(s).whenComplete((v, e) -> s.close()));
    }

    @Override
    public String toString() {
        return "SshHost[" + name + " " + settings.target() + "]";
    }
}
