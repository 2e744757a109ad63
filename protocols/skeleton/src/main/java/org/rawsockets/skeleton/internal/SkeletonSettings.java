package org.rawsockets.skeleton.internal;

import java.time.Duration;

/**
 * A server's validated settings: {@code host}/{@code port} or a socket {@code endpoint} (the other
 * empty), the deadlines and the line limit.
 */
public record SkeletonSettings(String name, String host, int port, String endpoint, Duration connectTimeout,
        Duration timeout, int maxLineBytes) {

    /** {@code host:port} or {@code endpoint NAME}. */
    public String target() {
        return endpoint.isEmpty() ? (host.contains(":") ? "[" + host + "]" : host) + ":" + port : "endpoint " + endpoint;
    }
}
