package org.rawsockets.dnssd;

/**
 * One record of a {@link DnsSd#query} answer, in text form.
 *
 * @param name the owner name (escaped as in {@link ServiceInfo#instanceName()})
 * @param type {@code A}, {@code AAAA}, {@code PTR}, {@code SRV}, {@code TXT}, {@code NSEC} or
 *            {@code TYPE<n>}
 * @param ttlSeconds the TTL as received
 * @param data the data in presentation form (an address, a name, {@code priority weight port target},
 *            TXT attributes, or {@code \# <length> <hex>} for other types)
 */
public record DnsSdRecord(String name, String type, long ttlSeconds, String data) {

    @Override
    public String toString() {
        return name + " " + ttlSeconds + " " + type + " " + data;
    }
}
