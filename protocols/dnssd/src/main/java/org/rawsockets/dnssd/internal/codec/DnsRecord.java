package org.rawsockets.dnssd.internal.codec;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A resource record. {@code cacheFlush} is the top bit of the class (RFC 6762 §10.2); {@code ttl}
 * is in seconds (0: a goodbye).
 */
public record DnsRecord(DnsName name, int type, int dnsClass, boolean cacheFlush, long ttl, Data data) {

    public DnsRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        checkU16("type", type);
        if (dnsClass < 0 || dnsClass > 0x7fff) {
            throw new IllegalArgumentException("class must be in 0..32767 (the top bit is cache-flush), was " + dnsClass);
        }
        if (ttl < 0 || ttl > 0xffffffffL) {
            throw new IllegalArgumentException("ttl must be in 0..4294967295 seconds, was " + ttl);
        }
        int expected = data.type();
        if (expected >= 0 && expected != type) {
            throw new IllegalArgumentException(data.getClass().getSimpleName() + " data cannot be the data of a "
                    + RecordType.name(type) + " record");
        }
    }

    static int checkU16(String what, int v) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException(what + " must be in 0..65535, was " + v);
        }
        return v;
    }

    /** A class IN record. */
    public static DnsRecord of(DnsName name, long ttl, Data data) {
        return new DnsRecord(name, data.type(), RecordType.CLASS_IN, false, ttl, data);
    }

    /** Same name, type, class and data (what a cache keys a record by; TTL and flags aside). */
    public boolean sameRecord(DnsRecord o) {
        return o.type == type && o.dnsClass == dnsClass && o.name.equals(name) && o.data.equals(data);
    }

    public DnsRecord withTtl(long newTtl) {
        return new DnsRecord(name, type, dnsClass, cacheFlush, newTtl, data);
    }

    @Override
    public String toString() {
        return name + " " + ttl + " " + RecordType.name(type) + (cacheFlush ? " (flush) " : " ") + data;
    }

    /** Record data, by type. */
    public sealed interface Data permits Ptr, Srv, Txt, A, Aaaa, Nsec, Unknown {
        /** The record type this data belongs to, -1 for {@link Unknown} (any type). */
        int type();
    }

    public record Ptr(DnsName target) implements Data {
        public Ptr {
            Objects.requireNonNull(target, "target");
        }

        @Override
        public int type() {
            return RecordType.PTR;
        }

        @Override
        public String toString() {
            return target.toString();
        }
    }

    public record Srv(int priority, int weight, int port, DnsName target) implements Data {
        public Srv {
            checkU16("priority", priority);
            checkU16("weight", weight);
            checkU16("port", port);
            Objects.requireNonNull(target, "target");
        }

        @Override
        public int type() {
            return RecordType.SRV;
        }

        @Override
        public String toString() {
            return priority + " " + weight + " " + port + " " + target;
        }
    }

    /** TXT data: the character-strings as sent ({@link TxtAttributes} reads them as key/value). */
    public record Txt(List<byte[]> strings) implements Data {
        public Txt {
            strings = List.copyOf(strings);
            for (byte[] s : strings) {
                if (s.length > 255) {
                    throw new IllegalArgumentException("a TXT character-string has at most 255 bytes, was " + s.length);
                }
            }
        }

        @Override
        public int type() {
            return RecordType.TXT;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Txt t) || t.strings.size() != strings.size()) {
                return false;
            }
            for (int i = 0; i < strings.size(); i++) {
                if (!Arrays.equals(strings.get(i), t.strings.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (byte[] s : strings) {
                h = 31 * h + Arrays.hashCode(s);
            }
            return h;
        }

        @Override
        public String toString() {
            return TxtAttributes.of(this).toString();
        }
    }

    public record A(Inet4Address address) implements Data {
        public A {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public int type() {
            return RecordType.A;
        }

        @Override
        public String toString() {
            return address.getHostAddress();
        }
    }

    public record Aaaa(Inet6Address address) implements Data {
        public Aaaa {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public int type() {
            return RecordType.AAAA;
        }

        @Override
        public String toString() {
            return address.getHostAddress();
        }
    }

    /** NSEC (RFC 4034 §4, as mDNS uses it for negative answers, RFC 6762 §6.1). */
    public record Nsec(DnsName next, SortedSet<Integer> types) implements Data {
        public Nsec {
            Objects.requireNonNull(next, "next");
            types = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(types));
            for (int t : types) {
                checkU16("NSEC type", t);
            }
        }

        @Override
        public int type() {
            return RecordType.NSEC;
        }

        @Override
        public String toString() {
            return next + " " + types.stream().map(RecordType::name).toList();
        }
    }

    /** Data of a type this codec does not interpret, kept as received. */
    public record Unknown(byte[] bytes) implements Data {
        public Unknown {
            bytes = bytes.clone();
            if (bytes.length > 0xffff) {
                throw new IllegalArgumentException("record data has at most 65535 bytes, was " + bytes.length);
            }
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public int type() {
            return -1;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && Arrays.equals(u.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "\\# " + bytes.length + " " + HexFormat.of().formatHex(bytes);
        }
    }

    static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, was " + b.length, e);
        }
    }
}
