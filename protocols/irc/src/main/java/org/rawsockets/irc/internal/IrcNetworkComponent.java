package org.rawsockets.irc.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.irc.ISupport;
import org.rawsockets.irc.IrcChannel;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcClients;
import org.rawsockets.irc.IrcListener;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.IrcSubscription;
import org.rawsockets.irc.IrcUser;
import org.rawsockets.irc.SaslMechanism;
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
 * One {@link IrcClient} service per {@code org.rawsockets.irc.network} factory configuration (service
 * property {@code name}), connected at activation and reconnecting on its own. Incoming messages
 * are delivered to every {@link IrcListener} service (the whiteboard): all networks, or only the one
 * named by the listener's service property {@code network}; its property {@code bufferSize}
 * (default 1000) bounds what waits for it.
 */
@RequireSocket(kind = RequireSocket.Kind.TCP, host = "*", ports = "*")
@Component(configurationPid = IrcNetworkComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = IrcClient.class, immediate = true)
@Designate(ocd = NetworkConfig.class, factory = true)
public final class IrcNetworkComponent implements IrcClient {

    public static final String PID = "org.rawsockets.irc.network";
    /** The configured networks of this bundle: names in use, rejected configurations. */
    public static final ConfigRegistry REGISTRY = new ConfigRegistry(PID, "IRC network");
    static final String PASSWORD = ".password";
    static final String PASSPHRASE = ".passphrase";
    /**
     * The file of the STS policies in the bundle's data area (shared by every network of this
     * bundle, kept across restarts; a bundle update or uninstall drops it).
     */
    static final String STS_FILE = "sts-policies";
    /** The whiteboard listener's service property naming the network it listens to. */
    public static final String LISTENER_NETWORK = "network";
    /** The whiteboard listener's service property bounding its buffer. */
    public static final String LISTENER_BUFFER = "bufferSize";
    private static final Logger LOG = LoggerFactory.getLogger(IrcNetworkComponent.class);

    private final IrcClient client;
    private final ConfigRegistry.Claim claim;
    private final Map<IrcListener, IrcSubscription> listeners = new ConcurrentHashMap<>();

    @Activate
    public IrcNetworkComponent(@Reference SocketService sockets,
            @Reference(name = "configurationAdmin", cardinality = ReferenceCardinality.OPTIONAL)
            ConfigurationAdmin configurationAdmin, Map<String, Object> properties, BundleContext context) {
        this(sockets, properties, new SecretFiles(context.getProperty(SecretFiles.DIR_PROPERTY)), REGISTRY,
                RefusedLiterals.storeRemover(configurationAdmin, "IRC network", LOG, PASSWORD, PASSPHRASE),
                Optional.ofNullable(context.getDataFile(STS_FILE)).map(java.io.File::toPath).orElse(null));
    }

    /**
     * A network from a configuration map, as DS gives it; connects at once (STS policies in memory).
     *
     * @param literalRemover called with the PID of a configuration whose literal password or passphrase
     *        was refused, to remove it from the configuration store
     */
    public IrcNetworkComponent(SocketService sockets, Map<String, Object> properties, SecretFiles secrets,
            ConfigRegistry registry, Consumer<String> literalRemover) {
        this(sockets, properties, secrets, registry, literalRemover, null);
    }

    /** As above with the file keeping the STS policies (null: memory). */
    public IrcNetworkComponent(SocketService sockets, Map<String, Object> properties, SecretFiles secrets,
            ConfigRegistry registry, Consumer<String> literalRemover, Path stsFile) {
        String where = StrictConfig.describe(properties == null ? Map.of() : properties);
        ConfigRegistry.Accepted<IrcSettings> accepted = new RefusedLiterals(literalRemover, PASSWORD, PASSPHRASE).accept(registry,
                properties, NetworkConfig.class, c -> settings(c, secrets, where, stsFile), IrcSettings::name, LOG);
        this.claim = accepted.claim();
        this.client = IrcClients.create(sockets, accepted.value());
        client.connect().whenComplete((nick, t) -> {
            if (t != null) {
                LOG.warn("IRC network {}: {} (retrying with backoff)", client.network(), t.getMessage());
            }
        });
    }

