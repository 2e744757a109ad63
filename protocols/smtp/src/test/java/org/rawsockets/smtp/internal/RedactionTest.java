package org.rawsockets.smtp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.smtp.AuthMechanism;
import org.rawsockets.smtp.SmtpCredentials;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;

/** Credentials never show in toString (settings, credentials, the OSGi service), and config is checked. */
class RedactionTest {

    private static final String SECRET = "Tr0ub4dor&3-secret";

    static ServerConfig config(Map<String, Object> values) {
        return (ServerConfig) Proxy.newProxyInstance(ServerConfig.class.getClassLoader(), new Class<?>[] { ServerConfig.class },
                (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    return method.getDefaultValue();
                });
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
    void osgiServiceRedactsAndMapsConfiguration() {
        ServerConfig cfg = config(Map.of("name", "office", "host", "mail.example.org", "tls", "implicit", "user",
                "alice", "_password", SECRET, "authMechanism", "LOGIN"));
        MailSenderComponent c = new MailSenderComponent(null, cfg);
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertEquals("office", c.name());
        assertEquals(465, c.settings().port());
        assertEquals(SmtpTlsMode.IMPLICIT, c.settings().tlsMode());
        assertEquals(AuthMechanism.LOGIN, c.settings().credentials().orElseThrow().mechanism().orElseThrow());
        assertEquals(SECRET, c.settings().credentials().orElseThrow().password().orElseThrow());
    }

    @Test
    void badConfigurationNamesTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MailSenderComponent(null, config(Map.of("name", "x", "host", "h", "tls", "sometimes"))));
        assertTrue(e.getMessage().contains("tls must be one of"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MailSenderComponent(null, config(Map.of("name", "x"))));
        assertTrue(e.getMessage().contains("set 'host' or 'endpoint'"), e.getMessage());
    }
}
