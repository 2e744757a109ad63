package org.rawsockets.protocols.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.rawsockets.protocols.config.ConfigRegistryTest.RecordingLogger;

/**
 * A refused literal secret is removed from the configuration store (the marker takes its place),
 * and the configuration given back with the marker is refused with the same message.
 */
class RefusedLiteralsTest {

    @interface Host {
        String name();

        int port() default 22;

        String _password() default "";

        String _passphrase() default "";
    }

    record Settings(String name) {
    }

    private static final String PID = "org.rawsockets.test.host~lab";
    private final List<String> removed = new CopyOnWriteArrayList<>();
    private final RecordingLogger log = new RecordingLogger();
    private final ConfigRegistry registry = new ConfigRegistry("org.rawsockets.test.host", "test host");
    private final RefusedLiterals literals = new RefusedLiterals(removed::add, ".password", ".passphrase");

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>(Map.of("service.pid", PID, "name", "lab"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private Settings accept(Map<String, Object> props) {
        return literals.accept(registry, props, Host.class, h -> {
            if (h.port() < 1) {
                throw new IllegalArgumentException(StrictConfig.field("port", h.port(), "not positive", "1..65535"));
            }
            SecretFiles.reference("PID " + PID, ".password", h._password(), h.name());
            SecretFiles.reference("PID " + PID, ".passphrase", h._passphrase(), h.name() + "-key");
            return new Settings(h.name());
        }, Settings::name, log).value();
    }

    @Test
    void aRefusedLiteralIsRemovedAndTheMarkerIsRefusedTheSameWay() {
        ConfigRejectedException first = assertThrows(ConfigRejectedException.class,
                () -> accept(props(".passphrase", "key pass phrase")));
        assertEquals(List.of(PID), removed);
        assertFalse(first.getMessage().contains("key pass phrase"), first.getMessage());
        ConfigRejectedException again = assertThrows(ConfigRejectedException.class,
                () -> accept(props(".passphrase.refused", "removed")));
        assertEquals(first.getMessage(), again.getMessage());
        assertEquals(List.of(PID), removed, "nothing more to remove");
        assertEquals(1, log.lines.stream().filter(l -> l.startsWith("ERROR")).count(), "one ERROR line: " + log.lines);
        assertTrue(log.lines.stream().noneMatch(l -> l.contains("unknown key")), "the marker is no unknown key: " + log.lines);
        // the operator put a reference in the file: accepted, even while the marker is still stored
        assertEquals("lab", accept(props(".passphrase", "secret:lab-key", ".passphrase.refused", "removed")).name());
    }

    @Test
    void otherRefusalsRemoveNothing() {
        assertThrows(ConfigRejectedException.class, () -> accept(props("port", 0, ".password", "hunter2")));
        assertThrows(ConfigRejectedException.class, () -> accept(props(".password", "secret:bad name")));
        assertEquals(List.of(), removed);
    }

    @Test
    void theStoreRemoverReplacesEveryLiteralByItsMarkerAndKeepsReferences() throws Exception {
        Hashtable<String, Object> stored = new Hashtable<>(props(".password", "hunter2", ".passphrase", "secret:lab-key",
                StrictConfig.FILE_PROPERTY, "file:/gw/etc/org.rawsockets.test.host-lab.cfg"));
        CompletableFuture<Dictionary<String, Object>> updated = new CompletableFuture<>();
        List<String> filters = new CopyOnWriteArrayList<>();
        ConfigurationAdmin cm = store(stored, updated, filters);
        Consumer<String> remover = RefusedLiterals.storeRemover(cm, "test host", log, ".password", ".passphrase");

        remover.accept(PID);
        Dictionary<String, Object> now = updated.get(30, TimeUnit.SECONDS);
        assertEquals(List.of("(service.pid=" + PID + ")"), filters);
        Map<String, Object> m = new HashMap<>();
        Collections.list(now.keys()).forEach(k -> m.put(k, now.get(k)));
        assertFalse(m.containsKey(".password"), m.toString());
        assertFalse(m.toString().contains("hunter2"), m.toString());
        assertTrue(m.get(".password.refused").toString().contains(".password = secret:NAME"), m.toString());
        assertEquals("secret:lab-key", m.get(".passphrase"), "a reference stays");
        assertFalse(m.containsKey(".passphrase.refused"), m.toString());
        String warning = "WARN test host: the refused literal .password of configuration " + PID + " was removed from"
                + " the configuration store; the file file:/gw/etc/org.rawsockets.test.host-lab.cfg still holds it: edit it"
                + " as the error above says";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!log.lines.contains(warning) && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait(); // logged on the remover's thread right after the update
        }
        assertEquals(List.of(warning), log.lines);
    }

    @Test
    void withoutConfigAdminTheLiteralStaysWithAWarning() {
        RefusedLiterals.storeRemover(null, "test host", log, ".password").accept(PID);
        assertEquals(List.of("WARN test host: no Config Admin: the refused literal secret of configuration " + PID
                + " stays in it"), log.lines);
    }

    /** A Config Admin holding one configuration; {@code updated} completes with what it is updated with. */
    private static ConfigurationAdmin store(Hashtable<String, Object> stored,
            CompletableFuture<Dictionary<String, Object>> updated, List<String> filters) {
        Configuration one = (Configuration) Proxy.newProxyInstance(RefusedLiteralsTest.class.getClassLoader(),
                new Class<?>[] { Configuration.class }, (proxy, m, args) -> switch (m.getName()) {
                    case "getProperties" -> new Hashtable<>(stored);
                    case "update" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> d = (Dictionary<String, Object>) args[0];
                        updated.complete(d);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (ConfigurationAdmin) Proxy.newProxyInstance(RefusedLiteralsTest.class.getClassLoader(),
                new Class<?>[] { ConfigurationAdmin.class }, (proxy, m, args) -> {
                    if (!m.getName().equals("listConfigurations")) {
                        throw new UnsupportedOperationException(m.getName());
                    }
                    filters.add((String) args[0]);
                    return new Configuration[] { one };
                });
    }
}
