package org.rawsockets.dnssd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.dnssd.internal.codec.DnsName;
import org.rawsockets.dnssd.internal.codec.DnsRecord;
import org.rawsockets.dnssd.internal.codec.RecordType;

/** The cache's rules with a controlled clock (no waiting): goodbye, cache flush, expiry, the bound. */
class RecordCacheTest {

    static final long S = RecordCache.SECOND;
    static final DnsName TYPE = DnsName.parse("_ipp._tcp.local");

    static DnsRecord ptr(String instance, long ttl) {
        return DnsRecord.of(TYPE, ttl, new DnsRecord.Ptr(TYPE.prepend(instance)));
    }

    @Test
    void goodbyeExpiresOneSecondLaterAndTtlRunsOut() {
        RecordCache c = new RecordCache(16);
        c.put(ptr("a", 120), 0);
        c.put(ptr("b", 10), 0);
        assertEquals(2, c.records(TYPE, RecordType.PTR, 5 * S).size());
        assertEquals(5, c.records(TYPE, RecordType.PTR, 5 * S).get(1).ttl(), "remaining TTL");
        c.put(ptr("a", 0), 6 * S); // goodbye
        assertEquals(List.of(), c.expire(6 * S + S / 2));
        assertEquals(List.of(ptr("a", 120)), c.expire(7 * S));
        assertEquals(List.of(ptr("b", 10)), c.expire(10 * S));
        assertEquals(0, c.size());
    }

    @Test
    void cacheFlushRetiresOlderRecordsOfTheSameNameAndType() {
        RecordCache c = new RecordCache(16);
        DnsName inst = TYPE.prepend("x");
        DnsRecord oldSrv = DnsRecord.of(inst, 120, new DnsRecord.Srv(0, 0, 631, DnsName.parse("h.local")));
        DnsRecord newSrv = new DnsRecord(inst, RecordType.SRV, 1, true, 120, new DnsRecord.Srv(0, 0, 8631,
                DnsName.parse("h.local")));
        c.put(oldSrv, 0);
        c.put(newSrv, 5 * S);
        assertEquals(2, c.records(inst, RecordType.SRV, 5 * S).size());
        assertEquals(1, c.expire(6 * S).size());
        assertEquals(8631, ((DnsRecord.Srv) c.records(inst, RecordType.SRV, 6 * S).get(0).data()).port());
    }

    @Test
    void theCacheIsBoundedAndEvictsTheSoonestToExpire() {
        RecordCache c = new RecordCache(100);
        for (int i = 0; i < 1000; i++) {
            List<DnsRecord> evicted = c.put(ptr("p" + i, 1000 + i), 0);
            assertTrue(c.size() <= 100);
            if (i >= 100) {
                assertEquals(List.of(ptr("p" + (i - 100), 1000 + i - 100)), evicted);
            }
        }
        assertEquals(900, c.evictions());
    }

    @Test
    void ipv6TextIsCompressed() {
        assertEquals("::1", MdnsClient.ipv6Text(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }));
        assertEquals("fe80::1:0:0:2", MdnsClient.ipv6Text(new byte[] { (byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
                0, 0, 0, 2 }));
        assertEquals("2001:db8::", MdnsClient.ipv6Text(new byte[] { 0x20, 1, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0 }));
    }
}
