package org.rawsockets.webbridge.internal.web;

import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;

/** Gogo commands of scope {@code bridge}. */
@Component(service = BridgeCommands.class, property = {"osgi.command.scope=bridge",
        "osgi.command.function=token", "osgi.command.function=connections"})
public final class BridgeCommands {

    private volatile BridgeComponent bridge;

    @org.osgi.service.component.annotations.Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC)
    void setBridge(BridgeComponent b) {
        bridge = b;
    }

    void unsetBridge(BridgeComponent b) {
        if (bridge == b) {
            bridge = null;
        }
    }

    @Descriptor("issue a client token: prints the token (give it to the page's user, it is not stored) and the"
            + " tokens entry to add to etc/org.rawsockets.webbridge.cfg")
    public String token(@Descriptor("client name") String client) {
        return token(client, 0);
    }

    @Descriptor("issue a client token valid for a number of days (0: no expiry)")
    public String token(@Descriptor("client name") String client, @Descriptor("days valid") int days) {
        if (days < 0) {
            throw new IllegalArgumentException("days must be 0 (no expiry) or more, was " + days);
        }
        String token = Tokens.newToken();
        LocalDate last = days == 0 ? null : LocalDate.now(ZoneOffset.UTC).plusDays(days - 1L);
        return "token for " + client + ": " + token + "\n"
                + "add to the tokens of etc/" + BridgeConfig.PID + ".cfg (comma-separated list):\n  "
                + Tokens.entry(client, token, last) + "\n"
                + "the page presents it as the WebSocket subprotocol 'bearer." + token + "'"
                + (last == null ? "" : "; valid until " + last + " (UTC)");
    }

    @Descriptor("the open bridge connections: origin, client, sockets, bytes queued to the page")
    public String connections() {
        BridgeComponent b = bridge;
        if (b == null) {
            return "the bridge is not running: create etc/" + BridgeConfig.PID + ".cfg (allowedOrigins, tokens)";
        }
        var list = b.endpoints().describeConnections();
        return list.isEmpty() ? "no bridge connections at " + b.path() : String.join("\n", list);
    }
}
