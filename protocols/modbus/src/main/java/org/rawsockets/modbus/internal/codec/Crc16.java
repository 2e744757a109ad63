package org.rawsockets.modbus.internal.codec;

/** CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), table driven. */
public final class Crc16 {

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xA001 : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc16() {
    }

    /** CRC of {@code length} bytes at {@code offset}; transmitted low byte first. */
    public static int compute(byte[] b, int offset, int length) {
        int crc = 0xFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc = (crc >>> 8) ^ TABLE[(crc ^ b[i]) & 0xFF];
        }
        return crc;
    }
}
