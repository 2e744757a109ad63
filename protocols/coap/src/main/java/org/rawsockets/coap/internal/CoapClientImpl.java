package org.rawsockets.coap.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.List;

import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.rawsockets.coap.CoapClient;
import org.rawsockets.coap.CoapException;
import org.rawsockets.coap.CoapLink;
import org.rawsockets.coap.CoapObservation;
import org.rawsockets.coap.CoapProtocolException;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapResponse;
import org.rawsockets.coap.CoapTimeoutException;
import org.rawsockets.coap.CoapTransportException;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;

/**
 * A {@link CoapClient} for one device: an Eclipse Californium {@link CoapEndpoint} (message layer
 * with deduplication and retransmission, block-wise layer, observe layer) whose only connector is a
 * {@link SocketConnector} on a connected {@link UdpSocket} of the bundle's socket service, or for a
 * {@code coaps} device a {@link DtlsSocketConnector} (Scandium) on such a socket. The socket
 * is opened at the first request; when it fails (policy, network) the request fails and the next one
 * opens a new socket. Nothing here opens a socket of its own or asks {@code EndpointManager} for a
 * default endpoint.
 */
public final class CoapClientImpl implements CoapClient, AutoCloseable {

    static {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
    }

    private final CoapSettings settings;
    private final SocketService sockets;
    private final Configuration config;
    private final Object lock = new Object();
    private CompletableFuture<Running> running;
    private boolean closed;
    private volatile String lastError = "";
    private final ExchangeActivity activity = new ExchangeActivity(java.time.Clock.systemUTC());

    /** The endpoint over one opened socket. */
    record Running(CoapEndpoint endpoint, DeviceConnector connector) {
    }

    CoapClientImpl(CoapSettings settings, SocketService sockets) {
        this.settings = settings;
        this.sockets = sockets;
        this.config = configuration(settings);
    }

    /**
     * A client with the RFC 7252 defaults for {@code host:port} (for the benchmark and other
     * in-process users outside OSGi; the bundle's own clients come from configurations).
     */
    public static CoapClientImpl create(SocketService sockets, String name, String host, int port) {
        return new CoapClientImpl(CoapSettings.of(name, host, port), sockets);
    }

    static Configuration configuration(CoapSettings s) {
        Configuration c = new Configuration();
        c.set(CoapConfig.ACK_TIMEOUT, s.ackTimeoutMillis(), TimeUnit.MILLISECONDS);
        c.set(CoapConfig.MAX_ACK_TIMEOUT, Math.max(60_000L, s.ackTimeoutMillis() << s.maxRetransmit()),
                TimeUnit.MILLISECONDS);
        c.set(CoapConfig.ACK_INIT_RANDOM, s.ackRandomFactor());
        c.set(CoapConfig.ACK_TIMEOUT_SCALE, 2.0f);
        c.set(CoapConfig.MAX_RETRANSMIT, s.maxRetransmit());
        c.set(CoapConfig.PREFERRED_BLOCK_SIZE, s.blockSize());
        c.set(CoapConfig.MAX_MESSAGE_SIZE, s.blockSize());
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, s.maxBodyBytes());
        c.set(CoapConfig.BLOCKWISE_STATUS_LIFETIME, s.timeoutMillis(), TimeUnit.MILLISECONDS);
        return c;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String target() {
        return settings.target();
    }

    CoapSettings settings() {
        return settings;
    }

    /** One line for the shell: state, datagrams, last error. */
    String status() {
        synchronized (lock) {
            if (closed) {
                return "closed";
            }
            if (running == null || running.isCompletedExceptionally()) {
                return "idle" + (lastError.isEmpty() ? "" : ", last error: " + lastError);
            }
            if (!running.isDone()) {
                return "opening";
            }
            DeviceConnector c = running.join().connector();
            return (c.isRunning() ? "open" : "failed")
                    + (settings.dtls() != null ? " coaps, " + settings.dtls().describe() : "")
                    + ", datagrams sent " + c.datagramsSent() + ", received "
                    + c.datagramsReceived() + (c.datagramsMalformed() > 0 ? ", malformed " + c.datagramsMalformed() : "")
                    + (lastError.isEmpty() ? "" : ", last error: " + lastError);
        }
    }

    /**
     * This device for operator tools: name, {@code coap://host:port} (or {@code endpoint:NAME}), the
     * last request's outcome and the last error; no I/O.
     */
    org.rawsockets.socket.admin.DeviceStatus deviceStatus() {
        return activity.status(name(), settings.endpoint() != null ? target() : settings.scheme() + "://" + target());
    }

