package org.rawsockets.coap;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One link of a CoRE link-format document (RFC 6690), as served by {@code /.well-known/core}.
 *
 * @param uri the target, e.g. {@code /sensors/temp}
 * @param attributes the link's attributes ({@code rt}, {@code if}, {@code ct}, {@code obs}, ...) with
 *            their values in document order; an attribute without value has an empty list
 */
public record CoapLink(String uri, Map<String, List<String>> attributes) {

    public CoapLink {
        Objects.requireNonNull(uri, "uri");
        attributes = Map.copyOf(attributes);
    }

    /** Whether the link carries {@code obs} (the resource is observable). */
    public boolean observable() {
        return attributes.containsKey("obs");
    }
}
