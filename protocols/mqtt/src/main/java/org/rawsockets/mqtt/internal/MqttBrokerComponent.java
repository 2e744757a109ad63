package org.rawsockets.mqtt.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.mqtt.MqttClient;
import org.rawsockets.mqtt.MqttClientStatus;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.SubscriptionOptions;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.RefusedLiterals;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.protocols.config.StrictConfig;
import org.rawsockets.protocols.sasl.ScramClient;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.annotation.RequireSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link MqttClient} service per {@code org.rawsockets.mqtt.broker} factory configuration, with
 * the service property {@code name}. Immediate: a good configuration connects at once (and keeps
 * reconnecting with back-off); a refused one is one ERROR line naming the configuration, the property
 * and the rule, remembered in {@link #REGISTRY} for {@code mqtt:brokers}. The password is a
 * {@code secret:NAME} reference read from the gateway's secrets folder at each connect; a literal
 * password is refused and removed from the configuration store.
 */
@RequireSocket(kind = RequireSocket.Kind.TCP, host = "*", ports = "*")
@Component(configurationPid = BrokerConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = MqttClient.class, immediate = true)
@Designate(ocd = BrokerConfig.class, factory = true)
public final class MqttBrokerComponent implements MqttClient {

    /** The configured brokers of this bundle: names in use, rejected configurations. */
    public static final ConfigRegistry REGISTRY = new ConfigRegistry(BrokerConfig.PID, "MQTT broker");
    /** The property holding the secret reference (method {@code _password} of {@link BrokerConfig}). */
    static final String PASSWORD = ".password";
    /** The property holding the proxy's secret reference (method {@code _httpProxyPassword}). */
    static final String PROXY_PASSWORD = ".httpProxyPassword";
    private static final Logger LOG = LoggerFactory.getLogger(MqttBrokerComponent.class);

    private final MqttClientImpl client;
    private final ConfigRegistry.Claim claim;

    @Activate
    public MqttBrokerComponent(@Reference(name = "sockets") SocketService sockets,
            @Reference(name = "configurationAdmin", cardinality = ReferenceCardinality.OPTIONAL)
            ConfigurationAdmin configurationAdmin, Map<String, Object> properties, BundleContext context) {
        this(sockets, properties, new SecretFiles(context.getProperty(SecretFiles.DIR_PROPERTY)), REGISTRY,
                RefusedLiterals.storeRemover(configurationAdmin, "MQTT broker", LOG, PASSWORD, PROXY_PASSWORD),
                ServiceAuthMethods.of(context));
    }

    /** A broker client from a configuration map, with the built-in authentication methods only. */
    public MqttBrokerComponent(SocketService sockets, Map<String, Object> properties, SecretFiles secrets,
            ConfigRegistry registry, Consumer<String> literalRemover) {
        this(sockets, properties, secrets, registry, literalRemover, AuthMethods.of());
    }

    /**
     * A broker client from a configuration map, as DS gives it.
     *
     * @param literalRemover called with the PID of a configuration whose literal password was refused,
     *        to remove it from the configuration store
     * @param methods where an enhanced authentication method other than SCRAM is found
     * @throws org.rawsockets.protocols.config.ConfigRejectedException when the configuration is refused
     */
    public MqttBrokerComponent(SocketService sockets, Map<String, Object> properties, SecretFiles secrets,
            ConfigRegistry registry, Consumer<String> literalRemover, AuthMethods methods) {
        String where = StrictConfig.describe(properties == null ? Map.of() : properties);
        ConfigRegistry.Accepted<MqttSettings> accepted = new RefusedLiterals(literalRemover, PASSWORD, PROXY_PASSWORD).accept(registry,
                properties, BrokerConfig.class, c -> settings(c, secrets, methods, where), s -> s.name, LOG);
        this.claim = accepted.claim();
        this.client = new MqttClientImpl(accepted.value(), sockets);
        client.connect().whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("MQTT broker '{}': first connect failed, retrying with back-off: {}", client.name(),
                        MqttClientImpl.describe(e));
            }
        });
    }

    /** Settings from a configuration; {@link IllegalArgumentException} names the property and the rule. */
    static MqttSettings settings(BrokerConfig c, SecretFiles secrets, AuthMethods methods, String where) {
        String name = c.name() == null ? "" : c.name().strip();
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw bad("name", name.isEmpty() ? null : name, name.isEmpty() ? "missing" : "not a broker name",
                    "1..64 letters, digits, '.', '_', '-'");
        }
        String host = c.host().strip();
        String endpoint = c.endpoint().strip();
        String uri = c.uri().strip();
        String webSocketPath = null;
        int port = c.port();
        boolean wss = false;
        if (!uri.isEmpty()) {
            if (!host.isEmpty() || !endpoint.isEmpty()) {
                throw bad("uri", uri, "set together with " + (host.isEmpty() ? "endpoint" : "host"),
                        "set exactly one of uri (MQTT over WebSocket), host (with port) or endpoint");
            }
            java.net.URI u;
            try {
                u = new java.net.URI(uri);
            } catch (java.net.URISyntaxException e) {
                throw bad("uri", uri, "not a URI (" + e.getReason() + ")", "ws://host[:port]/path or wss://...");
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss") || u.getHost() == null || u.getRawUserInfo() != null
                    || u.getRawFragment() != null) {
                throw bad("uri", uri, "not a WebSocket URI", "ws://host[:port]/path or wss://host[:port]/path");
            }
            wss = scheme.equals("wss");
            host = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1) : u.getHost();
            port = u.getPort() == -1 ? (wss ? 443 : 80) : u.getPort();
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            webSocketPath = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
        }
        if (host.isEmpty() == endpoint.isEmpty()) {
            throw bad(host.isEmpty() ? "host" : "endpoint", host.isEmpty() ? null : endpoint, host.isEmpty()
                    ? "missing, and no endpoint either" : "set together with host '" + host + "'",
                    "set exactly one of host (with port) or endpoint (a socket endpoint name)");
        }
        MqttSettings.Builder b = MqttSettings.builder(name);
        if (host.isEmpty()) {
            b.endpoint(endpoint);
        } else {
            range("port", port, 1, 65535);
            b.host(host, port).webSocket(webSocketPath);
        }
        String proxy = c.httpProxy().strip();
        if (!proxy.isEmpty()) {
            if (!endpoint.isEmpty()) {
                throw bad("httpProxy", proxy, "set with an endpoint", "an HTTP proxy goes with host or uri (the"
                        + " broker's name is sent to the proxy); an endpoint's route is the operator's");
            }
            java.net.URI u;
            try {
                u = new java.net.URI("http://" + proxy);
            } catch (java.net.URISyntaxException e) {
                u = null;
            }
            if (u == null || u.getHost() == null || u.getPort() < 1 || u.getPort() > 65535 || u.getRawUserInfo() != null
                    || !(u.getRawPath() == null || u.getRawPath().isEmpty()) || u.getRawQuery() != null) {
                throw bad("httpProxy", proxy, "not host:port", "host:port of the HTTP proxy, e.g. proxy.lan:3128 or"
                        + " [fd00::1]:3128");
            }
            String h = u.getHost();
            b.httpProxy(h.startsWith("[") ? h.substring(1, h.length() - 1) : h, u.getPort());
        }
        String proxyUser = c.httpProxyUser().strip();
        var proxyRef = SecretFiles.reference(where, PROXY_PASSWORD, c._httpProxyPassword(), name);
        if (!proxyUser.isEmpty() || proxyRef.isPresent()) {
            if (proxy.isEmpty()) {
                throw bad(proxyUser.isEmpty() ? PROXY_PASSWORD : "httpProxyUser", proxyUser.isEmpty() ? null : proxyUser,
                        "set without httpProxy", "proxy credentials go with httpProxy");
            }
            if (proxyUser.isEmpty() || proxyRef.isEmpty()) {
                throw bad(proxyUser.isEmpty() ? "httpProxyUser" : PROXY_PASSWORD, null, "missing",
                        "httpProxyUser and .httpProxyPassword = secret:NAME go together");
            }
            String secret = proxyRef.get();
            b.httpProxyCredentials(proxyUser, () -> {
                try {
                    return secrets.read(secret).getBytes(StandardCharsets.UTF_8);
                } catch (SecretFiles.SecretException e) {
                    throw new MqttConnectionException("MQTT broker '" + name + "': the HTTP proxy's password cannot be"
                            + " read: " + e.getMessage());
                }
            });
        }
        String proxyAuth = c.httpProxyAuth().strip().toLowerCase(java.util.Locale.ROOT);
        if (!proxyAuth.equals("any") && !proxyAuth.equals("digest") && !proxyAuth.equals("basic")) {
            throw bad("httpProxyAuth", c.httpProxyAuth(), "not a proxy authentication", "any, digest or basic");
        }
        if (!proxyAuth.equals("any") && proxyUser.isEmpty()) {
            throw bad("httpProxyAuth", proxyAuth, "set without httpProxyUser", "it goes with httpProxyUser and"
                    + " .httpProxyPassword");
        }
        b.httpProxyAuth(MqttSettings.ProxyAuth.valueOf(proxyAuth.toUpperCase(java.util.Locale.ROOT)));
        String tls = c.tls().strip().toUpperCase(java.util.Locale.ROOT);
        if (!tls.equals("ON") && !tls.equals("OFF")) {
            throw bad("tls", c.tls(), "not a TLS mode", "ON or OFF");
        }
        if (webSocketPath != null) {
            if (!wss && tls.equals("ON")) {
                throw bad("tls", c.tls(), "ON with a ws:// uri", "use a wss:// uri for WebSocket over TLS");
            }
            tls = wss ? "ON" : "OFF";
        }
        if (tls.equals("ON")) {
            if (!endpoint.isEmpty()) {
                throw bad("tls", c.tls(), "set with an endpoint", "an endpoint's TLS comes from the endpoint: leave"
                        + " tls OFF");
            }
            TlsOptions.Builder t = TlsOptions.builder().mode(TlsMode.ON).verifyHostname(c.verifyHostname());
            if (!c.caCertificatesPath().isBlank()) {
                t.trustedCertificatesPem(pem("caCertificatesPath", c.caCertificatesPath()));
            }
            if (c.clientCertificatePath().isBlank() != c.clientKeyPath().isBlank()) {
                throw bad("clientKeyPath", null, "clientCertificatePath and clientKeyPath go together", "set both or neither");
            }
            if (!c.clientCertificatePath().isBlank()) {
                t.clientCertificate(pem("clientCertificatePath", c.clientCertificatePath()), pem("clientKeyPath", c.clientKeyPath()));
            }
            b.tls(t.build());
        } else if (!c.caCertificatesPath().isBlank() || !c.clientCertificatePath().isBlank()) {
            throw bad("tls", c.tls(), "OFF with certificates configured", "set tls = ON to use them");
        }
        String version = c.version().strip();
        b.version(switch (version) {
            case "5", "5.0" -> MqttVersion.V5;
            case "3.1.1", "4" -> MqttVersion.V3_1_1;
            default -> throw bad("version", version, "not an MQTT version", "5 or 3.1.1");
        });
        String clientId = c.clientId().strip();
        b.clientId(clientId.isEmpty() ? name : clientId);
        b.cleanStart(c.cleanStart());
        if (c.sessionExpirySeconds() < 0 || c.sessionExpirySeconds() > 0xFFFFFFFFL) {
            throw bad("sessionExpirySeconds", c.sessionExpirySeconds(), "out of range", "0..4294967295");
        }
        b.sessionExpirySeconds(c.sessionExpirySeconds());
        range("keepAliveSeconds", c.keepAliveSeconds(), 0, 65535);
        b.keepAliveSeconds(c.keepAliveSeconds());
        String user = c.user().strip();
        MqttSettings.PasswordSource password = null;
        var ref = SecretFiles.reference(where, PASSWORD, c._password(), name);
        if (ref.isPresent()) {
            String secret = ref.get();
            // read at each connect, never at activation: the file may be created or rotated later
            password = () -> {
                try {
                    return secrets.read(secret).getBytes(StandardCharsets.UTF_8);
                } catch (SecretFiles.SecretException e) {
                    throw new MqttConnectionException("MQTT broker '" + name + "': the password cannot be read: "
                            + e.getMessage());
                }
            };
        }
        if (password != null && user.isEmpty() && version.startsWith("3")) {
            throw bad("user", null, "missing with a password", "MQTT 3.1.1 sends a password only with a user name");
        }
        b.credentials(user.isEmpty() ? null : user, password);
        String sasl = c.saslMechanism().strip();
        if (!sasl.isEmpty() && !sasl.equalsIgnoreCase("NONE")) {
            if (!sasl.matches("[\\x21-\\x7E]{1,64}")) {
                throw bad("saslMechanism", sasl, "not a method name", "NONE, " + ScramClient.Mechanism.names()
                        + " or the name of a bundle's MqttAuthMethod (1..64 printable ASCII characters, no space)");
            }
            if (!version.startsWith("5")) {
                throw bad("saslMechanism", sasl, "enhanced authentication is MQTT 5 only", "set version = 5 or NONE");
            }
            var scram = ScramClient.Mechanism.bySaslName(sasl);
            if (scram.isPresent() && (user.isEmpty() || password == null)) {
                throw bad("saslMechanism", sasl, "needs a user and a password", "set user and .password = secret:NAME");
            }
            b.authMethod(scram.map(ScramClient.Mechanism::saslName).orElse(sasl), methods);
        }
        range("reauthIntervalSeconds", c.reauthIntervalSeconds(), 0, Integer.MAX_VALUE);
        if (c.reauthIntervalSeconds() != 0 && (sasl.isEmpty() || sasl.equalsIgnoreCase("NONE"))) {
            throw bad("reauthIntervalSeconds", String.valueOf(c.reauthIntervalSeconds()), "needs enhanced"
                    + " authentication", "set saslMechanism (MQTT 5), or reauthIntervalSeconds = 0");
        }
        b.reauthInterval(Duration.ofSeconds(c.reauthIntervalSeconds()));
        range("receiveMaximum", c.receiveMaximum(), 1, 65535);
        b.receiveMaximum(c.receiveMaximum());
        range("maxPacketSize", c.maxPacketSize(), 64, 16 * 1024 * 1024);
        b.maxPacketSize(c.maxPacketSize());
        range("topicAliasMaximum", c.topicAliasMaximum(), 0, 65535);
        b.topicAliasMaximum(c.topicAliasMaximum());
        range("outgoingTopicAliasMaximum", c.outgoingTopicAliasMaximum(), 0, 65535);
        b.outgoingTopicAliasMaximum(c.outgoingTopicAliasMaximum());
        range("maxInFlight", c.maxInFlight(), 1, 65535);
        b.maxInFlight(c.maxInFlight());
        range("maxQueued", c.maxQueued(), 0, 1_000_000);
        MqttSettings.QueuePolicy policy;
        try {
            policy = MqttSettings.QueuePolicy.valueOf(c.queuePolicy().strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad("queuePolicy", c.queuePolicy(), "not a queue policy", "REJECT_NEW or DROP_OLDEST");
        }
        b.queue(c.maxQueued(), policy);
        range("maxQueuedBytes", c.maxQueuedBytes(), 1024, Long.MAX_VALUE);
        if (!c.queueDirectory().isBlank()) {
            java.nio.file.Path dir;
            try {
                dir = java.nio.file.Path.of(c.queueDirectory().strip());
            } catch (java.nio.file.InvalidPathException e) {
                throw bad("queueDirectory", c.queueDirectory(), "not a path (" + e.getReason() + ")",
                        "a directory the gateway may write");
            }
            b.queueDirectory(dir, c.maxQueuedBytes());
            b.queueFsync(c.queueFsync());
        } else if (c.queueFsync()) {
            throw bad("queueFsync", "true", "set without queueDirectory", "it syncs the file-backed queue's files:"
                    + " set queueDirectory too, or queueFsync = false");
        }
        if (!c.willTopic().isBlank()) {
            range("willQos", c.willQos(), 0, 2);
            try {
                org.rawsockets.mqtt.internal.codec.Encoder.checkTopicName(c.willTopic().strip());
            } catch (IllegalArgumentException e) {
                throw bad("willTopic", c.willTopic(), e.getMessage(), "a topic name without wildcards");
            }
            b.will(MqttMessage.of(c.willTopic().strip(), c.willPayload(), Qos.of(c.willQos()))
                    .withRetain(c.willRetain()), 0);
        }
        b.connectTimeout(millis("connectTimeoutMillis", c.connectTimeoutMillis()));
        Duration min = millis("reconnectMinMillis", c.reconnectMinMillis());
        Duration max = millis("reconnectMaxMillis", c.reconnectMaxMillis());
        if (max.compareTo(min) < 0) {
            throw bad("reconnectMaxMillis", c.reconnectMaxMillis(), "below reconnectMinMillis ("
                    + c.reconnectMinMillis() + ")", "reconnectMaxMillis >= reconnectMinMillis");
        }
        b.reconnect(true, min, max);
        return b.build();
    }

    private static String pem(String property, String path) {
        try {
            return Files.readString(Path.of(path.strip()));
        } catch (IOException | RuntimeException e) {
            throw bad(property, path, "cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")",
                    "the path of a readable PEM file");
        }
    }

    private static void range(String property, long v, long min, long max) {
        if (v < min || v > max) {
            throw bad(property, v, "out of range", min + ".." + max);
        }
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

    @Deactivate
    public void deactivate() {
        claim.close();
        client.close();
    }

    @Override
    public String name() {
        return client.name();
    }

    @Override
    public CompletionStage<Void> connect() {
        return client.connect();
    }

    @Override
    public CompletionStage<Void> publish(MqttMessage message) {
        return client.publish(message);
    }

    @Override
    public CompletionStage<Void> publish(MqttMessage message, java.time.Duration timeout) {
        return client.publish(message, timeout);
    }

    @Override
    public CompletionStage<MqttSubscription> subscribe(String filter, SubscriptionOptions options, int bufferSize) {
        return client.subscribe(filter, options, bufferSize);
    }

    @Override
    public MqttClientStatus status() {
        return client.status();
    }

    @Override
    public CompletionStage<Void> reauthenticate() {
        return client.reauthenticate();
    }

    @Override
    public CompletionStage<Void> disconnect() {
        return client.disconnect();
    }
}
