package org.rawsockets.protocols.config;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;

/**
 * A literal secret in a configuration is refused ({@link SecretFiles#reference}) <em>and removed from
 * the configuration store</em>, so that neither Config Admin's files nor {@code scr:info}/{@code cm:*}
 * keep showing it; the marker {@code <key>}{@value #MARKER_SUFFIX} takes its place. The file the
 * configuration came from is the operator's to fix (the ERROR line says how).
 *
 * <p>A component reads its configuration through {@link #accept} instead of
 * {@link ConfigRegistry#accept}: when the configuration is refused because one of the secret keys
 * holds a literal, the remover is called with the configuration's PID ({@link #storeRemover} in the
 * gateway). When Config Admin then reconfigures the component with the marker in place of the
 * literal, the configuration is refused again with the same message (so the registry logs no second
 * ERROR line), and nothing more is removed.
 */
public final class RefusedLiterals {

    /** Appended to a secret key to name the marker that replaces a removed literal: {@code .password.refused}. */
    public static final String MARKER_SUFFIX = ".refused";
    /** What the component reads in place of a removed literal: refused like it, never a secret. */
    static final String REMOVED = "(removed)";

    private final Set<String> keys;
    private final Consumer<String> remover;

    /**
     * @param remover called with the PID of a configuration whose literal secret was refused
     * @param keys the secret keys, e.g. {@code .password}
     */
    public RefusedLiterals(Consumer<String> remover, String... keys) {
        this.keys = Set.copyOf(List.of(keys));
        this.remover = remover;
    }

    /** The secret keys (also the {@code secretKeys} of {@link StrictConfig#read}). */
    public Set<String> keys() {
        return keys;
    }

    /**
     * {@link ConfigRegistry#accept}, with the literal secrets removed from the store when refused.
     *
     * @throws ConfigRejectedException when refused (already logged and remembered by the registry)
     */
    public <A extends Annotation, T> ConfigRegistry.Accepted<T> accept(ConfigRegistry registry, Map<String, ?> properties,
            Class<A> type, Function<A, T> validate, Function<T, String> nameOf, Logger log) {
        Map<String, Object> props = new HashMap<>(properties == null ? Map.of() : properties);
        Set<String> removedBefore = new HashSet<>();
        for (String key : keys) {
            Object value = props.get(key);
            if (props.remove(key + MARKER_SUFFIX) != null && (value == null || "".equals(value))) {
                // removed from the store: still refused, with the same message as the literal
                props.put(key, REMOVED);
                removedBefore.add(key);
            }
        }
        try {
            return registry.accept(props, type, keys, validate, nameOf, log);
        } catch (ConfigRejectedException e) {
            String key = e.property();
            if (key != null && keys.contains(key) && !removedBefore.contains(key) && isLiteral(props.get(key))
                    && props.get("service.pid") instanceof String pid) {
                remover.accept(pid);
            }
            throw e;
        }
    }

    private static boolean isLiteral(Object value) {
        return value instanceof String v && !v.isBlank() && !v.strip().startsWith(SecretFiles.PREFIX);
    }

    /**
     * The remover a DS component uses: replaces every literal secret of the configuration in the
     * store by its marker, off the calling thread (the update reconfigures the component that is
     * being activated). Without Config Admin it only warns that the literal stays.
     *
     * @param cm the Config Admin service, or {@code null}
     * @param kind what one configuration is, for messages, e.g. {@code MQTT broker}
     * @param log the component's logger
     * @param keys the secret keys
     */
    public static Consumer<String> storeRemover(ConfigurationAdmin cm, String kind, Logger log, String... keys) {
        if (cm == null) {
            return pid -> log.warn("{}: no Config Admin: the refused literal secret of configuration {} stays in it",
                    kind, pid);
        }
        return pid -> CompletableFuture.runAsync(() -> removeFromStore(cm, pid, kind, log, keys));
    }

    private static void removeFromStore(ConfigurationAdmin cm, String pid, String kind, Logger log, String... keys) {
        try {
            Configuration[] found = cm.listConfigurations("(service.pid=" + pid.replace("\\", "\\\\")
                    .replace("*", "\\*").replace("(", "\\(").replace(")", "\\)") + ")");
            for (Configuration c : found == null ? new Configuration[0] : found) {
                Dictionary<String, Object> p = c.getProperties();
                Set<String> removed = new LinkedHashSet<>();
                for (String key : keys) {
                    if (p != null && isLiteral(p.get(key))) {
                        p.remove(key);
                        p.put(key + MARKER_SUFFIX, "a literal secret was removed from this configuration; it is never"
                                + " used: put it in a secret file and set " + key + " = " + SecretFiles.PREFIX + "NAME");
                        removed.add(key);
                    }
                }
                if (removed.isEmpty()) {
                    continue;
                }
                c.update(p);
                Object file = p.get(StrictConfig.FILE_PROPERTY);
                log.warn("{}: the refused literal {} of configuration {} was removed from the configuration store{}", kind,
                        String.join(", ", removed), pid, file == null ? ""
                                : "; the file " + file + " still holds it: edit it as the error above says");
            }
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            log.warn("{}: could not remove the refused literal secret of configuration {} from the configuration store: {}",
                    kind, pid, e.toString());
        }
    }
}