    /** The endpoint over an open socket, opening one when there is none (or the last one failed). */
    CompletableFuture<Running> running() {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new CoapTransportException("coap " + name()
                        + ": the device client is closed (configuration removed or bundle stopping)", null));
            }
            if (running != null && !running.isCompletedExceptionally()
                    && (!running.isDone() || running.join().connector().isRunning())) {
                return running;
            }
            if (running != null && running.isDone() && !running.isCompletedExceptionally()) {
                running.join().endpoint().destroy();
            }
            UdpSocket socket = settings.endpoint() != null
                    ? sockets.openUdpEndpoint(settings.endpoint(), UdpSocketOptions.connected("localhost", 1))
                    : sockets.openUdp(UdpSocketOptions.connected(settings.host(), settings.port()));
            CompletableFuture<Running> f = socket.opened().toCompletableFuture()
                    .orTimeout(settings.connectTimeoutMillis(), TimeUnit.MILLISECONDS).thenApply(info -> {
                        DeviceConnector connector = connector(socket, info);
                        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConnector(connector)
                                .setConfiguration(config).setLoggingTag("coap " + name()).build();
                        try {
                            endpoint.start();
                        } catch (IOException e) {
                            endpoint.destroy();
                            throw new CompletionException(e);
                        }
                        return new Running(endpoint, connector);
                    });
            f.whenComplete((r, e) -> {
                if (e != null) {
                    socket.close();
                }
            });
            running = f;
            return f;
        }
    }

    /** The plain connector, or for DTLS Scandium's over the socket with the key or certificates read now. */
    private DeviceConnector connector(UdpSocket socket, org.rawsockets.socket.UdpOpenInfo info) {
        DtlsSettings dtls = settings.dtls();
        if (dtls == null) {
            return new SocketConnector(socket, info, name());
        }
        try {
            if (dtls.psk()) {
                return DtlsSocketConnector.create(config, name(), dtls, dtls.key().read(), null, socket, info);
            }
            CertificateSettings certs = dtls.certificates();
            String expected = certs.serverName() != null ? certs.serverName()
                    : info.remote().orElseThrow().getAddress().getHostAddress();
            return DtlsSocketConnector.create(config, name(), dtls, null,
                    new CertificateHandshake(certs, certs.load(name()), expected), socket, info);
        } catch (org.rawsockets.coap.CoapHandshakeException e) {
            throw new CompletionException(e);
        }
    }

    @Override
    public CompletionStage<CoapResponse> send(CoapRequest request) {
        CompletableFuture<CoapResponse> result = new CompletableFuture<>();
        Request[] sent = new Request[1];
        long[] sentAt = new long[1]; // guarded by sent
        running().whenComplete((r, e) -> {
            if (e != null) {
                result.completeExceptionally(openFailure(request, e));
                return;
            }
            Request coap = toCoap(request, r.connector());
            synchronized (sent) {
                sent[0] = coap;
                sentAt[0] = System.nanoTime();
            }
            coap.addMessageObserver(new Outcome(request, result, r.connector()));
            r.endpoint().sendRequest(coap);
        });
        result.orTimeout(settings.timeoutMillis(), TimeUnit.MILLISECONDS);
        return result.handle((resp, e) -> {
            if (e == null) {
                synchronized (sent) {
                    activity.answered(resp.code(), (System.nanoTime() - sentAt[0]) / 1_000_000);
                }
                return resp;
            }
            Throwable t = unwrap(e);
            if (t instanceof TimeoutException) {
                synchronized (sent) {
                    if (sent[0] != null) {
                        sent[0].cancel();
                    }
                }
                t = new CoapTimeoutException(describe(request) + ": no response within timeoutMillis "
                        + settings.timeoutMillis() + " ms");
            }
            lastError = t.getMessage();
            activity.failed(t);
            throw new CompletionException(t);
        });
    }

    private CoapException openFailure(CoapRequest request, Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof CoapException ce) {
            return ce;
        }
        if (t instanceof TimeoutException) {
            return new CoapTimeoutException(describe(request) + ": the UDP socket did not open within "
                    + "connectTimeoutMillis " + settings.connectTimeoutMillis() + " ms");
        }
        return new CoapTransportException(describe(request) + ": cannot open the UDP socket: " + t.getMessage(), t);
    }

    String describe(CoapRequest request) {
        return "coap " + name() + " (" + target() + "): " + request;
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static Request toCoap(CoapRequest request, DeviceConnector connector) {
        CoAP.Code code = switch (request.method()) {
            case GET -> CoAP.Code.GET;
            case POST -> CoAP.Code.POST;
            case PUT -> CoAP.Code.PUT;
            case DELETE -> CoAP.Code.DELETE;
            case FETCH -> CoAP.Code.FETCH;
        };
        Request r = new Request(code, request.confirmable() ? CoAP.Type.CON : CoAP.Type.NON);
        // the virtual host is what Scandium sends as SNI (when the connector enables it)
        r.setDestinationContext(new AddressEndpointContext(connector.peer(), connector.serverNameIndication(), null));
        OptionSet o = r.getOptions();
        String path = request.path().startsWith("/") ? request.path().substring(1) : request.path();
        if (!path.isEmpty()) {
            o.setUriPath(path);
        }
        if (!request.query().isEmpty()) {
            o.setUriQuery(request.query());
        }
        if (request.contentFormat() >= 0) {
            o.setContentFormat(request.contentFormat());
        }
        if (request.accept() >= 0) {
            o.setAccept(request.accept());
        }
        if (request.payload().length > 0) {
            r.setPayload(request.payload());
        }
        return r;
    }

    static CoapResponse toResponse(Response r) {
        OptionSet o = r.getOptions();
        return new CoapResponse(r.getCode().text, o.getContentFormat(), o.hasObserve() ? o.getObserve() : -1,
                o.getMaxAge() == null ? 60 : o.getMaxAge(), r.getPayload() == null ? new byte[0] : r.getPayload());
    }

    /** Completes the caller's future from Californium's exchange events. */
    private final class Outcome extends MessageObserverAdapter {
        private final CoapRequest request;
        private final CompletableFuture<CoapResponse> result;
        private final DeviceConnector connector;

        Outcome(CoapRequest request, CompletableFuture<CoapResponse> result, DeviceConnector connector) {
            this.request = request;
            this.result = result;
            this.connector = connector;
        }

        @Override
        public void onResponse(Response response) {
            result.complete(toResponse(response));
        }

        @Override
        public void onTimeout() {
            result.completeExceptionally(new CoapTimeoutException(describe(request) + (request.confirmable()
                    ? ": not acknowledged after " + (settings.maxRetransmit() + 1) + " transmissions (ackTimeoutMillis "
                            + settings.ackTimeoutMillis() + " doubled at each retransmission, maxRetransmit "
                            + settings.maxRetransmit() + "); is a CoAP server running there?"
                    : ": no response to the non-confirmable request")));
        }

        @Override
        public void onReject() {
            result.completeExceptionally(new CoapProtocolException(describe(request)
                    + ": the device rejected the message (RST)", null));
        }

        @Override
        public void onCancel() {
            result.completeExceptionally(new CoapException(describe(request) + ": cancelled", null));
        }

        @Override
        protected void failed() {
            // onTimeout/onReject/onCancel/onSendError report it
        }

        @Override
        public void onSendError(Throwable error) {
            if (connector instanceof DtlsSocketConnector dtls) {
                CoapException handshake = HandshakeFailures.of(describe(request), settings.dtls(), dtls, error);
                if (handshake != null) {
                    result.completeExceptionally(handshake);
                    return;
                }
            }
            result.completeExceptionally(new CoapTransportException(describe(request) + ": cannot send: "
                    + error.getMessage(), error));
        }

        @Override
        public void onResponseHandlingError(Throwable cause) {
            result.completeExceptionally(new CoapProtocolException(describe(request) + ": bad response: "
                    + cause.getMessage() + " (maxBodyBytes " + settings.maxBodyBytes() + ")", cause));
        }
    }

    @Override
    public CompletionStage<CoapObservation> observe(CoapRequest request, Listener listener) {
        return Observations.observe(this, request, listener);
    }

    @Override
    public CompletionStage<List<CoapLink>> discover(String query) {
        CoapRequest req = CoapRequest.get("/.well-known/core").withQuery(query).withAccept(CoapRequest.LINK_FORMAT);
        return send(req).thenApply(resp -> Links.parse(describe(req), resp));
    }

    @Override
    public void close() {
        CompletableFuture<Running> r;
        synchronized (lock) {
            closed = true;
            r = running;
            running = null;
        }
        if (r != null) {
            r.whenComplete((run, e) -> {
                if (run != null) {
                    run.endpoint().destroy();
                }
            });
        }
    }
}
