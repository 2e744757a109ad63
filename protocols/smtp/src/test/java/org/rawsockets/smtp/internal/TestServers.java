package org.rawsockets.smtp.internal;

import java.util.HashMap;
import java.util.Map;

import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.socket.SocketService;

/** Builds the real component from a configuration map, as DS and FileInstall would give it. */
public final class TestServers {

    private TestServers() {
    }

    /** Properties {@code kv} plus the service.pid FileInstall would give a file etc/org.rawsockets.smtp.server-NAME.cfg. */
    public static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        Object name = m.get("name");
        m.putIfAbsent("service.pid", MailSenderComponent.PID + "~" + (name == null ? "unnamed" : name));
        m.putIfAbsent("service.factoryPid", MailSenderComponent.PID);
        return m;
    }

    public static MailSenderComponent sender(SocketService sockets, SecretFiles secrets, ConfigRegistry registry,
            Map<String, Object> props) {
        return new MailSenderComponent(sockets, props, secrets, registry, pid -> {
        });
    }

    /** A registry of its own, so tests do not see each other's names. */
    public static ConfigRegistry registry() {
        return new ConfigRegistry(MailSenderComponent.PID, "mail server");
    }
}
