package org.rawsockets.coap;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A response (or an Observe notification).
 *
 * @param code the response code as {@code c.dd} (e.g. {@code 2.05}); 4.xx and 5.xx are responses too
 * @param contentFormat the Content-Format option, -1 when absent
 * @param observe the Observe sequence number of a notification, -1 when absent
 * @param maxAge the Max-Age option in seconds (60 when absent, as RFC 7252 says)
 * @param payload the whole body (block-wise transfers reassembled)
 */
public record CoapResponse(String code, int contentFormat, long observe, long maxAge, byte[] payload) {

    public CoapResponse {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(payload, "payload");
    }

    /** Whether the code is of class 2 (Success). */
    public boolean isSuccess() {
        return code.startsWith("2.");
    }

    /** The payload as UTF-8 text. */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "CoapResponse[" + code + ", contentFormat=" + contentFormat + ", " + payload.length + " bytes"
                + (observe >= 0 ? ", observe=" + observe : "") + "]";
    }
}