    /** Settings from a configuration; {@link IllegalArgumentException} names the property, the problem and the rule. */
    static IrcSettings settings(NetworkConfig c, SecretFiles secrets, String where) {
        return settings(c, secrets, where, null);
    }

    static IrcSettings settings(NetworkConfig c, SecretFiles secrets, String where, Path stsFile) {
        String name = c.name() == null ? "" : c.name().strip();
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw bad("name", name.isEmpty() ? null : name, name.isEmpty() ? "missing" : "not a network name",
                    "1..64 letters, digits, '.', '_', '-'");
        }
        IrcSettings.Builder b = IrcSettings.builder(name);
        String host = c.host().strip();
        String endpoint = c.endpoint().strip();
        if (host.isEmpty() == endpoint.isEmpty()) {
            throw bad(host.isEmpty() ? "host" : "endpoint", host.isEmpty() ? null : endpoint, host.isEmpty()
                    ? "missing, and no endpoint either" : "set together with host '" + host + "'",
                    "set exactly one of host (with port) or endpoint (a socket endpoint name)");
        }
        if (c.port() < 0 || c.port() > 65535) {
            throw bad("port", c.port(), "out of range", "0..65535 (0: 6697 with TLS, 6667 without)");
        }
        // The TLS options are built with TLS off too: an STS policy may upgrade the connection.
        TlsOptions.Builder tls = TlsOptions.builder().verifyHostname(c.verifyHostname());
        String ca = c.caCertificatesPath().strip();
        if (!ca.isEmpty()) {
            try {
                tls.trustedCertificatesPem(Files.readString(Path.of(ca), StandardCharsets.US_ASCII));
            } catch (IOException | RuntimeException e) {
                throw bad("caCertificatesPath", ca, "not a readable PEM file (" + e.getMessage() + ")",
                        "the path of a PEM file of CA certificates");
            }
        }
        clientCertificate(c, secrets, where, name).ifPresent(tls::keyManager);
        b.tls(tls.build());
        if (!c.tls()) {
            b.tls(false);
        }
        if (endpoint.isEmpty()) {
            b.server(host, c.port() == 0 ? (c.tls() ? 6697 : 6667) : c.port());
        } else {
            b.endpoint(endpoint);
        }
        try {
            b.nick(c.nick() == null ? null : c.nick().strip());
        } catch (IllegalArgumentException e) {
            throw bad("nick", c.nick(), "not a nickname", "one word without spaces or commas");
        }
        try {
            b.alternateNicks(list(c.alternateNicks()));
            if (!c.user().isBlank()) {
                b.user(c.user().strip());
            }
            if (!c.realName().isBlank()) {
                b.realName(c.realName().strip());
            }
        } catch (IllegalArgumentException e) {
            throw bad("alternateNicks/user/realName", null, e.getMessage(), "words without spaces or commas");
        }
        SaslMechanism mech;
        try {
            mech = SaslMechanism.of(c.saslMechanism());
        } catch (IllegalArgumentException e) {
            throw bad("saslMechanism", c.saslMechanism(), "not a mechanism", "NONE, PLAIN, EXTERNAL or SCRAM-SHA-256");
        }
        Optional<String> secret = SecretFiles.reference(where, PASSWORD, c._password(), name);
        if (mech.usesPassword()) {
            if (c.saslAccount().isBlank() || secret.isEmpty()) {
                throw bad(c.saslAccount().isBlank() ? "saslAccount" : PASSWORD, null, "empty with saslMechanism "
                        + mech.wireName(), mech.wireName() + " needs saslAccount and " + PASSWORD + " = "
                        + SecretFiles.PREFIX + name);
            }
            String secretName = secret.get();
            // Read at each SASL exchange, never at activation (the rules every protocol bundle follows).
            b.sasl(mech, c.saslAccount().strip(), () -> {
                try {
                    return secrets.read(secretName);
                } catch (IOException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
        } else if (mech == SaslMechanism.EXTERNAL) {
            if (c.clientCertificatePath().isBlank()) {
                throw bad("clientCertificatePath", null, "empty with saslMechanism EXTERNAL", "EXTERNAL logs in with the"
                        + " TLS client certificate: set clientCertificatePath and clientKeyPath (and tls = true)");
            }
            b.sasl(mech, c.saslAccount().isBlank() ? null : c.saslAccount().strip(), (String) null);
        }
        b.saslRequired(c.saslRequired());
        Map<String, String> channels = new LinkedHashMap<>();
        for (String ch : list(c.channels())) {
            String[] parts = ch.split("\\s+");
            if (parts.length > 2 || parts[0].isEmpty()) {
                throw bad("channels", ch, "not a channel", "'#channel' or '#channel key'");
            }
            channels.put(parts[0], parts.length == 2 ? parts[1] : "");
        }
        try {
            b.channels(channels);
            b.flood(c.floodBurst(), millis("floodIntervalMillis", c.floodIntervalMillis()));
            b.ping(millis("pingIntervalMillis", c.pingIntervalMillis()), millis("pingTimeoutMillis",
                    c.pingTimeoutMillis()));
            b.reconnect(c.reconnect(), millis("reconnectMinMillis", c.reconnectMinMillis()), millis("reconnectMaxMillis",
                    c.reconnectMaxMillis()));
            b.stsPolicyFile(stsFile);
            return b.build();
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("field '")) {
                throw e;
            }
            throw bad("channels/flood/ping/reconnect", null, e.getMessage(), "see the configuration table in README");
        }
    }

    /**
     * The client certificate of {@code clientCertificatePath}/{@code clientKeyPath}, checked now
     * (readable, PEM, an encrypted key has its {@code .passphrase}) and read again at each TLS
     * handshake with the passphrase (never at activation).
     */
    private static Optional<ClientKeys> clientCertificate(NetworkConfig c, SecretFiles secrets, String where,
            String name) {
        String cert = c.clientCertificatePath().strip();
        String key = c.clientKeyPath().strip();
        Optional<String> passphrase = SecretFiles.reference(where, PASSPHRASE, c._passphrase(), name + "-key");
        if (cert.isEmpty() && key.isEmpty()) {
            if (passphrase.isPresent()) {
                throw bad(PASSPHRASE, null, "set without clientKeyPath", "the passphrase of an encrypted clientKeyPath");
            }
            return Optional.empty();
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw bad(cert.isEmpty() ? "clientCertificatePath" : "clientKeyPath", null, "empty while "
                    + (cert.isEmpty() ? "clientKeyPath" : "clientCertificatePath") + " is set", "set both or neither");
        }
        String keyPem;
        try {
            if (!Files.readString(Path.of(cert), StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
                throw bad("clientCertificatePath", cert, "holds no PEM certificate", "a PEM file (-----BEGIN CERTIFICATE-----)");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException i) {
                throw i;
            }
            throw bad("clientCertificatePath", cert, "not readable (" + e.getMessage() + ")", "a readable PEM file");
        }
        try {
            keyPem = Files.readString(Path.of(key), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw bad("clientKeyPath", key, "not readable (" + e.getMessage() + ")", "a readable PEM file (mode 0600)");
        }
        boolean encrypted = ClientKeys.encrypted(keyPem);
        if (!encrypted && !keyPem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw bad("clientKeyPath", key, "holds no PKCS#8 key", "-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED"
                    + " PRIVATE KEY-----; convert with 'openssl pkcs8 -topk8'");
        }
        if (encrypted && passphrase.isEmpty()) {
            throw bad(PASSPHRASE, null, "empty while clientKeyPath is encrypted", PASSPHRASE + " = " + SecretFiles.PREFIX
                    + name + "-key, the file holding the key's passphrase");
        }
        java.util.function.Supplier<String> pass = passphrase.<java.util.function.Supplier<String>>map(n -> () -> {
            try {
                return secrets.read(n);
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }).orElse(null);
        return Optional.of(new ClientKeys(name, Path.of(cert), Path.of(key), pass));
    }

    /** The non-empty, stripped items of a comma-separated list. */
    static List<String> list(String v) {
        List<String> out = new java.util.ArrayList<>();
        for (String item : v.split(",")) {
            if (!item.isBlank()) {
                out.add(item.strip());
            }
        }
        return out;
    }

    private static Duration millis(String property, long v) {
        if (v < 1) {
            throw bad(property, v, "not positive", "a number of milliseconds, at least 1");
        }
        return Duration.ofMillis(v);
    }

    private static IllegalArgumentException bad(String property, Object value, String problem, String rule) {
        return new IllegalArgumentException(StrictConfig.field(property, value, problem, rule));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(IrcListener listener, Map<String, Object> props) {
        Object network = props.get(LISTENER_NETWORK);
        if (network != null && !network.toString().equals(client.network())) {
            return;
        }
        int size = props.get(LISTENER_BUFFER) instanceof Number n ? n.intValue() : 1000;
        listeners.put(listener, client.subscribe(listener, Math.max(1, Math.min(size, 1_000_000))));
    }

    void removeListener(IrcListener listener) {
        IrcSubscription s = listeners.remove(listener);
        if (s != null) {
            s.close();
        }
    }

    @Deactivate
    void deactivate() {
        claim.close();
        try {
            client.disconnect("Leaving").toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        listeners.values().forEach(IrcSubscription::close);
        client.close();
    }

    // ---------------------------------------------------------------- IrcClient, delegated

    @Override public String network() { return client.network(); }
    @Override public IrcSettings settings() { return client.settings(); }
    @Override public CompletionStage<String> connect() { return client.connect(); }
    @Override public CompletionStage<Void> disconnect(String quitMessage) { return client.disconnect(quitMessage); }
    @Override public boolean isConnected() { return client.isConnected(); }
    @Override public String nick() { return client.nick(); }
    @Override public Optional<String> account() { return client.account(); }
    @Override public Set<String> capabilities() { return client.capabilities(); }
    @Override public ISupport isupport() { return client.isupport(); }
    @Override public Optional<Duration> lag() { return client.lag(); }
    @Override public List<IrcChannel> channels() { return client.channels(); }
    @Override public Optional<IrcChannel> channel(String name) { return client.channel(name); }
    @Override public Optional<IrcUser> user(String nick) { return client.user(nick); }
    @Override public CompletionStage<IrcChannel> join(String channel, String key) { return client.join(channel, key); }
    @Override public CompletionStage<Void> part(String channel, String reason) { return client.part(channel, reason); }
    @Override public CompletionStage<Void> privmsg(String target, String text) { return client.privmsg(target, text); }
    @Override public CompletionStage<Void> notice(String target, String text) { return client.notice(target, text); }
    @Override public CompletionStage<Void> action(String target, String text) { return client.action(target, text); }
    @Override public CompletionStage<Map<String, String>> names(String channel) { return client.names(channel); }
    @Override public CompletionStage<String> topic(String channel) { return client.topic(channel); }
    @Override public CompletionStage<Void> setTopic(String channel, String topic) { return client.setTopic(channel, topic); }
    @Override public CompletionStage<List<IrcMessage>> whois(String nick) { return client.whois(nick); }
    @Override public CompletionStage<List<org.rawsockets.irc.IrcWhoEntry>> who(String mask) { return client.who(mask); }
    @Override public CompletionStage<List<IrcMessage>> request(IrcMessage command) { return client.request(command); }
    @Override public CompletionStage<Void> send(IrcMessage message) { return client.send(message); }
    @Override public CompletionStage<Void> sendRaw(String line) { return client.sendRaw(line); }
    @Override public IrcSubscription subscribe(IrcListener listener, int bufferSize) {
        return client.subscribe(listener, bufferSize);
    }

    /** Closing is the component's: deactivation closes the client. */
    @Override
    public void close() {
        client.disconnect("Leaving");
    }

    @Override
    public String toString() {
        return client.toString();
    }
}
