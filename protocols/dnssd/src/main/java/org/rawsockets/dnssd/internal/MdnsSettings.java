package org.rawsockets.dnssd.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Validated settings of the mDNS client.
 *
 * @param networkInterface interface name for multicast ({@code eth0}, {@code lo}); empty: the system's default
 * @param ipv6 also use ff02::fb on [::]:5353
 * @param multicastTimeToLive IP TTL / hop limit of sent packets (RFC 6762 §11 says 255)
 * @param timeout default limit of resolve and query
 * @param openTimeout limit for opening the socket and joining the group
 * @param maxCacheRecords records cached at most (the soonest to expire is evicted beyond)
 * @param maxBrowses concurrent browses at most
 * @param maxEventsPerBrowse events buffered per browse before further ones are dropped and counted
 * @param maxPending resolves and queries waiting at once at most
 * @param maxPacketSize largest query packet sent (known answers beyond go into TC-continued packets)
 */
public record MdnsSettings(String networkInterface, boolean ipv6, int multicastTimeToLive, Duration timeout,
        Duration openTimeout, int maxCacheRecords, int maxBrowses, int maxEventsPerBrowse, int maxPending,
        int maxPacketSize) {

    public MdnsSettings {
        Objects.requireNonNull(networkInterface, "networkInterface");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(openTimeout, "openTimeout");
    }

    /** Defaults: system interface, IPv4 only, TTL 255, 5 s, 4096 records, 64 browses, 1024 events. */
    public static MdnsSettings defaults() {
        return new MdnsSettings("", false, 255, Duration.ofSeconds(5), Duration.ofSeconds(10), 4096, 64, 1024, 256, 1440);
    }

    public MdnsSettings withInterface(String name) {
        return new MdnsSettings(name, ipv6, multicastTimeToLive, timeout, openTimeout, maxCacheRecords, maxBrowses,
                maxEventsPerBrowse, maxPending, maxPacketSize);
    }

    public MdnsSettings withTimeToLive(int ttl) {
        return new MdnsSettings(networkInterface, ipv6, ttl, timeout, openTimeout, maxCacheRecords, maxBrowses,
                maxEventsPerBrowse, maxPending, maxPacketSize);
    }

    public MdnsSettings withIpv6(boolean on) {
        return new MdnsSettings(networkInterface, on, multicastTimeToLive, timeout, openTimeout, maxCacheRecords, maxBrowses,
                maxEventsPerBrowse, maxPending, maxPacketSize);
    }

    public MdnsSettings withMaxCacheRecords(int n) {
        return new MdnsSettings(networkInterface, ipv6, multicastTimeToLive, timeout, openTimeout, n, maxBrowses,
                maxEventsPerBrowse, maxPending, maxPacketSize);
    }

    /** The interface for messages: {@code lo}, or {@code the default interface}. */
    public String interfaceText() {
        return networkInterface.isEmpty() ? "the default interface" : "interface " + networkInterface;
    }
}
