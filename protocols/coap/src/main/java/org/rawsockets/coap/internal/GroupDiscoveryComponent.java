package org.rawsockets.coap.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.coap.CoapGroupDiscovery;
import org.rawsockets.coap.CoapServerLinks;
import org.rawsockets.protocols.config.StrictConfig;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.annotation.RequireSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CoapGroupDiscovery} service, configured by PID {@value GroupDiscoveryConfig#PID}
 * (optional). Each discovery binds a UDP socket of this bundle's socket service: the policy checks
 * the bind, the send to the group and the source of every answer against the bundle's declaration
 * (bound UDP to any host and port, as the group and port are configurable) and the operator's grants.
 */
@RequireSocket(kind = RequireSocket.Kind.UDP_BOUND, host = "*", ports = "*")
@Component(configurationPid = GroupDiscoveryConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = CoapGroupDiscovery.class, immediate = true)
@Designate(ocd = GroupDiscoveryConfig.class)
public final class GroupDiscoveryComponent implements CoapGroupDiscovery {

    private static final Logger LOG = LoggerFactory.getLogger(GroupDiscoveryComponent.class);

    private final GroupDiscoveryImpl discovery;

    @Activate
    public GroupDiscoveryComponent(@Reference(name = "sockets") SocketService sockets, Map<String, Object> properties) {
        this.discovery = new GroupDiscoveryImpl(sockets, settings(properties));
    }

    /**
     * Validated settings; {@link org.rawsockets.protocols.config.ConfigRejectedException} or
     * {@link IllegalArgumentException} naming the property, the problem and the rule.
     */
    static GroupSettings settings(Map<String, ?> properties) {
        StrictConfig.Result<GroupDiscoveryConfig> r = StrictConfig.read(GroupDiscoveryConfig.class, properties,
                Set.of());
        r.unknownKeyWarnings().forEach(LOG::warn);
        GroupDiscoveryConfig c = r.config();
        String where = StrictConfig.describe(properties);
        try {
            return new GroupSettings(c.group().strip(), c.port(), c.multicastInterface().strip(),
                    c.multicastTimeToLive(), c.localAddress().strip(), c.windowMillis(), c.maxResponses(),
                    c.connectTimeoutMillis(), c.maxRunning(), c.blockSize());
        } catch (IllegalArgumentException e) {
            IllegalArgumentException bad = new IllegalArgumentException("configuration " + where + ": "
                    + e.getMessage(), e);
            LOG.error(bad.getMessage());
            throw bad;
        }
    }

    @Deactivate
    void deactivate() {
        discovery.close();
    }

    /** The configured window (the shell's default). */
    public long windowMillis() {
        return discovery.settings().windowMillis();
    }

    /** The configured response limit (the shell's default). */
    public int maxResponses() {
        return discovery.settings().maxResponses();
    }

    @Override
    public String target() {
        return discovery.target();
    }

    @Override
    public CompletionStage<List<CoapServerLinks>> discover(String query) {
        return discovery.discover(query);
    }

    @Override
    public CompletionStage<List<CoapServerLinks>> discover(String query, Duration window, int maxResponses) {
        return discovery.discover(query, window, maxResponses);
    }
}
