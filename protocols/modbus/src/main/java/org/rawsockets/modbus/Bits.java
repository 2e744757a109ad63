package org.rawsockets.modbus;

import java.util.Arrays;

/** An immutable run of coils or discrete inputs. Index {@code i} is the bit at {@code startAddress + i}. */
public final class Bits {

    private final boolean[] bits;

    private Bits(boolean[] bits) {
        this.bits = bits;
    }

    /** Bits from values (copied). */
    public static Bits of(boolean... bits) {
        return new Bits(bits.clone());
    }

    /** {@code count} bits from Modbus packed bytes (LSB of the first byte is the first bit). */
    public static Bits fromPacked(byte[] packed, int offset, int count) {
        boolean[] b = new boolean[count];
        for (int i = 0; i < count; i++) {
            b[i] = (packed[offset + (i >> 3)] & (1 << (i & 7))) != 0;
        }
        return new Bits(b);
    }

    public int size() {
        return bits.length;
    }

    public boolean get(int i) {
        return bits[i];
    }

    public boolean[] toArray() {
        return bits.clone();
    }

    /** The bits packed as Modbus sends them (LSB first, padded with zeros). */
    public byte[] toPacked() {
        byte[] p = new byte[(bits.length + 7) / 8];
        for (int i = 0; i < bits.length; i++) {
            if (bits[i]) {
                p[i >> 3] |= (byte) (1 << (i & 7));
            }
        }
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bits b && Arrays.equals(bits, b.bits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Bits[");
        for (boolean b : bits) {
            sb.append(b ? '1' : '0');
        }
        return sb.append(']').toString();
    }
}
