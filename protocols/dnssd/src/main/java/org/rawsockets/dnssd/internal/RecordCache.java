package org.rawsockets.dnssd.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rawsockets.dnssd.internal.codec.DnsName;
import org.rawsockets.dnssd.internal.codec.DnsRecord;

/**
 * The bounded record cache (RFC 6762 §10): records by name and type, each with its arrival time
 * and expiry. A goodbye (TTL 0) and a cache-flush record make the records they replace expire one
 * second later (§10.1, §10.2). Beyond {@code maxRecords} the record closest to expiry is evicted
 * and counted. Not thread-safe: the client uses it from its one thread only.
 */
final class RecordCache {

    static final long SECOND = 1_000_000_000L;

    static final class Entry {
        final DnsRecord record; // TTL as received
        final long receivedNanos;
        long expiresNanos;
        int refreshes; // refresh queries sent for it (80 %, 85 %, 90 %, 95 % of its life)

        Entry(DnsRecord record, long receivedNanos, long expiresNanos) {
            this.record = record;
            this.receivedNanos = receivedNanos;
            this.expiresNanos = expiresNanos;
        }

        /** The fraction of its life gone at {@code now}. */
        double age(long now) {
            long life = record.ttl() * SECOND;
            return life <= 0 ? 1 : (double) (now - receivedNanos) / life;
        }

        /** The record with the remaining TTL in seconds. */
        DnsRecord current(long now) {
            return record.withTtl(Math.max(0, (expiresNanos - now) / SECOND));
        }
    }

    private final int maxRecords;
    private final Map<String, Map<DnsRecord, Entry>> byNameType = new HashMap<>();
    private int size;
    private long evictions;

    RecordCache(int maxRecords) {
        this.maxRecords = maxRecords;
    }

    private static String key(DnsName name, int type) {
        return type + "/" + name.key();
    }

    private static DnsRecord identity(DnsRecord r) {
        return new DnsRecord(r.name(), r.type(), r.dnsClass(), false, 0, r.data());
    }

    /**
     * Adds or refreshes a received record; returns the records evicted to make room (so the caller
     * can report what disappeared).
     */
    List<DnsRecord> put(DnsRecord r, long now) {
        List<DnsRecord> evicted = new ArrayList<>();
        Map<DnsRecord, Entry> set = byNameType.computeIfAbsent(key(r.name(), r.type()), k -> new LinkedHashMap<>());
        DnsRecord id = identity(r);
        if (r.ttl() == 0) {
            Entry e = set.get(id);
            if (e != null) {
                e.expiresNanos = Math.min(e.expiresNanos, now + SECOND);
            }
            if (set.isEmpty()) {
                byNameType.remove(key(r.name(), r.type()));
            }
            return evicted;
        }
        if (r.cacheFlush()) {
            for (Entry e : set.values()) {
                if (!identity(e.record).equals(id) && e.receivedNanos < now - SECOND) {
                    e.expiresNanos = Math.min(e.expiresNanos, now + SECOND);
                }
            }
        }
        Entry old = set.put(id, new Entry(r, now, now + r.ttl() * SECOND));
        if (old == null) {
            size++;
            while (size > maxRecords) {
                DnsRecord gone = evictOne(id);
                if (gone == null) {
                    break;
                }
                evicted.add(gone);
            }
        }
        return evicted;
    }

    private DnsRecord evictOne(DnsRecord keep) {
        Entry victim = null;
        Map<DnsRecord, Entry> victimSet = null;
        for (Map<DnsRecord, Entry> set : byNameType.values()) {
            for (Entry e : set.values()) {
                if ((victim == null || e.expiresNanos < victim.expiresNanos) && !identity(e.record).equals(keep)) {
                    victim = e;
                    victimSet = set;
                }
            }
        }
        if (victim == null) {
            return null;
        }
        victimSet.remove(identity(victim.record));
        if (victimSet.isEmpty()) {
            byNameType.remove(key(victim.record.name(), victim.record.type()));
        }
        size--;
        evictions++;
        return victim.record;
    }

    /** Removes the records expired at {@code now}; returns them. */
    List<DnsRecord> expire(long now) {
        List<DnsRecord> out = new ArrayList<>();
        for (Iterator<Map<DnsRecord, Entry>> sets = byNameType.values().iterator(); sets.hasNext();) {
            Map<DnsRecord, Entry> set = sets.next();
            for (Iterator<Entry> it = set.values().iterator(); it.hasNext();) {
                Entry e = it.next();
                if (e.expiresNanos <= now) {
                    it.remove();
                    size--;
                    out.add(e.record);
                }
            }
            if (set.isEmpty()) {
                sets.remove();
            }
        }
        return out;
    }

    /** The live entries of a name and type (in arrival order). */
    List<Entry> entries(DnsName name, int type, long now) {
        Map<DnsRecord, Entry> set = byNameType.get(key(name, type));
        if (set == null) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>(set.size());
        for (Entry e : set.values()) {
            if (e.expiresNanos > now) {
                out.add(e);
            }
        }
        return out;
    }

    /** The live records of a name and type, with their remaining TTL. */
    List<DnsRecord> records(DnsName name, int type, long now) {
        List<DnsRecord> out = new ArrayList<>();
        for (Entry e : entries(name, type, now)) {
            out.add(e.current(now));
        }
        return out;
    }

    int size() {
        return size;
    }

    long evictions() {
        return evictions;
    }
}
