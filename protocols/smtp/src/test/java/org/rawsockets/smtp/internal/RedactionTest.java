package org.rawsockets.smtp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.smtp.AuthMechanism;
import org.rawsockets.smtp.SmtpCredentials;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;

/**
 * The real component built from configuration maps: passwords only as secret references (never in
 * a property, toString or log line), and bad configuration refused with one ERROR line naming the
 * configuration, the property, the problem and the rule.
 */
class RedactionTest {

    private static final String SECRET = "Tr0ub4dor&3-secret";

    @TempDir
    Path secretsDir;
    private SecretFiles secrets;
    private ConfigRegistry registry;

    @BeforeEach
    void secrets() throws Exception {
        Path f = secretsDir.resolve("office-smtp");
        Files.writeString(f, SECRET + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        secrets = new SecretFiles(secretsDir.toString());
        registry = TestServers.registry();
    }

    private MailSenderComponent component(Object... kv) {
        return TestServers.sender(null, secrets, registry, TestServers.props(kv));
    }

    /** Runs {@code r} and returns what slf4j-simple logged (to System.err) meanwhile. */
    static List<String> logged(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void credentialsAreRedacted() {
        SmtpCredentials c = SmtpCredentials.password("alice", SECRET);
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertTrue(c.toString().contains("alice"));
        SmtpCredentials t = SmtpCredentials.oauth2("alice", () -> SECRET);
        assertFalse(t.toString().contains(SECRET));
        SmtpSettings s = SmtpSettings.builder().host("mail.example.org").credentials(c).build();
        assertFalse(s.toString().contains(SECRET), s.toString());
        assertEquals(587, s.port());
        assertEquals(SmtpTlsMode.STARTTLS_REQUIRED, s.tlsMode());
    }

    @Test
    void thePasswordIsASecretReferenceReadWhenUsedNeverAPropertyOrField() {
        Map<String, Object> props = TestServers.props("name", "office", "host", "mail.example.org", "tls", "implicit",
                "user", "alice", ".password", "secret:office-smtp", "authMechanism", "LOGIN");
        MailSenderComponent c = TestServers.sender(null, secrets, registry, props);
        assertFalse(props.toString().contains(SECRET), "the configuration holds only the reference");
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertFalse(c.settings().toString().contains(SECRET), c.settings().toString());
        assertEquals("office", c.name());
        assertEquals(465, c.settings().port());
        assertEquals(SmtpTlsMode.IMPLICIT, c.settings().tlsMode());
        SmtpCredentials cred = c.settings().credentials().orElseThrow();
        assertEquals(AuthMechanism.LOGIN, cred.mechanism().orElseThrow());
        assertTrue(cred.password().isEmpty(), "no password held");
        assertEquals(SECRET, cred.passwordSupplier().orElseThrow().get(), "read from the file when used");
    }

    @Test
    void aLiteralPasswordIsRefusedWithOneErrorLineThatDoesNotShowIt() {
        List<String> log = logged(() -> assertThrows(ConfigRejectedException.class, () -> component("name", "office",
                "host", "mail.example.org", "user", "alice", ".password", SECRET,
                "felix.fileinstall.filename", "file:/gw/etc/org.rawsockets.smtp.server-office.cfg")));
        assertEquals(1, log.size(), log.toString());
        String line = log.get(0);
        assertTrue(line.contains("ERROR " + MailSenderComponent.class.getName() + " - configuration rejected: PID"
                + " org.rawsockets.smtp.server~office (/gw/etc/org.rawsockets.smtp.server-office.cfg) field '.password':"
                + " a literal secret (not shown), which the configuration store would keep in clear text and scr:info"
                + " would print; rule: a secret is never written in configuration: put it alone in the file"
                + " secrets/office of the gateway folder (mode 0600) and set .password = secret:office; this mail server"
                + " is not available until the configuration is fixed"), line);
        assertFalse(line.contains(SECRET), line);
        // refused even without a user: no password may stay in a configuration
        assertThrows(ConfigRejectedException.class, () -> component("name", "office2", "host", "h", ".password", SECRET));
        assertFalse(registry.rejection("office").orElseThrow().reason().contains(SECRET));
    }

    /**
     * A refused literal is also removed from the configuration store (Config Admin), so scr:info and
     * cm:* stop showing it; the configuration then carries a marker and stays refused, with the same
     * message (so no second ERROR line).
     */
    @Test
    void aRefusedLiteralIsRemovedFromTheConfigurationStore() throws Exception {
        Hashtable<String, Object> stored = new Hashtable<>(TestServers.props("name", "office", "host", "h", "user", "alice",
                ".password", SECRET, "felix.fileinstall.filename", "file:/gw/etc/org.rawsockets.smtp.server-office.cfg"));
        Object configuration = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Configuration.class },
                (proxy, m, args) -> switch (m.getName()) {
                    case "getProperties" -> new Hashtable<>(stored);
                    case "update" -> {
                        synchronized (stored) {
                            stored.clear();
                            @SuppressWarnings("unchecked")
                            Dictionary<String, Object> d = (Dictionary<String, Object>) args[0];
                            for (String k : Collections.list(d.keys())) {
                                stored.put(k, d.get(k));
                            }
                        }
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        List<String> filters = new java.util.concurrent.CopyOnWriteArrayList<>();
        ConfigurationAdmin cm = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ConfigurationAdmin.class }, (proxy, m, args) -> {
                    if (m.getName().equals("listConfigurations")) {
                        filters.add((String) args[0]);
                        return new Configuration[] { (Configuration) configuration };
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { BundleContext.class }, (proxy, m, args) -> m.getName().equals("getProperty")
                        ? secretsDir.toString() : null);
        ConfigRejectedException first = assertThrows(ConfigRejectedException.class,
                () -> new MailSenderComponent(null, cm, new HashMap<>(stored), context));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stored.containsKey(".password") && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertEquals(List.of("(service.pid=org.rawsockets.smtp.server~office)"), filters);
        assertFalse(stored.containsKey(".password"), stored.toString());
        assertFalse(stored.toString().contains(SECRET), stored.toString());
        assertEquals("file:/gw/etc/org.rawsockets.smtp.server-office.cfg", stored.get("felix.fileinstall.filename"));
        // DS reconfigures the component with what is stored now: still refused, the same message
        ConfigRejectedException again = assertThrows(ConfigRejectedException.class,
                () -> new MailSenderComponent(null, cm, new HashMap<>(stored), context));
        assertEquals(first.getMessage(), again.getMessage());
        assertEquals(1, filters.size(), "nothing more to remove");
        MailSenderComponent.REGISTRY.clear();
    }

    @Test
    void anEmptyPasswordWithAUserIsAConfigurationError() {
        // never AUTH PLAIN \0alice\0
        assertThrows(IllegalArgumentException.class, () -> SmtpCredentials.password("alice", ""));
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class,
                () -> component("name", "office", "host", "mail.example.org", "user", "alice"));
        assertEquals("PID org.rawsockets.smtp.server~office field '.password': empty while user 'alice' is set; rule: an"
                + " empty password is never sent: put the password in a secret file and set .password = secret:office;"
                + " to send without AUTH, clear 'user' or set authMechanism = NONE", e.getMessage());
        // authMechanism NONE: no credentials, no error
        assertTrue(component("name", "relay", "host", "h", "user", "alice", "authMechanism", "NONE").settings()
                .credentials().isEmpty());
    }

    @Test
    void badConfigurationIsLoudAndNamesPropertyProblemAndRule() {
        String pid = "PID org.rawsockets.smtp.server~x ";
        assertRejected(pid + "field 'tls' = 'sometimes': not a TLS mode; rule: STARTTLS_REQUIRED, STARTTLS_OPPORTUNISTIC,"
                + " IMPLICIT or OFF", "name", "x", "host", "h", "tls", "sometimes");
        assertRejected(pid + "field 'host': missing, and no endpoint either; rule: set host (and port) or endpoint",
                "name", "x");
        // DS would make "ture" false and "abc" 0 without a word
        assertRejected(pid + "field 'verifyHostname' = 'ture': not a boolean; rule: true or false", "name", "x", "host",
                "h", "verifyHostname", "ture");
        assertRejected(pid + "field 'allowAuthWithoutTls' = 'yes': not a boolean; rule: true or false", "name", "x",
                "host", "h", "allowAuthWithoutTls", "yes");
        assertRejected(pid + "field 'timeoutMillis' = '2s': not a whole number; rule: a whole number such as 5000",
                "name", "x", "host", "h", "timeoutMillis", "2s");
        assertRejected(pid + "field 'timeoutMillis' = '0': not positive; rule: a number of milliseconds, at least 1",
                "name", "x", "host", "h", "timeoutMillis", "0");
        assertRejected(pid + "field 'authMechanism' = 'CRAM': not a mechanism; rule: AUTO, NONE, PLAIN, LOGIN or XOAUTH2",
                "name", "x", "host", "h", "authMechanism", "CRAM");
        List<String> warn = logged(() -> component("name", "typo", "host", "h", "verifyHostName", "false"));
        assertEquals(1, warn.size(), warn.toString());
        assertTrue(warn.get(0).contains("WARN " + MailSenderComponent.class.getName() + " - configuration PID"
                + " org.rawsockets.smtp.server~typo: unknown key 'verifyHostName' is ignored; did you mean"
                + " 'verifyHostname'?"), warn.get(0));
    }

    @Test
    void twoServersWithTheSameNameAreRefusedNamingTheFirst() {
        MailSenderComponent first = component("name", "office", "host", "a.example.org", "felix.fileinstall.filename",
                "file:/gw/etc/org.rawsockets.smtp.server-office.cfg");
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> component("name", "office", "host",
                "b.example.org", "service.pid", "org.rawsockets.smtp.server~office-copy"));
        assertEquals("PID org.rawsockets.smtp.server~office-copy field 'name' = 'office': already the name of PID"
                + " org.rawsockets.smtp.server~office (/gw/etc/org.rawsockets.smtp.server-office.cfg); rule: each mail"
                + " server needs its own name; this configuration is refused, the other one stays in use",
                e.getMessage());
        first.deactivate();
        assertEquals("b.example.org", component("name", "office", "host", "b.example.org", "service.pid",
                "org.rawsockets.smtp.server~office-copy").settings().host().orElseThrow());
    }

    private void assertRejected(String message, Object... kv) {
        List<String> log = logged(() -> {
            ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> component(kv));
            assertEquals(message, e.getMessage());
        });
        assertEquals(List.of("ERROR"), log.stream().map(l -> l.replaceAll("^\\[[^]]*\\] ", "").split(" ")[0]).toList(),
                log.toString());
        assertTrue(log.get(0).endsWith("configuration rejected: " + message + "; this mail server is not available until"
                + " the configuration is fixed"), log.get(0));
    }
}
