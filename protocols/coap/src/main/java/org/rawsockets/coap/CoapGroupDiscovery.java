package org.rawsockets.coap;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * CoAP resource discovery over multicast (RFC 7252 section 8, RFC 7390 section 2.6, RFC 6690): a
 * non-confirmable {@code GET /.well-known/core} (optionally with a query filter such as
 * {@code rt=temperature}) sent to the configured group (IPv4 All-CoAP-Nodes {@code 224.0.1.187}, or
 * IPv6 {@code ff02::fd}; port 5683 by default) on the configured interface, with the configured
 * multicast TTL (default 1). Every unicast response that arrives within the window is collected, one
 * per server (source address and port); the stage completes at the end of the window, or as soon as
 * {@code maxResponses} servers answered. Nobody answering is an empty list, not an error.
 *
 * <p>The request and the responses go through a bound {@code UdpSocket} of the bundle's socket
 * service: the operator's policy decides the bind, the send to the group and which servers' answers
 * are accepted. A refused or failed socket fails the stage with {@link CoapTransportException}.
 * Responses that are malformed, not for this request, not 2.05, or not a link-format document are
 * skipped (counted in the log), never an error of the whole discovery.
 */
@ProviderType
public interface CoapGroupDiscovery {

    /** The group, port and interface requests go to, e.g. {@code 224.0.1.187:5683 on lo}. */
    String target();

    /** Discovery with the configured window and response limit. */
    CompletionStage<List<CoapServerLinks>> discover(String query);

    /**
     * Discovery with its own bounds.
     *
     * @param query the query filter without {@code ?} (e.g. {@code rt=temperature}), or empty
     * @param window how long answers are collected (at least 100 ms, at most 10 minutes); servers
     *            delay their answers to a multicast request by up to their Leisure (RFC 7252
     *            section 8.2, 5 s by default), so a window shorter than that misses some
     * @param maxResponses stop after this many servers answered (1..1024)
     * @throws IllegalArgumentException when a bound is out of range
     */
    CompletionStage<List<CoapServerLinks>> discover(String query, Duration window, int maxResponses);
}
