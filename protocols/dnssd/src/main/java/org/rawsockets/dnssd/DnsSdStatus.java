package org.rawsockets.dnssd;

/**
 * Counters of the DNS-SD client.
 *
 * @param networkInterface the configured interface name, empty for the system's default
 * @param open whether the mDNS socket is open
 * @param datagramsReceived datagrams received on port 5353
 * @param malformedMessages datagrams dropped because they did not decode ({@link DnsMessageException})
 * @param queriesSent query packets sent
 * @param cachedRecords records in the cache now
 * @param cacheEvictions records evicted early because the cache was full
 * @param browses browses running
 * @param lastError the last failure (socket or malformed message), empty when none
 */
public record DnsSdStatus(String networkInterface, boolean open, long datagramsReceived, long malformedMessages,
        long queriesSent, int cachedRecords, long cacheEvictions, int browses, String lastError) {
}
