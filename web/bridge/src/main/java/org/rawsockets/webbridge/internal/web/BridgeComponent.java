package org.rawsockets.webbridge.internal.web;

import jakarta.servlet.Servlet;
import java.time.Clock;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.socket.OriginSocketServices;
import org.rawsockets.socket.annotation.RequireSocket;
import org.rawsockets.webbridge.internal.session.Limits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge in the gateway: when {@code etc/org.rawsockets.webbridge.cfg} exists, registers (Servlet
 * Whiteboard) the servlet that adds the WebSocket endpoint to the HTTP server's jakarta.websocket
 * container and serves the JavaScript library and demo pages.
 *
 * <p>The bundle declares every kind of socket to any host: what a page reaches is decided by the
 * operator's {@code origin:} grants alone.
 */
@RequireSocket(kind = RequireSocket.Kind.TCP)
@RequireSocket(kind = RequireSocket.Kind.TCP_LISTEN)
@RequireSocket(kind = RequireSocket.Kind.UDP_CONNECTED)
@RequireSocket(kind = RequireSocket.Kind.UDP_BOUND)
// immediate: a component with a service is otherwise delayed, activated only when someone gets the service,
// and nothing does (bridge:connections asks optionally): the servlet would never be registered.
@Component(service = BridgeComponent.class, configurationPid = BridgeConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = BridgeConfig.class)
public final class BridgeComponent {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeComponent.class);

    private final BridgeEndpoints endpoints;
    private final ServiceRegistration<Servlet> registration;
    private final String path;

    @Activate
    public BridgeComponent(@Reference OriginSocketServices origins, BridgeConfig config, BundleContext context) {
        path = normalisePath(config.path());
        Tokens tokens = Tokens.parse(config.tokens(), Clock.systemUTC());
        for (String e : tokens.errors()) {
            LOG.error("etc/{}.cfg: {}", BridgeConfig.PID, e);
        }
        List<String> allowed = List.of(config.allowedOrigins());
        if (allowed.isEmpty()) {
            LOG.warn("etc/{}.cfg: allowedOrigins is empty: every page is refused", BridgeConfig.PID);
        }
        if (tokens.isEmpty()) {
            LOG.warn("etc/{}.cfg: no tokens: every page is refused; issue one with bridge:token <client>", BridgeConfig.PID);
        }
        Limits limits = new Limits(config.maxSocketsPerConnection(), config.sendWindow(), 16 << 20, 1 << 20);
        endpoints = new BridgeEndpoints(origins, new Admission(allowed, tokens), limits);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.http.whiteboard.servlet.pattern", new String[] {path + "/lib/*", path + "/demo/*"});
        props.put("osgi.http.whiteboard.servlet.name", "rawsockets-webbridge");
        registration = context.registerService(Servlet.class, new BridgeServlet(endpoints, path), props);
        LOG.info("Direct Sockets bridge at {} for origins {}", path, allowed);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        endpoints.closeAll();
    }

    /** The endpoints, for the shell. */
    BridgeEndpoints endpoints() {
        return endpoints;
    }

    String path() {
        return path;
    }

    static String normalisePath(String p) {
        String t = p == null ? "" : p.trim();
        if (!t.startsWith("/") || t.length() < 2 || t.endsWith("/") || t.contains("*")) {
            throw new IllegalArgumentException("path must start with / and name a path without * or trailing /,"
                    + " e.g. /direct-sockets, was '" + p + "'");
        }
        return t;
    }
}
