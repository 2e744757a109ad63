package org.rawsockets.socket.mina.internal.policy;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IP address as bits, so that matching it against blocks allocates nothing: IPv4 in the low 32
 * bits of {@link #lo} ({@code hi} 0), IPv6 as two longs. IPv4-mapped addresses
 * ({@code ::ffff:a.b.c.d}) are IPv4.
 *
 * <p>{@link #embedded()} is the IPv4 address an IPv6 form carries towards an IPv4 host, for the
 * built-in denials: IPv4-compatible {@code ::a.b.c.d} (not {@code ::} and {@code ::1}), SIIT
 * {@code ::ffff:0:a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d} (RFC 6052 well-known prefix) and 6to4
 * {@code 2002:aabb:ccdd::/48}.
 *
 * <p>{@link #of(InetAddress)} keeps a small direct-mapped cache, so the per-datagram check of a
 * source seen recently reads the JDK address without copying it ({@link InetAddress#getAddress()}
 * allocates a new array on every call).
 */
final class Ip {

    private static final int CACHE_BITS = 9;
    private static final Ip[] CACHE = new Ip[1 << CACHE_BITS];

    static final long NAT64_HI = 0x0064_ff9b_0000_0000L;
    static final long SIIT_LO_TOP = 0xffff_0000L;
    static final int SIX_TO_FOUR = 0x2002;

    private final InetAddress address;
    final boolean v4;
    final long hi;
    final long lo;
    private final Ip embedded;

    private Ip(InetAddress address, boolean v4, long hi, long lo) {
        this.address = address;
        this.v4 = v4;
        this.hi = hi;
        this.lo = lo;
        this.embedded = v4 ? null : embeddedV4(hi, lo);
    }

    static Ip v4(long bits) {
        return new Ip(null, true, 0, bits & 0xffff_ffffL);
    }

    /** The bits of {@code a}; allocation-free when {@code a} (by value) was seen recently. */
    static Ip of(InetAddress a) {
        int slot = (a.hashCode() * 0x9E3779B9) >>> (32 - CACHE_BITS);
        Ip c = CACHE[slot];
        if (c != null && c.address.equals(a)) {
            return c;
        }
        Ip n = compute(a);
        CACHE[slot] = n; // racy but safe: Ip is immutable (final fields)
        return n;
    }

    private static Ip compute(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return new Ip(a, true, 0, word(b, 0) & 0xffff_ffffL);
        }
        long hi = ((long) word(b, 0) << 32) | (word(b, 4) & 0xffff_ffffL);
        long lo = ((long) word(b, 8) << 32) | (word(b, 12) & 0xffff_ffffL);
        if (hi == 0 && (lo >>> 32) == 0xffffL) { // IPv4-mapped: the JDK normally hands out Inet4Address
            return new Ip(a, true, 0, lo & 0xffff_ffffL);
        }
        return new Ip(a, false, hi, lo);
    }

    private static int word(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    private static Ip embeddedV4(long hi, long lo) {
        long top = lo >>> 32;
        if (hi == 0 && top == 0 && (lo & 0xffff_ffffL) > 1) {
            return v4(lo); // IPv4-compatible ::a.b.c.d (deprecated), but not :: or ::1
        }
        if (hi == 0 && top == SIIT_LO_TOP) {
            return v4(lo); // SIIT ::ffff:0:a.b.c.d
        }
        if (hi == NAT64_HI && top == 0) {
            return v4(lo); // NAT64 64:ff9b::a.b.c.d
        }
        if ((hi >>> 48) == SIX_TO_FOUR) {
            return v4(hi >>> 16); // 6to4 2002:aabb:ccdd::/48
        }
        return null;
    }

    /** The IPv4 address this IPv6 form embeds, or {@code null}. */
    Ip embedded() {
        return embedded;
    }
}
