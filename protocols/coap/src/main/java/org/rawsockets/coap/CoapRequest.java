package org.rawsockets.coap;

import java.util.Objects;

/**
 * A request to a device. Immutable; the {@code with...} methods return copies.
 *
 * @param method the method
 * @param path the resource path, e.g. {@code /sensors/temp} (split into Uri-Path options)
 * @param query the query without {@code ?}, e.g. {@code a=1&b=2} (split at {@code &} into Uri-Query
 *            options), or empty
 * @param payload the body, sent block-wise when larger than the block size; empty for none
 * @param contentFormat the Content-Format of the payload, -1 for none
 * @param accept the Accept option, -1 for none
 * @param confirmable CON (acknowledged, retransmitted) or NON
 */
public record CoapRequest(CoapMethod method, String path, String query, byte[] payload, int contentFormat, int accept,
        boolean confirmable) {

    /** Content-Format {@code text/plain;charset=utf-8}. */
    public static final int TEXT_PLAIN = 0;
    /** Content-Format {@code application/link-format}. */
    public static final int LINK_FORMAT = 40;
    /** Content-Format {@code application/octet-stream}. */
    public static final int OCTET_STREAM = 42;
    /** Content-Format {@code application/json}. */
    public static final int JSON = 50;

    public CoapRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = query == null ? "" : query;
        payload = payload == null ? new byte[0] : payload;
        if (contentFormat < -1 || contentFormat > 65535) {
            throw new IllegalArgumentException("contentFormat must be -1 (none) or 0..65535, was " + contentFormat);
        }
        if (accept < -1 || accept > 65535) {
            throw new IllegalArgumentException("accept must be -1 (none) or 0..65535, was " + accept);
        }
    }

    /** A confirmable request without payload. */
    public static CoapRequest of(CoapMethod method, String path) {
        return new CoapRequest(method, path, "", new byte[0], -1, -1, true);
    }

    public static CoapRequest get(String path) {
        return of(CoapMethod.GET, path);
    }

    public CoapRequest withPayload(byte[] body, int format) {
        return new CoapRequest(method, path, query, body, format, accept, confirmable);
    }

    public CoapRequest withQuery(String q) {
        return new CoapRequest(method, path, q, payload, contentFormat, accept, confirmable);
    }

    public CoapRequest withAccept(int format) {
        return new CoapRequest(method, path, query, payload, contentFormat, format, confirmable);
    }

    public CoapRequest withConfirmable(boolean con) {
        return new CoapRequest(method, path, query, payload, contentFormat, accept, con);
    }

    @Override
    public String toString() {
        return (confirmable ? "CON " : "NON ") + method + " " + path + (query.isEmpty() ? "" : "?" + query)
                + (payload.length > 0 ? " (" + payload.length + " bytes)" : "");
    }
}
