package org.rawsockets.coap.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.californium.core.WebLink;
import org.eclipse.californium.core.coap.LinkFormat;
import org.eclipse.californium.core.server.resources.ResourceAttributes;
import org.rawsockets.coap.CoapLink;
import org.rawsockets.coap.CoapProtocolException;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapResponse;

/** CoRE link format (RFC 6690) of a {@code /.well-known/core} response into {@link CoapLink}s. */
final class Links {

    private Links() {
    }

    static List<CoapLink> parse(String what, CoapResponse response) {
        if (!response.isSuccess()) {
            throw new java.util.concurrent.CompletionException(new CoapProtocolException(what + ": the device answered "
                    + response.code() + " (" + response.text().strip() + "), no link-format document", null));
        }
        if (response.contentFormat() != CoapRequest.LINK_FORMAT && response.contentFormat() != -1) {
            throw new java.util.concurrent.CompletionException(new CoapProtocolException(what
                    + ": expected Content-Format 40 (application/link-format), got " + response.contentFormat(), null));
        }
        String text = response.text();
        if (!text.isBlank() && !text.strip().startsWith("<")) {
            throw new java.util.concurrent.CompletionException(new CoapProtocolException(what
                    + ": not a CoRE link-format document (a link starts with '<'): "
                    + text.substring(0, Math.min(60, text.length())), null));
        }
        Set<WebLink> links = LinkFormat.parse(text);
        List<CoapLink> out = new ArrayList<>(links.size());
        for (WebLink l : links) {
            ResourceAttributes a = l.getAttributes();
            Map<String, List<String>> attrs = new LinkedHashMap<>();
            for (String key : a.getAttributeKeySet()) {
                List<String> values = new ArrayList<>();
                for (String v : a.getAttributeValues(key)) {
                    if (v != null && !v.isEmpty()) {
                        values.add(v);
                    }
                }
                attrs.put(key, List.copyOf(values));
            }
            out.add(new CoapLink(l.getURI(), attrs));
        }
        return List.copyOf(out);
    }
}
