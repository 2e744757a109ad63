package org.rawsockets.dnssd.internal.codec;

import java.util.Objects;

/**
 * A question; {@code unicastResponse} is the QU bit (the top bit of the class, RFC 6762 §5.4).
 */
public record DnsQuestion(DnsName name, int type, int dnsClass, boolean unicastResponse) {

    public DnsQuestion {
        Objects.requireNonNull(name, "name");
        DnsRecord.checkU16("type", type);
        if (dnsClass < 0 || dnsClass > 0x7fff) {
            throw new IllegalArgumentException("class must be in 0..32767 (the top bit is the QU bit), was " + dnsClass);
        }
    }

    /** A class IN question, multicast response wanted. */
    public static DnsQuestion of(DnsName name, int type) {
        return new DnsQuestion(name, type, RecordType.CLASS_IN, false);
    }
}
