package org.rawsockets.socket.mina.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;

class ConfigCheckTest {

    @Test
    void booleanTyposAreErrorsNeverFalse() {
        assertEquals(true, ConfigCheck.bool("defaultGrants", " TRUE ", false));
        assertEquals(false, ConfigCheck.bool("defaultGrants", "false", true));
        assertEquals(true, ConfigCheck.bool("defaultGrants", null, true));
        for (String typo : new String[] { "ture", "flase", "yes", "0", "" }) {
            ConfigCheck.Problem p = assertThrows(ConfigCheck.Problem.class,
                    () -> ConfigCheck.bool("defaultGrants", typo, true), typo);
            assertEquals("field 'defaultGrants' = '" + typo + "': not a boolean; rule: true or false", p.getMessage());
        }
    }

    @Test
    void numbersAreCheckedAsWritten() {
        assertEquals(7, ConfigCheck.number("port", "7", 0, 1, 65535));
        assertTrue(assertThrows(ConfigCheck.Problem.class, () -> ConfigCheck.number("port", "abc", 0, 1, 65535))
                .getMessage().contains("not a whole number; rule: a whole number in 1..65535"));
        assertTrue(assertThrows(ConfigCheck.Problem.class, () -> ConfigCheck.number("port", 70000, 0, 1, 65535))
                .getMessage().contains("'70000': out of range"));
    }

    @Test
    void unknownKeysNameTheNearestKnownOneAndStandardKeysAreIgnored() {
        List<String> w = ConfigCheck.unknownKeys(Map.of("defaultGrant", "true", "grant.a", "x", "grnt.b", "y",
                "service.pid", "p", "service.factoryPid", "f", "felix.fileinstall.filename", "file:/x",
                "component.name", "c", "maxOpenSocket", "3"), PolicySettings.KEYS,
                List.of(PolicySettings.GRANT_PREFIX, PolicySettings.QUOTA_PREFIX));
        assertEquals(3, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("unknown key 'defaultGrant' is ignored; did you mean 'defaultGrants'?"), w.get(0));
        assertTrue(w.get(1).startsWith("unknown key 'grnt.b' is ignored; did you mean 'grant.<name>'?"), w.get(1));
        assertTrue(w.get(2).startsWith("unknown key 'maxOpenSocket' is ignored; did you mean 'maxOpenSockets'?"), w.get(2));
        assertTrue(ConfigCheck.unknownKeys(Map.of("zzzzzzzzzzzz", 1), PolicySettings.KEYS, List.of()).get(0)
                .startsWith("unknown key 'zzzzzzzzzzzz' is ignored (known keys: "));
    }

    @Test
    void knownKeysComeFromTheMetatypeDefinitions() {
        assertEquals(List.of("auditSize", "defaultGrants", "grants", "maxBufferedBytes", "maxOpenSockets", "maxPendingOpens",
                "originBundles"),
                PolicySettings.KEYS);
    }

    @Test
    void policyBooleanTypoFailsClosedAndIsReported() {
        PolicySettings s = PolicySettings.from(Map.of("defaultGrants", "ture"));
        assertEquals(false, s.defaultGrants(), "a typo never keeps the loopback grants silently");
        assertTrue(s.grants().isEmpty(), s.grants().toString());
        assertEquals(1, s.errors().size(), s.errors().toString());
        assertTrue(s.errors().get(0).startsWith("field 'defaultGrants' = 'ture': not a boolean; rule: true or false;"),
                s.errors().get(0));
        PolicySettings q = PolicySettings.from(Map.of("maxOpenSockets", "lots", "auditSize", "0"));
        assertEquals(2, q.errors().size(), q.errors().toString());
        assertTrue(String.join("\n", q.errors()).contains("field 'auditSize' = '0': out of range; rule: a whole number in 1..100000"),
                q.errors().toString());
        assertTrue(String.join("\n", q.errors()).contains("field 'maxOpenSockets' = 'lots': not a whole number"),
                q.errors().toString());
    }
}
