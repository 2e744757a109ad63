package org.rawsockets.coap;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A configured CoAP device (service property {@code name}). Requests run asynchronously; each
 * completes with the response (whatever its code), or fails with a {@link CoapException}:
 * {@link CoapTimeoutException}, {@link CoapTransportException} (policy, network, closed) or
 * {@link CoapProtocolException}.
 */
@ProviderType
public interface CoapClient {

    /** The configuration's {@code name}. */
    String name();

    /** {@code host:port} of the device as configured (or the named endpoint). */
    String target();

    /** Sends {@code request}; large payloads and responses travel block-wise (RFC 7959). */
    CompletionStage<CoapResponse> send(CoapRequest request);

    default CompletionStage<CoapResponse> get(String path) {
        return send(CoapRequest.get(path));
    }

    default CompletionStage<CoapResponse> put(String path, byte[] payload, int contentFormat) {
        return send(CoapRequest.of(CoapMethod.PUT, path).withPayload(payload, contentFormat));
    }

    default CompletionStage<CoapResponse> post(String path, byte[] payload, int contentFormat) {
        return send(CoapRequest.of(CoapMethod.POST, path).withPayload(payload, contentFormat));
    }

    default CompletionStage<CoapResponse> delete(String path) {
        return send(CoapRequest.of(CoapMethod.DELETE, path));
    }

    /**
     * Registers an observation of {@code request}'s resource (a GET with Observe: 0). The listener
     * receives the first response and every notification, in order, on one thread of the client; it
     * must not block for long. When a notification's Max-Age passes without a newer one, the client
     * re-registers. Completes once the first response arrived.
     */
    CompletionStage<CoapObservation> observe(CoapRequest request, Listener listener);

    /** {@code GET /.well-known/core} (with {@code query}, e.g. {@code rt=temperature}, or empty), parsed. */
    CompletionStage<List<CoapLink>> discover(String query);

    /** Receives Observe notifications. */
    interface Listener {
        void onNotification(CoapResponse notification);

        /** The observation ended with an error (it is not active any more). */
        default void onError(CoapException error) {
        }
    }
}
