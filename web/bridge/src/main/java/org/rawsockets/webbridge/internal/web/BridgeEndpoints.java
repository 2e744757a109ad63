package org.rawsockets.webbridge.internal.web;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.rawsockets.socket.OriginSocketService;
import org.rawsockets.socket.OriginSocketServices;
import org.rawsockets.webbridge.internal.protocol.Frame;
import org.rawsockets.webbridge.internal.session.BridgeSession;
import org.rawsockets.webbridge.internal.session.Limits;
import org.rawsockets.webbridge.internal.session.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's jakarta.websocket endpoint ({@code /direct-sockets}) on any jakarta.websocket 2.1
 * container: the gateway's (Felix HTTP Jetty 12) or an embedded Jetty in tests. The handshake checks
 * the {@code Origin} (403 when not allowed); the page's token is checked when the WebSocket opens
 * (1008 with the reason when missing, unknown or expired); then one {@link BridgeSession} per
 * WebSocket, its sockets opened for the page's origin.
 */
public final class BridgeEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeEndpoints.class);
    private static final String ORIGIN = "rawsockets.origin";
    private static final String TOKEN = "rawsockets.token";

    private final OriginSocketServices origins;
    private final Admission admission;
    private final Limits limits;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();

    public BridgeEndpoints(OriginSocketServices origins, Admission admission, Limits limits) {
        this.origins = origins;
        this.admission = admission;
        this.limits = limits;
    }

    /** The endpoint's configuration for {@code path}, to add to a {@code ServerContainer}. */
    public ServerEndpointConfig config(String path) {
        return ServerEndpointConfig.Builder.create(Endpoint.class, path)
                .subprotocols(List.of(Admission.SUBPROTOCOL))
                .configurator(new Guard())
                .build();
    }

    /** The open bridge connections: origin, client, sockets, queued bytes. */
    public List<String> describeConnections() {
        return connections.stream().map(Connection::toString).sorted().toList();
    }

    /** Closes every connection (the component stops). */
    public void closeAll() {
        for (Connection c : List.copyOf(connections)) {
            c.close(CloseReason.CloseCodes.GOING_AWAY.getCode(), "the gateway's bridge is stopping");
        }
    }

    private final class Guard extends ServerEndpointConfig.Configurator {
        @Override
        public boolean checkOrigin(String originHeaderValue) {
            boolean ok = admission.originAllowed(originHeaderValue);
            if (!ok) {
                LOG.warn("bridge handshake refused (403): Origin '{}' is not in allowedOrigins {} of"
                        + " etc/org.rawsockets.webbridge.cfg", originHeaderValue, admission.allowedOrigins());
            }
            return ok;
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
            Map<String, List<String>> h = request.getHeaders();
            sec.getUserProperties().put(ORIGIN, first(h, "Origin"));
            String token = Admission.presentedToken(header(h, "Sec-WebSocket-Protocol"), header(h, "Authorization"));
            if (token != null) {
                sec.getUserProperties().put(TOKEN, token);
            } else {
                sec.getUserProperties().remove(TOKEN);
            }
        }

        @Override
        public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
            return requested.contains(Admission.SUBPROTOCOL) ? Admission.SUBPROTOCOL : "";
        }

        /**
         * No extensions (no permessage-deflate: the bridge's payloads are device bytes). Overridden because
         * the inherited method asks the container's default configurator, which the API looks up with
         * {@code ServiceLoader}: that fails inside OSGi ("Cannot load platform configurator").
         */
        @Override
        public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
            return List.of();
        }

        @SuppressWarnings("unchecked")
        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            return (T) new Connection();
        }
    }

    private static List<String> header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = header(headers, name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** One page's WebSocket. */
    private final class Connection extends Endpoint implements Transport {
        private volatile Session ws;
        private volatile BridgeSession bridge;
        private volatile OriginSocketService sockets;
        private volatile String who = "a page";

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            this.ws = session;
            String origin = (String) config.getUserProperties().get(ORIGIN);
            Tokens.Check check = admission.token((String) config.getUserProperties().get(TOKEN));
            who = "origin " + origin + (check.client() == null ? "" : " client " + check.client());
            if (!admission.originAllowed(origin)) { // the container checked it already; never trust one place only
                refuse(session, "origin " + origin + " is not allowed");
                return;
            }
            if (!check.ok()) {
                LOG.warn("bridge connection of {} refused: {}", who, check.refusal());
                refuse(session, check.refusal());
                return;
            }
            try {
                sockets = origins.forOrigin(origin, check.client());
            } catch (IllegalArgumentException | IllegalStateException e) {
                refuse(session, e.getMessage());
                return;
            }
            session.setMaxBinaryMessageBufferSize(Frame.HEADER + Frame.maxPayload(Frame.DATAGRAM));
            bridge = new BridgeSession(sockets, this, limits, who);
            connections.add(this);
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (b, last) -> bridge.received(b));
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) t -> bridge.receivedText(t));
            LOG.info("bridge connection of {} opened", who);
        }

        /**
         * Closes with 1008 and the reason, after onOpen returned, with handlers that take and drop
         * the frames the page sent before it saw the close (its first OPEN is usually on the way).
         * Closed from inside onOpen without handlers, the container ended the connection without
         * waiting for the page's side of the close handshake; the page's late OPEN then met a closed
         * socket, whose reset could discard the 1008 and its reason before the page read them (the
         * page saw a bare network error about one time in six).
         */
        private void refuse(Session session, String reason) {
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (b, last) -> {
            });
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) t -> {
            });
            CompletableFuture.runAsync(() -> close(CloseReason.CloseCodes.VIOLATED_POLICY.getCode(), reason),
                    CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS));
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            end();
            LOG.info("bridge connection of {} closed: {} {}", who, reason.getCloseCode().getCode(), reason.getReasonPhrase());
        }

        @Override
        public void onError(Session session, Throwable error) {
            LOG.info("bridge connection of {} failed: {}", who, error.toString());
            end();
        }

        private void end() {
            connections.remove(this);
            BridgeSession b = bridge;
            if (b != null) {
                b.ended();
            }
            OriginSocketService s = sockets;
            if (s != null) {
                s.close();
            }
        }

        @Override
        public void send(ByteBuffer message, Consumer<Throwable> done) {
            try {
                ws.getAsyncRemote().sendBinary(message, r -> done.accept(r.isOK() ? null : r.getException()));
            } catch (RuntimeException e) {
                done.accept(e);
            }
        }

        @Override
        public void close(int code, String reason) {
            byte[] b = reason.getBytes(StandardCharsets.UTF_8);
            String cut = b.length <= 123 ? reason : new String(b, 0, 120, StandardCharsets.UTF_8) + "...";
            try {
                ws.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), cut));
            } catch (java.io.IOException | RuntimeException e) {
                LOG.debug("closing the bridge connection of {}: {}", who, e.toString());
            }
        }

        @Override
        public String toString() {
            BridgeSession b = bridge;
            return who + (b == null ? "" : ": " + b.openSockets() + " sockets, " + b.outboundQueued()
                    + " bytes queued to the page (peak " + b.outboundPeak() + ")");
        }
    }
}
