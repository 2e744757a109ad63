package org.rawsockets.socket.mina.internal.policy;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 block: {@code 10.0.0.0/8}, {@code fe80::/10}, or one address ({@code /32},
 * {@code /128}). Matching works on bits ({@link Ip}) and allocates nothing.
 */
public final class Cidr {

    private final boolean v4;
    private final long netHi;
    private final long netLo;
    private final long maskHi;
    private final long maskLo;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix) {
        this.v4 = network.length == 4;
        this.prefix = prefix;
        long hi = 0;
        long lo = 0;
        if (v4) {
            lo = word(network, 0) & 0xffff_ffffL;
            maskHi = 0;
            maskLo = prefix == 0 ? 0 : (0xffff_ffffL << (32 - prefix)) & 0xffff_ffffL;
        } else {
            hi = ((long) word(network, 0) << 32) | (word(network, 4) & 0xffff_ffffL);
            lo = ((long) word(network, 8) << 32) | (word(network, 12) & 0xffff_ffffL);
            maskHi = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
            maskLo = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        }
        this.netHi = hi & maskHi;
        this.netLo = lo & maskLo;
        int bits = network.length * 8;
        String addr;
        try {
            addr = Addresses.text(InetAddress.getByAddress(network));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
        this.text = prefix == bits ? addr : addr + "/" + prefix;
    }

    private static int word(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    /**
     * Parses {@code address} or {@code address/prefix}; the host bits must be zero.
     *
     * @return the block, or {@code null} when the text is not an IP literal (a host name)
     * @throws IllegalArgumentException for a broken prefix or non-zero host bits
     */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        InetAddress a = Addresses.literal(slash < 0 ? t : t.substring(0, slash));
        if (a == null) {
            if (slash >= 0) {
                throw new IllegalArgumentException("'" + t + "' is not a CIDR block: write e.g. 10.0.0.0/8 or fd00::/8");
            }
            return null;
        }
        byte[] b = a.getAddress();
        int bits = b.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + t + "': the prefix length must be a number 0.." + bits, e);
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + t + "': the prefix length must be in 0.." + bits);
            }
        }
        byte[] masked = mask(b, prefix);
        if (!Arrays.equals(masked, b)) {
            throw new IllegalArgumentException("'" + t + "' has bits set beyond the /" + prefix + " prefix: did you mean "
                    + new Cidr(masked, prefix) + "?");
        }
        return new Cidr(masked, prefix);
    }

    public static Cidr of(InetAddress a) {
        InetAddress n = Addresses.normalize(a);
        return new Cidr(n.getAddress(), n.getAddress().length * 8);
    }

    private static byte[] mask(byte[] b, int prefix) {
        byte[] m = b.clone();
        for (int i = 0; i < m.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            m[i] &= (byte) (keep == 0 ? 0 : (0xff << (8 - keep)));
        }
        return m;
    }

    public boolean contains(InetAddress address) {
        return contains(Ip.of(address));
    }

    /** Whether the address is in this block (same family; IPv4-mapped addresses are IPv4). */
    boolean contains(Ip ip) {
        return ip.v4 == v4 && (ip.hi & maskHi) == netHi && (ip.lo & maskLo) == netLo;
    }

    /** Whether every address of {@code other} is in this block. */
    public boolean containsAll(Cidr other) {
        return other.v4 == v4 && other.prefix >= prefix && (other.netHi & maskHi) == netHi
                && (other.netLo & maskLo) == netLo;
    }

    /** Whether this is exactly one unspecified address: {@code 0.0.0.0} or {@code ::}. */
    boolean isUnspecifiedAddress() {
        return prefix == (v4 ? 32 : 128) && netHi == 0 && netLo == 0;
    }

    /**
     * The IPv4 block this IPv6 block designates through an embedding (IPv4-compatible, SIIT, NAT64,
     * 6to4; see {@link Ip#embedded()}), or {@code null} when it is not (entirely) inside one. So a
     * grant naming {@code 64:ff9b::a9fe:a9fe} names 169.254.169.254, and {@code 64:ff9b::/96}
     * names 0.0.0.0/0 (which lifts no address denial).
     */
    Cidr embeddedV4() {
        if (v4) {
            return null;
        }
        long top = netLo >>> 32;
        boolean slash96 = prefix >= 96 && ((netHi == 0 && (top == 0 || top == Ip.SIIT_LO_TOP))
                || (netHi == Ip.NAT64_HI && top == 0));
        if (slash96) {
            return v4Block(netLo, prefix - 96);
        }
        if (prefix >= 16 && (netHi >>> 48) == Ip.SIX_TO_FOUR) {
            return v4Block(netHi >>> 16, Math.min(32, prefix - 16));
        }
        return null;
    }

    private static Cidr v4Block(long bits, int prefix) {
        long b = bits & 0xffff_ffffL;
        byte[] raw = { (byte) (b >>> 24), (byte) (b >>> 16), (byte) (b >>> 8), (byte) b };
        return new Cidr(mask(raw, prefix), prefix);
    }

    public int prefix() {
        return prefix;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.v4 == v4 && c.prefix == prefix && c.netHi == netHi && c.netLo == netLo;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(netHi * 31 + netLo) * 31 + prefix + (v4 ? 1 : 0);
    }
}
