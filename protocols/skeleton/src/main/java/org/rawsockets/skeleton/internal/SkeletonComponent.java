package org.rawsockets.skeleton.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.StrictConfig;
import org.rawsockets.skeleton.SkeletonClient;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.annotation.RequireSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link SkeletonClient} service per {@value ServerConfig#PID} factory configuration (service
 * property {@code name}). Immediate: a configuration is checked when it arrives; a refused one is
 * one ERROR line naming the configuration, the property and the rule, remembered in
 * {@link #REGISTRY} for {@code skeleton:servers}.
 */
@RequireSocket(kind = RequireSocket.Kind.TCP, host = "*", ports = "*")
@Component(configurationPid = ServerConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = SkeletonClient.class, immediate = true)
@Designate(ocd = ServerConfig.class, factory = true)
public final class SkeletonComponent implements SkeletonClient {

    /** The configured servers of this bundle: names in use, rejected configurations. */
    public static final ConfigRegistry REGISTRY = new ConfigRegistry(ServerConfig.PID, "skeleton server");
    private static final Logger LOG = LoggerFactory.getLogger(SkeletonComponent.class);

    private final SkeletonClientImpl client;
    private final ConfigRegistry.Claim claim;

    @Activate
    public SkeletonComponent(@Reference SocketService sockets, Map<String, Object> properties) {
        this(sockets, properties, REGISTRY);
    }

    /**
     * A server from a configuration map, as DS gives it.
     *
     * @throws org.rawsockets.protocols.config.ConfigRejectedException when the configuration is refused
     */
    public SkeletonComponent(SocketService sockets, Map<String, Object> properties, ConfigRegistry registry) {
        ConfigRegistry.Accepted<SkeletonSettings> accepted = registry.accept(properties, ServerConfig.class, Set.of(),
                SkeletonComponent::settings, SkeletonSettings::name, LOG);
        this.claim = accepted.claim();
        this.client = new SkeletonClientImpl(sockets, accepted.value());
    }

    /** Settings from a configuration; {@link IllegalArgumentException} names the property, the problem and the rule. */
    static SkeletonSettings settings(ServerConfig c) {
        String name = c.name() == null ? "" : c.name().strip();
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw bad("name", name.isEmpty() ? null : name, name.isEmpty() ? "missing" : "not a server name",
                    "1..64 letters, digits, '.', '_', '-'");
        }
        String host = c.host().strip();
        String endpoint = c.endpoint().strip();
        if (host.isEmpty() == endpoint.isEmpty()) {
            throw bad(host.isEmpty() ? "host" : "endpoint", host.isEmpty() ? null : endpoint, host.isEmpty()
                    ? "missing, and no endpoint either" : "set together with host '" + host + "'",
                    "set exactly one of host (with port) or endpoint (a socket endpoint name)");
        }
        if (c.port() < 1 || c.port() > 65535) {
            throw bad("port", c.port(), "out of range", "1..65535");
        }
        if (c.connectTimeoutMillis() < 1 || c.timeoutMillis() < 1) {
            boolean connect = c.connectTimeoutMillis() < 1;
            throw bad(connect ? "connectTimeoutMillis" : "timeoutMillis", connect ? c.connectTimeoutMillis()
                    : c.timeoutMillis(), "not positive", "a number of milliseconds, at least 1");
        }
        if (c.maxLineBytes() < 1 || c.maxLineBytes() > 1024 * 1024) {
            throw bad("maxLineBytes", c.maxLineBytes(), "out of range", "1..1048576");
        }
        return new SkeletonSettings(name, host, c.port(), endpoint, Duration.ofMillis(c.connectTimeoutMillis()),
                Duration.ofMillis(c.timeoutMillis()), c.maxLineBytes());
    }

    private static IllegalArgumentException bad(String property, Object value, String problem, String rule) {
        return new IllegalArgumentException(StrictConfig.field(property, value, problem, rule));
    }

    @Deactivate
    void deactivate() {
        claim.close();
    }

    @Override
    public String name() {
        return client.name();
    }

    @Override
    public String target() {
        return client.target();
    }

    @Override
    public CompletionStage<String> exchange(String line) {
        return client.exchange(line);
    }
}
