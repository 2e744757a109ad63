package org.rawsockets.protocols.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Strict reading: typos are errors where DS would coerce, unknown keys get the nearest known key. */
class StrictConfigTest {

    @interface Sample {
        String name();

        boolean verifyHostname() default true;

        int port() default 0;

        long timeoutMillis() default 2000;

        String _password() default "";

        float randomFactor() default 1.5f;

        double ratio() default 0.25;
    }

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("service.pid", "org.example.sample~a");
        m.put("felix.fileinstall.filename", "file:/gw/etc/org.example.sample-a.cfg");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void valuesConvertStrictlyAndDefaultsApply() {
        Sample s = StrictConfig.read(Sample.class, props("name", "a", "port", "25", "verifyHostname", " FALSE ",
                ".password", "secret:x"), Set.of()).config();
        assertEquals("a", s.name());
        assertEquals(25, s.port());
        assertFalse(s.verifyHostname());
        assertEquals(2000L, s.timeoutMillis());
        assertEquals("secret:x", s._password());
        Sample typed = StrictConfig.read(Sample.class, props("name", "a", "port", 26, "timeoutMillis", 5L,
                "verifyHostname", Boolean.TRUE), Set.of()).config();
        assertEquals(26, typed.port());
        assertEquals(5L, typed.timeoutMillis());
        assertTrue(typed.verifyHostname());
    }

    @Test
    void booleanTypoIsAnErrorNamingPidFileFieldValueAndRule() {
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class,
                () -> StrictConfig.read(Sample.class, props("name", "a", "verifyHostname", "ture"), Set.of()));
        assertEquals("PID org.example.sample~a (/gw/etc/org.example.sample-a.cfg) field 'verifyHostname' = 'ture': not a"
                + " boolean; rule: true or false", e.getMessage());
        assertEquals("verifyHostname", e.property());
        assertEquals(0, e.getStackTrace().length, "one line, no stack trace");
    }

    @Test
    void numberTyposListsAndRangeAreErrors() {
        assertTrue(assertThrows(ConfigRejectedException.class, () -> StrictConfig.read(Sample.class,
                props("name", "a", "port", "5o2"), Set.of())).getMessage().contains("field 'port' = '5o2': not a whole number;"));
        assertTrue(assertThrows(ConfigRejectedException.class, () -> StrictConfig.read(Sample.class,
                props("name", "a", "port", "3000000000"), Set.of())).getMessage().contains("out of range"));
        assertTrue(assertThrows(ConfigRejectedException.class, () -> StrictConfig.read(Sample.class,
                props("name", "a", "port", new String[] { "1", "2" }), Set.of())).getMessage()
                .contains("field 'port' = '[1, 2]': a list of 2 values; rule: exactly one value"));
        assertEquals(7, StrictConfig.read(Sample.class, props("name", "a", "port", List.of("7")), Set.of()).config()
                .port());
    }

    @Test
    void decimalNumbersConvertAndTyposAreErrors() {
        Sample d = StrictConfig.read(Sample.class, props("name", "a"), Set.of()).config();
        assertEquals(1.5f, d.randomFactor());
        assertEquals(0.25, d.ratio());
        Sample s = StrictConfig.read(Sample.class, props("name", "a", "randomFactor", " 2.25 ", "ratio", "1e-3"), Set.of())
                .config();
        assertEquals(2.25f, s.randomFactor());
        assertEquals(0.001, s.ratio());
        Sample typed = StrictConfig.read(Sample.class, props("name", "a", "randomFactor", 1.75f, "ratio", 3L), Set.of())
                .config();
        assertEquals(1.75f, typed.randomFactor());
        assertEquals(3.0, typed.ratio());
        assertTrue(assertThrows(ConfigRejectedException.class, () -> StrictConfig.read(Sample.class,
                props("name", "a", "randomFactor", "1,5"), Set.of())).getMessage()
                .contains("field 'randomFactor' = '1,5': not a number; rule: a decimal number such as 1.5"));
        assertTrue(assertThrows(ConfigRejectedException.class, () -> StrictConfig.read(Sample.class,
                props("name", "a", "ratio", "NaN"), Set.of())).getMessage().contains("not a finite number"));
        assertTrue(assertThrows(ConfigRejectedException.class, () -> StrictConfig.read(Sample.class,
                props("name", "a", "randomFactor", "1e300"), Set.of())).getMessage().contains("not a finite number"));
    }

    @Test
    void secretValuesAreNeverShown() {
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> StrictConfig.read(Sample.class,
                props("name", "a", ".password", new String[] { "hunter2", "x" }), Set.of(".password")));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void unknownKeysAreWarnedWithTheNearestKnownOne() {
        StrictConfig.Result<Sample> r = StrictConfig.read(Sample.class, props("name", "a", "verifyHostName", "false",
                "timeoutMilis", "5", "sockets.target", "(x=y)", "component.name", "c"), Set.of());
        assertEquals(List.of(
                "configuration PID org.example.sample~a (/gw/etc/org.example.sample-a.cfg): unknown key 'timeoutMilis'"
                        + " is ignored; did you mean 'timeoutMillis'?",
                "configuration PID org.example.sample~a (/gw/etc/org.example.sample-a.cfg): unknown key 'verifyHostName'"
                        + " is ignored; did you mean 'verifyHostname'?"),
                r.unknownKeyWarnings().stream().sorted().toList());
        assertTrue(r.config().verifyHostname(), "the misspelt key is not used");
    }

    @Test
    void propertyNamesFollowTheDsMapping() {
        assertEquals(".password", StrictConfig.propertyName("_password"));
        assertEquals("a_b", StrictConfig.propertyName("a__b"));
        assertEquals("a.b", StrictConfig.propertyName("a_b"));
        assertEquals("ab", StrictConfig.propertyName("a$b"));
        assertEquals("a$b", StrictConfig.propertyName("a$$b"));
        assertEquals(1, StrictConfig.distance("port", "Port".toLowerCase() + "s"));
    }
}
