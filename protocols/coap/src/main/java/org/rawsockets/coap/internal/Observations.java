package org.rawsockets.coap.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.coap.Request;
import org.rawsockets.coap.CoapClient;
import org.rawsockets.coap.CoapException;
import org.rawsockets.coap.CoapMethod;
import org.rawsockets.coap.CoapObservation;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapTimeoutException;

/**
 * Observe (RFC 7641) through Californium's {@code CoapClient}/{@code CoapObserveRelation} on this
 * device's endpoint (set explicitly, never {@code EndpointManager}'s default): notifications are
 * ordered by the relation, and when a notification's Max-Age passes without a newer one the
 * relation re-registers (after {@code NOTIFICATION_REREGISTRATION_BACKOFF}). One thread per
 * observation delivers to the listener, in order.
 */
final class Observations {

    private Observations() {
    }

    static CompletionStage<CoapObservation> observe(CoapClientImpl client, CoapRequest request,
            CoapClient.Listener listener) {
        if (request.method() != CoapMethod.GET && request.method() != CoapMethod.FETCH) {
            throw new IllegalArgumentException("coap " + client.name() + ": observe needs GET or FETCH, was "
                    + request.method());
        }
        return client.running().thenCompose(run -> {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "coap-observe-" + client.name());
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            java.net.InetSocketAddress peer = run.connector().peer();
            String host = peer.getAddress().getHostAddress();
            String path = request.path().startsWith("/") ? request.path() : "/" + request.path();
            String uri;
            try {
                // CoapClient sets this URI on the request (its path and query become the Uri-* options)
                uri = new java.net.URI(client.settings().scheme(), null, host, peer.getPort(), path,
                        request.query().isEmpty() ? null : request.query(), null).toASCIIString();
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("coap " + client.name() + ": bad path or query: " + e.getMessage(), e);
            }
            org.eclipse.californium.core.CoapClient cf = new org.eclipse.californium.core.CoapClient(uri);
            cf.setEndpoint(run.endpoint());
            cf.setExecutors(executor, executor, true);
            Observation o = new Observation(client, request, listener, executor, cf);
            Request coap = CoapClientImpl.toCoap(request, run.connector());
            coap.setObserve();
            o.relation = cf.observe(coap, o);
            return o.first.orTimeout(client.settings().timeoutMillis(), TimeUnit.MILLISECONDS).handle((v, e) -> {
                if (e == null) {
                    return (CoapObservation) o;
                }
                o.close();
                Throwable t = CoapClientImpl.unwrap(e);
                if (t instanceof java.util.concurrent.TimeoutException) {
                    t = new CoapTimeoutException(client.describe(request) + ": no first notification within "
                            + "timeoutMillis " + client.settings().timeoutMillis() + " ms");
                }
                throw new CompletionException(t);
            });
        });
    }

    private static final class Observation implements CoapObservation, CoapHandler {
        final CompletableFuture<Void> first = new CompletableFuture<>();
        private final CoapClientImpl client;
        private final CoapRequest request;
        private final CoapClient.Listener listener;
        private final ScheduledThreadPoolExecutor executor;
        private final org.eclipse.californium.core.CoapClient cf;
        private final AtomicLong count = new AtomicLong();
        private final AtomicBoolean closed = new AtomicBoolean();
        volatile CoapObserveRelation relation;

        Observation(CoapClientImpl client, CoapRequest request, CoapClient.Listener listener,
                ScheduledThreadPoolExecutor executor, org.eclipse.californium.core.CoapClient cf) {
            this.client = client;
            this.request = request;
            this.listener = listener;
            this.executor = executor;
            this.cf = cf;
        }

        @Override
        public void onLoad(org.eclipse.californium.core.CoapResponse response) {
            if (closed.get()) {
                return;
            }
            count.incrementAndGet();
            listener.onNotification(CoapClientImpl.toResponse(response.advanced()));
            first.complete(null);
        }

        @Override
        public void onError() {
            if (closed.get()) {
                return;
            }
            CoapException e = new CoapException(client.describe(request)
                    + ": the observation failed (timeout, reject or send error; see the gateway log)", null);
            if (!first.completeExceptionally(e)) {
                listener.onError(e);
            }
            close();
        }

        @Override
        public long notifications() {
            return count.get();
        }

        @Override
        public boolean isActive() {
            CoapObserveRelation r = relation;
            return !closed.get() && r != null && !r.isCanceled();
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            CoapObserveRelation r = relation;
            if (r != null && !r.isCanceled()) {
                r.proactiveCancel();
            }
            cf.shutdown();
            executor.shutdown();
        }
    }
}
