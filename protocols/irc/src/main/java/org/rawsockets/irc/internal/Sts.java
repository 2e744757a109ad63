package org.rawsockets.irc.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.rawsockets.irc.IrcDisconnectedException;
import org.rawsockets.irc.IrcSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's IRCv3 STS state: where to connect (a stored policy or the upgrade a plaintext
 * connection was told about turns a plaintext configuration into TLS) and what to do when the
 * server advertises {@code sts}. Used on the client's actor.
 */
final class Sts {

    private static final Logger LOG = LoggerFactory.getLogger(Sts.class);

    /** Where the next connection goes. */
    record Target(boolean tls, int port, boolean bySts) {
    }

    private final IrcSettings settings;
    private final StsPolicies policies;
    /** The TLS port a plaintext connection's STS policy named (0: none yet). */
    private int upgradePort;
    private IrcDisconnectedException upgrade;

    Sts(IrcSettings settings) {
        this.settings = settings;
        this.policies = StsPolicies.of(settings.stsPolicyFile());
    }

    Target target() {
        if (!settings.tls() && settings.host() != null) {
            Optional<StsPolicies.Policy> policy = policies.get(settings.host(), Instant.now());
            if (policy.isPresent() || upgradePort > 0) {
                return new Target(true, policy.isPresent() ? policy.get().port() : upgradePort, true);
            }
        }
        return new Target(settings.tls(), settings.port(), false);
    }

    /** Whether {@code reason} ended a session for the upgrade (and forgets it). */
    boolean isUpgrade(Throwable reason) {
        if (reason != null && reason == upgrade) {
            upgrade = null;
            return true;
        }
        return false;
    }

    /**
     * The server advertised the {@code sts} capability: on a plaintext connection its {@code port}
     * ends the session for an immediate reconnect with TLS there (and never again in plaintext while
     * this client lives); on a TLS connection its {@code duration} is the policy kept for the host
     * (0 removes it). A value without the key it needs is ignored, as IRCv3 says.
     */
    void advertised(Session s, String value) {
        if (settings.host() == null) {
            return; // a named endpoint has no host name to key a policy on
        }
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            int eq = part.indexOf('=');
            kv.put(eq < 0 ? part : part.substring(0, eq), eq < 0 ? "" : part.substring(eq + 1));
        }
        try {
            if (!s.tls) {
                int port = Integer.parseInt(kv.getOrDefault("port", ""));
                if (port < 1 || port > 65535) {
                    return;
                }
                upgradePort = port;
                LOG.info("IRC network {}: the server's STS policy asks for TLS on port {}: reconnecting with TLS",
                        settings.name(), port);
                upgrade = new IrcDisconnectedException(s.where + ": upgrading to TLS on port " + port
                        + " (the server's STS policy)");
                s.end(upgrade);
            } else if (kv.containsKey("duration")) {
                long duration = Long.parseLong(kv.get("duration"));
                if (duration >= 0) {
                    policies.put(settings.host(), s.port, duration, Instant.now());
                }
            }
        } catch (NumberFormatException e) {
            // an invalid policy is ignored
        }
    }
}
