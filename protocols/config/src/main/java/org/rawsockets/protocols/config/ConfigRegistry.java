package org.rawsockets.protocols.config;

import java.lang.annotation.Annotation;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.slf4j.Logger;

/**
 * The configurations of one factory PID in one bundle (one instance per bundle, shared by its
 * component instances): which names are in use, and the most recent rejected configurations, so a
 * shell can say why a device or server it does not know is missing.
 *
 * <p>{@link #accept} is what a component's constructor calls: it reads the configuration strictly
 * ({@link StrictConfig}), warns about unknown keys, validates, and claims the name. A rejected
 * configuration produces exactly one ERROR line on the component's logger, naming the configuration
 * (PID, file), the property, the value's problem and the rule (the same refusal again, as DS retries
 * a failed component whenever its service is asked for, is logged at DEBUG), and is remembered (at most
 * {@value #MAX_REJECTED}, oldest forgotten first) until a configuration with the same PID or name is
 * accepted.
 */
public final class ConfigRegistry {

    /** Rejected configurations remembered, at most. */
    public static final int MAX_REJECTED = 64;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final String factoryPid;
    private final String kind;
    private final Map<String, Claim> names = new HashMap<>();
    private final LinkedHashMap<String, Rejection> rejected = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Rejection> eldest) {
            return size() > MAX_REJECTED;
        }
    };

    /**
     * @param factoryPid the factory PID, e.g. {@code org.rawsockets.modbus.device}
     * @param kind what one configuration is, for messages, e.g. {@code Modbus device}
     */
    public ConfigRegistry(String factoryPid, String kind) {
        this.factoryPid = factoryPid;
        this.kind = kind;
    }

    public String factoryPid() {
        return factoryPid;
    }

    /**
     * A refused configuration: its name (or PID when it had no name), where it came from, why (the
     * message without the {@code where} prefix, e.g. {@code field 'port' = '5o2': not a whole
     * number; rule: ...}), when.
     */
    public record Rejection(String name, String pid, String where, String reason, Instant at) {
        /** One line: {@code <where> was rejected at HH:mm:ss: <reason>}. */
        public String describe() {
            return where + " was rejected at " + LocalTime.ofInstant(at, ZoneId.systemDefault()).format(TIME) + ": "
                    + reason;
        }
    }

    /** A name held by an accepted configuration; {@link #close()} (at deactivation) frees it. */
    public final class Claim implements AutoCloseable {
        private final String name;
        private final String pid;
        private final String where;

        private Claim(String name, String pid, String where) {
            this.name = name;
            this.pid = pid;
            this.where = where;
        }

        public String name() {
            return name;
        }

        @Override
        public void close() {
            synchronized (ConfigRegistry.this) {
                names.remove(name, this);
            }
        }
    }

    /** What {@link #accept} returns: the validated value and the claim on its name. */
    public record Accepted<T>(T value, Claim claim) {
    }

    /**
     * Reads, validates and claims one configuration.
     *
     * @param validate turns the typed view into the component's settings; throws
     *        {@link IllegalArgumentException} whose message names the property, the problem and the rule
     * @param nameOf the name the settings are known by (unique in this registry)
     * @param log the component's logger: WARN per unknown key, one ERROR line when rejected
     * @throws ConfigRejectedException when refused (already logged and remembered)
     */
    public <A extends Annotation, T> Accepted<T> accept(Map<String, ?> properties, Class<A> type,
            Set<String> secretKeys, Function<A, T> validate, Function<T, String> nameOf, Logger log) {
        Map<String, ?> props = properties == null ? Map.of() : properties;
        String where = StrictConfig.describe(props);
        String pid = String.valueOf(props.get("service.pid"));
        Object rawName = props.get("name");
        String key = rawName instanceof String s && !s.isBlank() ? s.strip() : pid;
        try {
            StrictConfig.Result<A> r = StrictConfig.read(type, props, secretKeys);
            r.unknownKeyWarnings().forEach(log::warn);
            T value;
            try {
                value = validate.apply(r.config());
            } catch (ConfigRejectedException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                throw new ConfigRejectedException(where + (m.startsWith("field '") ? " " : ": ") + m, null);
            }
            Claim claim = claim(nameOf.apply(value), pid, where);
            return new Accepted<>(value, claim);
        } catch (ConfigRejectedException e) {
            String reason = e.getMessage().startsWith(where) ? e.getMessage().substring(where.length()) : e.getMessage();
            reason = reason.startsWith(": ") ? reason.substring(2) : reason.strip();
            boolean repeated;
            synchronized (this) {
                Rejection previous = rejected.get(key);
                repeated = previous != null && previous.pid().equals(pid) && previous.reason().equals(reason);
                if (!repeated) {
                    rejected.remove(key);
                    rejected.put(key, new Rejection(key, pid, where, reason, Instant.now()));
                }
            }
            if (repeated) {
                // DS retries a failed component each time its service is asked for: say it once.
                log.debug("configuration rejected again: {}", e.getMessage());
            } else {
                log.error("configuration rejected: {}; this {} is not available until the configuration is fixed",
                        e.getMessage(), kind);
            }
            throw e;
        }
    }

    private synchronized Claim claim(String name, String pid, String where) {
        Claim holder = names.get(name);
        if (holder != null && !holder.pid.equals(pid)) {
            throw StrictConfig.rejected(where, "name", name, "already the name of " + holder.where, "each " + kind
                    + " needs its own name; this configuration is refused, the other one stays in use");
        }
        Claim c = new Claim(name, pid, where);
        names.put(name, c);
        rejected.values().removeIf(x -> x.pid().equals(pid) || x.name().equals(name));
        return c;
    }

    /** Why a configuration of this name is missing, if one was rejected. */
    public synchronized Optional<Rejection> rejection(String name) {
        return Optional.ofNullable(rejected.get(name));
    }

    /** The remembered rejections, by name. */
    public synchronized List<Rejection> rejections() {
        List<Rejection> out = new ArrayList<>(rejected.values());
        out.sort(Comparator.comparing(Rejection::name));
        return out;
    }

    /** Forgets every claim and rejection (tests). */
    public synchronized void clear() {
        names.clear();
        rejected.clear();
    }
}
