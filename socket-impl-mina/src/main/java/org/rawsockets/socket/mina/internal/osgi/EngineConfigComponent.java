package org.rawsockets.socket.mina.internal.osgi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.config.ConfigCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the engine configuration (PID {@value #PID}) and publishes the last good one as an
 * {@link EngineConfig} service, on which {@link SocketEngineComponent} depends.
 *
 * <p>A configuration with an invalid value ({@code ioThreads=0}, {@code abc}, a low-water mark above
 * the high-water mark, a negative timeout, {@code maxDatagramSize=70000}, {@code ioThreads} above 4
 * per core...) is rejected with one ERROR line naming the PID (and its file), each bad field, its
 * value and the rule; the published configuration stays as it was, so the engine, the
 * {@code SocketService} and every open socket are untouched (at the first start: the defaults). A
 * valid change replaces the service, and Declarative Services restarts the engine with it (open
 * sockets are closed, as documented); an unchanged one does nothing.
 */
@Designate(ocd = EngineConfiguration.class)
// registered by hand (below), so bnd does not see it: declared for resolvers (SocketEngineComponent needs it)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.rawsockets.socket.mina.internal.EngineConfig\"",
        uses = EngineConfig.class)
@Component(service = {}, configurationPid = EngineConfigComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public final class EngineConfigComponent {

    /** Configuration PID. */
    public static final String PID = "org.rawsockets.socket.mina";

    /** The configuration properties. */
    static final List<String> KEYS = ConfigCheck.keysOf(EngineConfiguration.class);

    private static final Logger LOG = LoggerFactory.getLogger(EngineConfigComponent.class);

    private final BundleContext context;
    // changed only in DS callbacks (serialised by DS); volatile for readers elsewhere
    private volatile EngineConfig current;
    private volatile String lastRejection;
    private ServiceRegistration<EngineConfig> registration;

    @Activate
    public EngineConfigComponent(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        apply(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        apply(properties);
    }

    @Deactivate
    void deactivate() {
        ServiceRegistration<EngineConfig> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it with the bundle
            }
        }
    }

    /** The configuration in force. */
    EngineConfig current() {
        return current;
    }

    /** The ERROR line of the last rejected configuration, or null. */
    String lastRejection() {
        return lastRejection;
    }

    private void apply(Map<String, Object> properties) {
        String where = ConfigCheck.describe(PID, properties);
        for (String w : ConfigCheck.unknownKeys(properties, KEYS, List.of())) {
            LOG.warn("configuration {}: {}", where, w);
        }
        EngineConfig next;
        try {
            next = read(properties);
        } catch (Rejected r) {
            EngineConfig keep = current != null ? current : defaults();
            String line = "configuration rejected: " + where + " " + r.getMessage() + "; "
                    + (current != null ? "keeping the last good configuration" : "starting with the defaults")
                    + " (" + describe(keep) + "), the socket service stays up";
            lastRejection = line;
            LOG.error(line);
            if (current != null) {
                return;
            }
            next = keep;
        }
        if (next.equals(current)) {
            LOG.info("socket engine configuration unchanged: {}", describe(next));
            return;
        }
        boolean restart = registration != null;
        if (restart) {
            LOG.info("socket engine restarts with {}", describe(next));
            // the engine depends statically on the configuration: it stops here, closing its sockets...
            registration.unregister();
            registration = null;
        }
        current = next;
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_DESCRIPTION, "socket engine configuration: " + describe(next));
        // ...and starts again with the new one here
        registration = context.registerService(EngineConfig.class, next, props);
    }

    /** Rejected values, one message naming each field, its value and the rule. */
    static final class Rejected extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Rejected(List<String> problems) {
            super(String.join("; ", problems));
        }
    }

    /** The defaults of {@link EngineConfiguration}. */
    static EngineConfig defaults() {
        return read(Map.of());
    }

    /**
     * The configuration as written (strict numbers, bounds, low below high water mark); missing
     * keys take the {@link EngineConfiguration} defaults.
     *
     * @throws Rejected naming every bad field with its value and rule
     */
    static EngineConfig read(Map<String, ?> p) {
        List<String> problems = new ArrayList<>();
        Field f = new Field(p, problems);
        int io = (int) f.number("ioThreads", 1, EngineConfig.maxIoThreads(), EngineConfig.ioThreadsRule());
        long timeout = f.number("connectTimeoutMillis", 1, EngineConfig.MAX_CONNECT_TIMEOUT_MILLIS, null);
        long closeTimeout = f.number("closeTimeoutMillis", 1, EngineConfig.MAX_CLOSE_TIMEOUT_MILLIS, null);
        int high = (int) f.number("highWaterMark", EngineConfig.MIN_HIGH_WATER_MARK, EngineConfig.MAX_HIGH_WATER_MARK,
                null);
        int low = (int) f.number("lowWaterMark", 0, EngineConfig.MAX_HIGH_WATER_MARK - 1L, null);
        int datagram = (int) f.number("maxDatagramSize", 1, EngineConfig.MAX_DATAGRAM_SIZE,
                "a whole number in 1.." + EngineConfig.MAX_DATAGRAM_SIZE + " (the largest UDP payload over IPv4)");
        int udpQueue = (int) f.number("udpReceiveQueue", 1, EngineConfig.MAX_QUEUE, null);
        int acceptQueue = (int) f.number("acceptQueue", 1, EngineConfig.MAX_QUEUE, null);
        int resolvers = (int) f.number("resolverThreads", 1, EngineConfig.MAX_RESOLVER_THREADS, null);
        if (f.ok("highWaterMark") && f.ok("lowWaterMark") && low >= high) {
            problems.add(new ConfigCheck.Problem("lowWaterMark", p.get("lowWaterMark") != null ? p.get("lowWaterMark")
                    : low, "not below highWaterMark (" + high + ")", "a whole number in 0..highWaterMark-1").getMessage());
        }
        if (!problems.isEmpty()) {
            throw new Rejected(problems);
        }
        return new EngineConfig(io, Duration.ofMillis(timeout), high, low, datagram, udpQueue, acceptQueue, resolvers,
                Duration.ofMillis(closeTimeout));
    }

    /** Reads fields, collecting problems. */
    private static final class Field {
        private final Map<String, ?> props;
        private final List<String> problems;
        private final List<String> bad = new ArrayList<>();

        Field(Map<String, ?> props, List<String> problems) {
            this.props = props;
            this.problems = problems;
        }

        long number(String key, long min, long max, String rule) {
            long dflt = defaultOf(key);
            try {
                return ConfigCheck.number(key, props.get(key), dflt, min, max);
            } catch (ConfigCheck.Problem e) {
                bad.add(key);
                problems.add(rule == null ? e.getMessage()
                        : new ConfigCheck.Problem(key, props.get(key), e.getMessage().contains("not a whole number")
                                ? "not a whole number" : "out of range", rule).getMessage());
                return dflt;
            }
        }

        boolean ok(String key) {
            return !bad.contains(key);
        }
    }

    private static long defaultOf(String key) {
        try {
            return ((Number) EngineConfiguration.class.getMethod(key).getDefaultValue()).longValue();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("EngineConfiguration has no " + key, e);
        }
    }

    /** The settings as key=value pairs, as an operator writes them. */
    static String describe(EngineConfig c) {
        return "ioThreads=" + c.ioThreads() + ", connectTimeoutMillis=" + c.connectTimeout().toMillis()
                + ", closeTimeoutMillis=" + c.closeTimeout().toMillis()
                + ", highWaterMark=" + c.highWaterMark() + ", lowWaterMark=" + c.lowWaterMark() + ", maxDatagramSize="
                + c.maxDatagramSize() + ", udpReceiveQueue=" + c.udpReceiveQueue() + ", acceptQueue="
                + c.acceptQueue() + ", resolverThreads=" + c.resolverThreads();
    }
}
