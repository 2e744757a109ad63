package org.rawsockets.protocols.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.event.Level;
import org.slf4j.Marker;

/** Accept, reject with one ERROR line, unique names, bounded record of rejections. */
class ConfigRegistryTest {

    @interface Dev {
        String name();

        int port() default 502;
    }

    record Settings(String name, int port) {
    }

    /** Records what is logged: level and formatted message. */
    static final class RecordingLogger extends AbstractLogger {
        private static final long serialVersionUID = 1L;
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();

        RecordingLogger() {
            this.name = "test";
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String msg, Object[] args, Throwable t) {
            lines.add(level + " " + org.slf4j.helpers.MessageFormatter.basicArrayFormat(msg, args)
                    + (t == null ? "" : " THROWABLE"));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isTraceEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled(Marker marker) {
            return true;
        }
    }

    static Map<String, Object> props(String pid, Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("service.pid", pid);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Settings validate(Dev d) {
        if (d.port() < 1 || d.port() > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + d.port());
        }
        return new Settings(d.name(), d.port());
    }

    @Test
    void rejectedConfigurationIsOneErrorLineAndRemembered() {
        ConfigRegistry reg = new ConfigRegistry("org.example.dev", "device");
        RecordingLogger log = new RecordingLogger();
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> reg.accept(
                props("org.example.dev~bad", "name", "bad", "port", "70000"), Dev.class, Set.of(),
                ConfigRegistryTest::validate, Settings::name, log));
        assertEquals(List.of("ERROR configuration rejected: PID org.example.dev~bad: port must be 1..65535, was 70000;"
                + " this device is not available until the configuration is fixed"), log.lines);
        assertEquals("port must be 1..65535, was 70000", reg.rejection("bad").orElseThrow().reason());
        assertTrue(reg.rejection("bad").orElseThrow().describe()
                .matches("PID org.example.dev~bad was rejected at \\d\\d:\\d\\d:\\d\\d: port must be.*"));
        // DS retries a failed component whenever its service is asked for: the same refusal is not an ERROR again
        assertThrows(ConfigRejectedException.class, () -> reg.accept(props("org.example.dev~bad", "name", "bad", "port",
                "70000"), Dev.class, Set.of(), ConfigRegistryTest::validate, Settings::name, log));
        assertEquals("DEBUG configuration rejected again: PID org.example.dev~bad: port must be 1..65535, was 70000",
                log.lines.get(1));
        assertThrows(ConfigRejectedException.class, () -> reg.accept(props("org.example.dev~bad", "name", "bad", "port",
                "70001"), Dev.class, Set.of(), ConfigRegistryTest::validate, Settings::name, log));
        assertEquals("ERROR configuration rejected: PID org.example.dev~bad: port must be 1..65535, was 70001; this"
                + " device is not available until the configuration is fixed",
                log.lines.get(2), "a different problem is reported");
        // fixed: the record goes
        reg.accept(props("org.example.dev~bad", "name", "bad", "port", "7000"), Dev.class, Set.of(),
                ConfigRegistryTest::validate, Settings::name, log);
        assertTrue(reg.rejection("bad").isEmpty());
    }

    @Test
    void secondConfigurationWithTheSameNameIsRefusedNamingTheFirst() {
        ConfigRegistry reg = new ConfigRegistry("org.example.dev", "device");
        RecordingLogger log = new RecordingLogger();
        ConfigRegistry.Accepted<Settings> first = reg.accept(props("org.example.dev~a", "name", "plc",
                "felix.fileinstall.filename", "file:/gw/etc/org.example.dev-a.cfg"), Dev.class, Set.of(),
                ConfigRegistryTest::validate, Settings::name, log);
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> reg.accept(
                props("org.example.dev~b", "name", "plc"), Dev.class, Set.of(), ConfigRegistryTest::validate,
                Settings::name, log));
        assertEquals("PID org.example.dev~b field 'name' = 'plc': already the name of PID org.example.dev~a"
                + " (/gw/etc/org.example.dev-a.cfg); rule: each device needs its own name; this configuration is refused,"
                + " the other one stays in use", e.getMessage());
        assertEquals(1, log.lines.size());
        // the same PID again (a configuration update) keeps its name; once the first is gone, the name is free
        ConfigRegistry.Accepted<Settings> update = reg.accept(props("org.example.dev~a", "name", "plc"), Dev.class,
                Set.of(), ConfigRegistryTest::validate, Settings::name, log);
        first.claim().close(); // the old instance deactivates after the new one took over: the name stays taken
        assertThrows(ConfigRejectedException.class, () -> reg.accept(props("org.example.dev~b", "name", "plc"),
                Dev.class, Set.of(), ConfigRegistryTest::validate, Settings::name, log));
        update.claim().close();
        reg.accept(props("org.example.dev~b", "name", "plc"), Dev.class, Set.of(), ConfigRegistryTest::validate,
                Settings::name, log);
    }

    @Test
    void unknownKeysAreWarnedAndRejectionsAreBounded() {
        ConfigRegistry reg = new ConfigRegistry("org.example.dev", "device");
        RecordingLogger log = new RecordingLogger();
        reg.accept(props("org.example.dev~w", "name", "w", "prot", "5"), Dev.class, Set.of(), ConfigRegistryTest::validate,
                Settings::name, log);
        assertEquals(List.of("WARN configuration PID org.example.dev~w: unknown key 'prot' is ignored; did you mean"
                + " 'port'?"), log.lines);
        for (int i = 0; i < ConfigRegistry.MAX_REJECTED + 10; i++) {
            int n = i;
            assertThrows(ConfigRejectedException.class, () -> reg.accept(props("org.example.dev~r" + n, "name", "r" + n,
                    "port", "0"), Dev.class, Set.of(), ConfigRegistryTest::validate, Settings::name, log));
        }
        assertEquals(ConfigRegistry.MAX_REJECTED, reg.rejections().size());
        assertTrue(reg.rejection("r0").isEmpty(), "the oldest is forgotten first");
        assertTrue(reg.rejection("r" + (ConfigRegistry.MAX_REJECTED + 9)).isPresent());
    }
}
