package org.rawsockets.socket.mina.internal.policy;

import java.net.InetAddress;
import java.util.Arrays;

/** An IPv4 or IPv6 block: {@code 10.0.0.0/8}, {@code fe80::/10}, or one address ({@code /32}, {@code /128}). */
public final class Cidr {

    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
        int bits = network.length * 8;
        String addr;
        try {
            addr = Addresses.text(InetAddress.getByAddress(network));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
        this.text = prefix == bits ? addr : addr + "/" + prefix;
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
        byte[] b = Addresses.normalize(address).getAddress();
        return b.length == network.length && Arrays.equals(mask(b, prefix), network);
    }

    /** Whether every address of {@code other} is in this block. */
    public boolean containsAll(Cidr other) {
        return other.network.length == network.length && other.prefix >= prefix
                && Arrays.equals(mask(other.network, prefix), network);
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
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }
}
