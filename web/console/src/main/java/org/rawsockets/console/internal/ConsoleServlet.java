package org.rawsockets.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.annotation.RequireSocket;
import org.rawsockets.socket.admin.DeviceStatusProvider;
import org.rawsockets.socket.admin.GrantChange;
import org.rawsockets.socket.admin.PolicyAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console: login/logout, the pages (bundle resources under {@code /static/}), the JSON API under
 * {@code /api/} and the live views under {@code /events/} (server-sent events). Everything but
 * {@code /login} and the login page's assets needs a session cookie or an API token; every POST needs
 * the session's CSRF token (header {@code X-CSRF-Token}) and no foreign {@code Origin}.
 *
 * <p>The console's one outbound connection, "Update from URL", goes through its own socket service:
 * it declares TCP to any host and port, and the operator's grants decide which bundle repositories
 * it may reach (the default grants: loopback only).
 */
@RequireSocket(kind = RequireSocket.Kind.TCP)
@Designate(ocd = ConsoleConfig.class)
@Component(service = Servlet.class, configurationPid = ConsoleConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@HttpWhiteboardServletPattern({ "/", "/login", "/logout", "/api/*", "/events/*", "/static/*" })
public final class ConsoleServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServlet.class);
    static final String COOKIE = "rsconsole";

    private final transient ApiData data;
    private final transient BundleChanges bundleChanges;
    private final transient Auth auth;
    private final transient ConsoleConfig config;
    private final transient List<DeviceStatusProvider> providers = new CopyOnWriteArrayList<>();

    @Activate
    public ConsoleServlet(BundleContext context, @Reference SocketAdmin sockets, @Reference PolicyAdmin policy,
            @Reference SocketService ownSockets, ConsoleConfig config) {
        this.config = config;
        this.data = new ApiData(sockets, policy, context, () -> List.copyOf(providers));
        this.bundleChanges = new BundleChanges(context, Math.max(1, config.maxBundleBytes()), ownSockets);
        this.auth = new Auth(config, new Sessions(Clock.systemUTC(), Duration.ofMinutes(Math.max(1, config.sessionIdleMinutes())),
                Math.max(1, config.loginAttemptsPerMinute())));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addProvider(DeviceStatusProvider p) {
        providers.add(p);
    }

    void removeProvider(DeviceStatusProvider p) {
        providers.remove(p);
    }

    ApiData data() {
        return data;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
        String path = path(req);
        String method = req.getMethod();
        try {
            long limit = bundleJar(path, method) ? config.maxBundleBytes() : config.maxRequestBytes();
            if (req.getContentLengthLong() > limit) {
                throw new HttpError(413, "request body larger than " + limit + " bytes");
            }
            if (path.equals("/login")) {
                if (method.equals("GET")) {
                    resource(resp, "login.html");
                } else if (method.equals("POST")) {
                    auth.login(req, resp);
                } else {
                    throw new HttpError(405, "use GET or POST");
                }
                return;
            }
            if (path.startsWith("/static/login.")) {
                resource(resp, path.substring("/static/".length()));
                return;
            }
            Sessions.Session session = auth.authenticate(req);
            if (session == null) {
                if (method.equals("GET") && !path.startsWith("/api/") && !path.startsWith("/events/")) {
                    resp.sendRedirect(req.getContextPath() + "/login");
                    return;
                }
                throw new HttpError(401, "log in first (POST /login) or send an API token");
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                auth.checkCsrf(req, session);
            }
            route(req, resp, path, method, session);
        } catch (HttpError e) {
            error(resp, e.status, e.getMessage(), e.retryAfter);
        } catch (IllegalArgumentException e) {
            error(resp, 400, e.getMessage(), 0);
        } catch (IllegalStateException e) {
            LOG.warn("console: {} {} failed: {}", method, path, e.getMessage());
            error(resp, 500, e.getMessage(), 0);
        }
    }

    private void route(HttpServletRequest req, HttpServletResponse resp, String path, String method,
            Sessions.Session session) throws IOException {
        if (path.equals("/logout") && method.equals("POST")) {
            auth.logout(req, resp);
            json(resp, 200, Map.of("loggedOut", true));
        } else if (path.equals("/") || path.equals("/index.html")) {
            resource(resp, "index.html");
        } else if (path.startsWith("/static/") && method.equals("GET")) {
            resource(resp, path.substring("/static/".length()));
        } else if (path.startsWith("/events/") && method.equals("GET")) {
            new EventStream(data, auth).serve(req, resp, path.substring("/events/".length()), session);
        } else if (path.startsWith("/api/")) {
            api(req, resp, path.substring("/api/".length()), method, session);
        } else {
            throw new HttpError(404, "no page " + path);
        }
    }

    private void api(HttpServletRequest req, HttpServletResponse resp, String rest, String method,
            Sessions.Session session) throws IOException {
        String[] p = rest.split("/");
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        switch (p[0]) {
            case "session" -> json(resp, 200, Map.of("user", session.user(), "csrf", session.csrf()));
            case "sockets" -> {
                if (p.length == 1 && get) {
                    json(resp, 200, data.sockets(java.time.Instant.now()));
                } else if (p.length == 3 && p[2].equals("close") && post) {
                    long id = number(p[1], "socket id");
                    if (!data.closeSocket(id)) {
                        throw new HttpError(404, "no socket with id " + id);
                    }
                    json(resp, 200, Map.of("closed", id));
                } else {
                    throw new HttpError(404, "GET /api/sockets or POST /api/sockets/<id>/close");
                }
            }
            case "bundles" -> bundlesApi(req, resp, p, get, post, session);
            case "policy" -> policyApi(req, resp, p, get, post, session);
            case "audit" -> {
                if (!get) {
                    throw new HttpError(405, "use GET");
                }
                long after = req.getParameter("after") == null ? 0 : number(req.getParameter("after"), "after");
                int max = req.getParameter("max") == null ? 200 : (int) Math.min(10_000, number(req.getParameter("max"), "max"));
                json(resp, 200, data.audit(after, max, AuditFilter.of(req::getParameter)));
            }
            case "devices" -> {
                if (!get) {
                    throw new HttpError(405, "use GET");
                }
                json(resp, 200, data.devices());
            }
            default -> throw new HttpError(404, "no API /api/" + rest);
        }
    }

    /** Whether the request may carry a bundle jar (install, update): those have their own size limit. */
    static boolean bundleJar(String path, String method) {
        return method.equals("POST") && (path.equals("/api/bundles") || path.matches("/api/bundles/[0-9]+/update"));
    }

    private void bundlesApi(HttpServletRequest req, HttpServletResponse resp, String[] p, boolean get, boolean post,
            Sessions.Session session) throws IOException {
        if (p.length == 1 && get) {
            json(resp, 200, data.bundles(bundleChanges::changeable));
            return;
        }
        if (p.length == 1 && post) {
            Map<String, Object> r = bundleChanges.install(req.getInputStream());
            LOG.info("console: {} installed {} into {}", session.user(), r.get("symbolicName"), r.get("file"));
            json(resp, 202, r);
            return;
        }
        if (p.length != 3 || !post) {
            throw new HttpError(404, "GET /api/bundles, POST /api/bundles (a jar), POST /api/bundles/<id>/start|stop|update|uninstall");
        }
        long id = number(p[1], "bundle id");
        Bundle b = data.bundle(id).orElseThrow(() -> new HttpError(404, "no bundle with id " + id));
        switch (p[2]) {
            case "start", "stop" -> {
                if (id == 0 || BundleChanges.CONSOLE_BSN.equals(b.getSymbolicName())) {
                    throw new HttpError(409, "bundle " + id + " cannot be " + p[2] + "ped from the console");
                }
                try {
                    if (p[2].equals("start")) {
                        b.start();
                    } else {
                        b.stop();
                    }
                } catch (BundleException e) {
                    throw new HttpError(409, "cannot " + p[2] + " bundle " + id + ": " + e.getMessage());
                }
                LOG.info("console: {} {} bundle {} ({})", session.user(), p[2], id, b.getSymbolicName());
                json(resp, 200, Map.of("id", id, "state", ApiData.state(b.getState())));
            }
            case "update" -> {
                String type = req.getContentType() == null ? "" : req.getContentType().toLowerCase(java.util.Locale.ROOT);
                Map<String, Object> r = type.startsWith("application/x-www-form-urlencoded")
                        ? bundleChanges.updateFromUrl(b, required(req, "url"))
                        : bundleChanges.update(b, req.getInputStream());
                LOG.info("console: {} updated bundle {} ({}) in {}", session.user(), id, b.getSymbolicName(), r.get("file"));
                json(resp, 202, r);
            }
            case "uninstall" -> {
                Map<String, Object> r = bundleChanges.uninstall(b);
                LOG.info("console: {} uninstalled bundle {} ({}): deleted {}", session.user(), id, b.getSymbolicName(), r.get("file"));
                json(resp, 202, r);
            }
            default -> throw new HttpError(404, "POST /api/bundles/<id>/start|stop|update|uninstall");
        }
    }

    private void policyApi(HttpServletRequest req, HttpServletResponse resp, String[] p, boolean get, boolean post,
            Sessions.Session session) throws IOException {
        if (p.length == 1 && get) {
            json(resp, 200, data.policy());
        } else if (p.length == 2 && p[1].equals("explain") && get) {
            String port = required(req, "port");
            json(resp, 200, data.explain(required(req, "bundle"), required(req, "kind"), required(req, "host"),
                    (int) number(port, "port")));
        } else if (p.length == 2 && p[1].equals("grants") && post) {
            GrantChange g = data.policyAdmin().grant(required(req, "name"), required(req, "line"));
            LOG.info("console: {} granted grant.{} = {}", session.user(), g.name(), g.line());
            json(resp, 200, Map.of("name", g.name(), "line", g.line(), "note", g.note()));
        } else if (p.length == 4 && p[1].equals("grants") && p[3].equals("revoke") && post) {
            GrantChange g = data.policyAdmin().revoke(p[2]);
            if (g == null) {
                throw new HttpError(404, "no grant named '" + p[2] + "'");
            }
            LOG.info("console: {} revoked grant.{} = {}", session.user(), g.name(), g.line());
            json(resp, 200, Map.of("name", g.name(), "line", g.line(), "note", g.note()));
        } else {
            throw new HttpError(404, "GET /api/policy, GET /api/policy/explain, POST /api/policy/grants,"
                    + " POST /api/policy/grants/<name>/revoke");
        }
    }

    static String path(HttpServletRequest req) {
        String p = req.getRequestURI().substring(req.getContextPath().length());
        return p.isEmpty() ? "/" : p;
    }

    static long number(String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new HttpError(400, what + " must be a whole number");
        }
    }

    static String required(HttpServletRequest req, String name) {
        String v = req.getParameter(name);
        if (v == null || v.isBlank()) {
            throw new HttpError(400, "parameter '" + name + "' is missing");
        }
        return v;
    }

    static void json(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        PrintWriter w = resp.getWriter();
        w.write(Json.write(body));
        w.flush();
    }

    static void error(HttpServletResponse resp, int status, String message, long retryAfter) throws IOException {
        if (retryAfter > 0) {
            resp.setHeader("Retry-After", Long.toString(retryAfter));
        }
        json(resp, status, Map.of("status", status, "error", message == null ? "" : message));
    }

    private static void resource(HttpServletResponse resp, String name) throws IOException {
        if (!name.matches("[a-z0-9-]+\\.(html|js|css|png)")) {
            throw new HttpError(404, "no page " + name);
        }
        try (InputStream in = ConsoleServlet.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new HttpError(404, "no page " + name);
            }
            String type = name.endsWith(".html") ? "text/html;charset=utf-8" : name.endsWith(".js")
                    ? "text/javascript;charset=utf-8" : name.endsWith(".css") ? "text/css;charset=utf-8" : "image/png";
            resp.setStatus(200);
            resp.setContentType(type);
            in.transferTo(resp.getOutputStream());
        }
    }

    static Cookie cookie(String value, boolean secure, int maxAge) {
        Cookie c = new Cookie(COOKIE, value);
        c.setHttpOnly(true);
        c.setSecure(secure);
        c.setPath("/");
        c.setMaxAge(maxAge);
        c.setAttribute("SameSite", "Strict");
        return c;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
