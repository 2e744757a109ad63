package org.rawsockets.console.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Server-sent events: {@code /events/sockets} (the socket table whenever it changes, at most every
 * {@value #PERIOD_MILLIS} ms) and {@code /events/audit?after=N} (new audit entries). A stream ends
 * after {@value #MAX_MILLIS} ms, when the client goes or the session expires; the browser's
 * EventSource reconnects by itself.
 */
final class EventStream {

    static final long PERIOD_MILLIS = 250;
    static final long MAX_MILLIS = 5 * 60_000;

    private final ApiData data;
    private final Auth auth;

    EventStream(ApiData data, Auth auth) {
        this.data = data;
        this.auth = auth;
    }

    void serve(HttpServletRequest req, HttpServletResponse resp, String what, Sessions.Session session) throws IOException {
        if (!what.equals("sockets") && !what.equals("audit")) {
            throw new HttpError(404, "events: sockets or audit");
        }
        long after = req.getParameter("after") == null ? 0 : ConsoleServlet.number(req.getParameter("after"), "after");
        resp.setStatus(200);
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("UTF-8");
        PrintWriter w = resp.getWriter();
        long end = System.currentTimeMillis() + MAX_MILLIS;
        String last = null;
        while (System.currentTimeMillis() < end) {
            if (!session.id().isEmpty() && auth.sessions().find(session.id()) == null) {
                return; // logged out or expired
            }
            String event;
            if (what.equals("sockets")) {
                List<Map<String, Object>> rows = data.sockets(Instant.now());
                event = Json.write(rows);
                if (event.equals(last)) {
                    event = null;
                } else {
                    last = event;
                }
            } else {
                Map<String, Object> page = data.audit(after, 500, AuditFilter.ALL);
                after = ((Number) page.get("lastSequence")).longValue();
                event = ((List<?>) page.get("entries")).isEmpty() && last != null ? null : Json.write(page);
                last = "";
            }
            if (event != null) {
                w.write("data: " + event + "\n\n");
            } else {
                w.write(": keep-alive\n\n");
            }
            w.flush();
            if (w.checkError()) {
                return; // the client went away
            }
            try {
                Thread.sleep(PERIOD_MILLIS); // the refresh period of a live view
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
