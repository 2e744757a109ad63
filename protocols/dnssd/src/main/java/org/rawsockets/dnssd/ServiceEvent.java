package org.rawsockets.dnssd;

import java.util.Objects;

/**
 * A change of one instance seen by a browse.
 *
 * @param kind {@code FOUND} (first seen), {@code UPDATED} (its host, port, TXT or addresses
 *            changed), {@code GONE} (a goodbye was received, or its PTR record's TTL ran out)
 * @param service the instance as known at that moment (for {@code GONE}: as last known)
 */
public record ServiceEvent(Kind kind, ServiceInfo service) {

    public enum Kind {
        FOUND, UPDATED, GONE
    }

    public ServiceEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(service, "service");
    }

    @Override
    public String toString() {
        return kind + " " + service;
    }
}
