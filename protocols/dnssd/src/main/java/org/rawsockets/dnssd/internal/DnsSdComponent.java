package org.rawsockets.dnssd.internal;

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
import org.rawsockets.dnssd.DnsSd;
import org.rawsockets.dnssd.DnsSdException;
import org.rawsockets.dnssd.DnsSdRecord;
import org.rawsockets.dnssd.DnsSdStatus;
import org.rawsockets.dnssd.ServiceBrowse;
import org.rawsockets.dnssd.ServiceInfo;
import org.rawsockets.protocols.config.StrictConfig;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.annotation.RequireSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DnsSd} service, configured by PID {@value DnsSdConfig#PID} (optional). The socket
 * service is bundle scoped: the mDNS socket is this bundle's, checked by the policy against its
 * declarations (bound UDP to any peer on port 5353, the mDNS groups) and the operator's grants.
 */
@RequireSocket(kind = RequireSocket.Kind.UDP_BOUND, host = "*", ports = "5353")
@RequireSocket(kind = RequireSocket.Kind.MULTICAST, host = "224.0.0.251", ports = "5353")
@RequireSocket(kind = RequireSocket.Kind.MULTICAST, host = "ff02::fb", ports = "5353")
@Component(configurationPid = DnsSdConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = DnsSd.class,
        immediate = true)
@Designate(ocd = DnsSdConfig.class)
public final class DnsSdComponent implements DnsSd {

    private static final Logger LOG = LoggerFactory.getLogger(DnsSdComponent.class);

    private final MdnsClient client;

    @Activate
    public DnsSdComponent(@Reference(name = "sockets") SocketService sockets, Map<String, Object> properties) {
        this.client = new MdnsClient(sockets, settings(properties));
    }

    /**
     * Validated settings; {@link org.rawsockets.protocols.config.ConfigRejectedException} or
     * {@link IllegalArgumentException} naming the property, the problem and the rule.
     */
    static MdnsSettings settings(Map<String, ?> properties) {
        StrictConfig.Result<DnsSdConfig> r = StrictConfig.read(DnsSdConfig.class, properties, Set.of());
        r.unknownKeyWarnings().forEach(LOG::warn);
        DnsSdConfig c = r.config();
        String where = StrictConfig.describe(properties);
        String iface = c.multicastInterface().strip();
        if (!iface.matches("[A-Za-z0-9._:@-]{0,15}")) {
            throw bad(where, "multicastInterface", iface, "not an interface name", "a name such as eth0 or lo (up to 15"
                    + " letters, digits, '.', '_', '-', ':', '@'), or empty for the default");
        }
        range(where, "multicastTimeToLive", c.multicastTimeToLive(), 1, 255);
        range(where, "timeoutMillis", c.timeoutMillis(), 1, 3_600_000);
        range(where, "maxCacheRecords", c.maxCacheRecords(), 1, 1_000_000);
        range(where, "maxBrowses", c.maxBrowses(), 1, 10_000);
        range(where, "maxEventsPerBrowse", c.maxEventsPerBrowse(), 1, 1_000_000);
        MdnsSettings d = MdnsSettings.defaults();
        return new MdnsSettings(iface, c.ipv6(), c.multicastTimeToLive(), Duration.ofMillis(c.timeoutMillis()),
                d.openTimeout(), c.maxCacheRecords(), c.maxBrowses(), c.maxEventsPerBrowse(), d.maxPending(),
                d.maxPacketSize());
    }

    private static void range(String where, String key, long v, long min, long max) {
        if (v < min || v > max) {
            throw bad(where, key, v, "out of range", min + ".." + max);
        }
    }

    private static IllegalArgumentException bad(String where, String key, Object v, String problem, String rule) {
        IllegalArgumentException e = new IllegalArgumentException("configuration " + where + ": "
                + StrictConfig.field(key, v, problem, rule));
        LOG.error(e.getMessage());
        return e;
    }

    @Deactivate
    void deactivate() {
        client.close();
    }

    @Override
    public ServiceBrowse browse(String serviceType) throws DnsSdException {
        return client.browse(serviceType);
    }

    @Override
    public CompletionStage<ServiceInfo> resolve(String instanceName) {
        return client.resolve(instanceName);
    }

    @Override
    public CompletionStage<ServiceInfo> resolve(String instanceName, Duration timeout) {
        return client.resolve(instanceName, timeout);
    }

    @Override
    public CompletionStage<List<DnsSdRecord>> query(String name, String type, Duration timeout) {
        return client.query(name, type, timeout);
    }

    @Override
    public DnsSdStatus status() {
        return client.status();
    }
}
