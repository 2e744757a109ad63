package org.rawsockets.webbridge.internal.web;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Adds the WebSocket endpoint to the HTTP server's jakarta.websocket container when the whiteboard
 * initialises it, and serves the JavaScript library ({@code <path>/lib/}) and the demo pages
 * ({@code <path>/demo/}) from the bundle ({@code /web/} in the jar).
 */
final class BridgeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript", "mjs", "text/javascript", "ts",
            "application/typescript", "html", "text/html", "css", "text/css", "json", "application/json");

    private final transient BridgeEndpoints endpoints;
    private final String path;

    BridgeServlet(BridgeEndpoints endpoints, String path) {
        this.endpoints = endpoints;
        this.path = path;
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        ServletContext context = config.getServletContext();
        Object container = context.getAttribute(ServerContainer.class.getName());
        if (container == null && context.getContext("/") != null) {
            container = context.getContext("/").getAttribute(ServerContainer.class.getName());
        }
        if (!(container instanceof ServerContainer sc)) {
            throw new ServletException("no jakarta.websocket ServerContainer in the HTTP server's servlet context:"
                    + " the Direct Sockets bridge needs the gateway's HTTP server with WebSocket support"
                    + " (org.apache.felix.jakarta.websocket.enable=true)");
        }
        try {
            sc.addEndpoint(endpoints.config(path));
        } catch (DeploymentException e) {
            throw new ServletException("cannot add the bridge's WebSocket endpoint at " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String servletPath = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        String rel = servletPath.startsWith(path + "/") ? servletPath.substring(path.length() + 1) : "";
        if (rel.endsWith("/") || rel.equals("demo")) {
            rel = rel.replaceAll("/?$", "/index.html");
        }
        if (rel.isEmpty() || rel.contains("..") || rel.contains("//")) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        try (InputStream in = BridgeServlet.class.getResourceAsStream("/web/" + rel)) {
            if (in == null) {
                resp.sendError(HttpServletResponse.SC_NOT_FOUND, "no " + rel + " in the bridge bundle");
                return;
            }
            String ext = rel.substring(rel.lastIndexOf('.') + 1);
            resp.setContentType(TYPES.getOrDefault(ext, "application/octet-stream"));
            resp.setHeader("Cache-Control", "no-cache");
            resp.setHeader("X-Content-Type-Options", "nosniff");
            in.transferTo(resp.getOutputStream());
        }
    }
}
