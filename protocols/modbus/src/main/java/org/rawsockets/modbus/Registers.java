package org.rawsockets.modbus;

import java.util.Arrays;

/**
 * An immutable run of 16-bit registers with typed views. Index {@code i} is the register at
 * {@code startAddress + i} of the read that produced it. 32-bit views use two consecutive registers
 * in the given {@link WordOrder}.
 */
public final class Registers {

    private final short[] words;

    private Registers(short[] words) {
        this.words = words;
    }

    /** Registers from raw 16-bit words (copied). */
    public static Registers of(short... words) {
        return new Registers(words.clone());
    }

    /**
     * Registers from values given as int16 or uint16 (each in -32768..65535).
     *
     * @throws IllegalArgumentException for a value outside -32768..65535
     */
    public static Registers ofInts(int... values) {
        short[] w = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            w[i] = checkedWord(values[i], "register value #" + i);
        }
        return new Registers(w);
    }

    /** Registers holding the given int32 values, two registers each. */
    public static Registers ofInt32(WordOrder order, int... values) {
        short[] w = new short[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            put32(w, i * 2, values[i], order);
        }
        return new Registers(w);
    }

    /** Registers holding the given uint32 values (0..4294967295), two registers each. */
    public static Registers ofUint32(WordOrder order, long... values) {
        short[] w = new short[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("uint32 value #" + i + " must be in 0..4294967295, was " + values[i]);
            }
            put32(w, i * 2, (int) values[i], order);
        }
        return new Registers(w);
    }

    /** Registers holding the given IEEE-754 float32 values, two registers each. */
    public static Registers ofFloat32(WordOrder order, float... values) {
        short[] w = new short[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            put32(w, i * 2, Float.floatToIntBits(values[i]), order);
        }
        return new Registers(w);
    }

    /** Registers from big-endian bytes (even length), as in a Modbus PDU. */
    public static Registers fromBytes(byte[] bytes, int offset, int length) {
        if ((length & 1) != 0) {
            throw new IllegalArgumentException("register bytes must have an even length, was " + length);
        }
        short[] w = new short[length / 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = (short) (((bytes[offset + 2 * i] & 0xFF) << 8) | (bytes[offset + 2 * i + 1] & 0xFF));
        }
        return new Registers(w);
    }

    static short checkedWord(int value, String what) {
        if (value < Short.MIN_VALUE || value > 0xFFFF) {
            throw new IllegalArgumentException(what + " must be in -32768..65535 (int16 or uint16), was " + value);
        }
        return (short) value;
    }

    private static void put32(short[] w, int at, int v, WordOrder order) {
        short hi = (short) (v >>> 16);
        short lo = (short) v;
        if (order == WordOrder.HIGH_FIRST) {
            w[at] = hi;
            w[at + 1] = lo;
        } else {
            w[at] = lo;
            w[at + 1] = hi;
        }
    }

    /** Number of registers. */
    public int size() {
        return words.length;
    }

    /** Register {@code i} as signed 16-bit. */
    public short int16(int i) {
        return words[i];
    }

    /** Register {@code i} as unsigned 16-bit (0..65535). */
    public int uint16(int i) {
        return words[i] & 0xFFFF;
    }

    /** Registers {@code i} and {@code i+1} as signed 32-bit. */
    public int int32(int i, WordOrder order) {
        check32(i);
        int a = words[i] & 0xFFFF;
        int b = words[i + 1] & 0xFFFF;
        return order == WordOrder.HIGH_FIRST ? (a << 16) | b : (b << 16) | a;
    }

    /** Registers {@code i} and {@code i+1} as unsigned 32-bit. */
    public long uint32(int i, WordOrder order) {
        return int32(i, order) & 0xFFFF_FFFFL;
    }

    /** Registers {@code i} and {@code i+1} as IEEE-754 float32. */
    public float float32(int i, WordOrder order) {
        return Float.intBitsToFloat(int32(i, order));
    }

    private void check32(int i) {
        if (i < 0 || i + 1 >= words.length) {
            throw new IndexOutOfBoundsException("a 32-bit value at index " + i + " needs registers " + i + " and "
                    + (i + 1) + ", but there are " + words.length);
        }
    }

    /** A copy of the raw words. */
    public short[] toArray() {
        return words.clone();
    }

    /** The registers as unsigned values. */
    public int[] toUnsigned() {
        int[] r = new int[words.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = words[i] & 0xFFFF;
        }
        return r;
    }

    /** The registers as big-endian bytes, as in a Modbus PDU. */
    public byte[] toBytes() {
        byte[] b = new byte[words.length * 2];
        for (int i = 0; i < words.length; i++) {
            b[2 * i] = (byte) (words[i] >> 8);
            b[2 * i + 1] = (byte) words[i];
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Registers r && Arrays.equals(words, r.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "Registers" + Arrays.toString(toUnsigned());
    }
}
