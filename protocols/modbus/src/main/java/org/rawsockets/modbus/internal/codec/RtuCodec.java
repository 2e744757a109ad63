package org.rawsockets.modbus.internal.codec;

import java.nio.ByteBuffer;

/**
 * RTU frames (address, PDU, CRC-16 low byte first) over a byte stream. RTU has no length field, so
 * the length of a response is derived from its function code (and byte count / object list) —
 * possible for every function this client sends; an unknown function code cannot be framed.
 */
public final class RtuCodec {

    /** Largest RTU ADU: address + 253-byte PDU + CRC. */
    public static final int MAX_ADU = 256;

    private RtuCodec() {
    }

    public static byte[] encode(int unitId, byte[] pdu) {
        byte[] b = new byte[pdu.length + 3];
        b[0] = (byte) unitId;
        System.arraycopy(pdu, 0, b, 1, pdu.length);
        int crc = Crc16.compute(b, 0, pdu.length + 1);
        b[pdu.length + 1] = (byte) crc;
        b[pdu.length + 2] = (byte) (crc >>> 8);
        return b;
    }

    /** Whether a response to function {@code fc} can be framed (its length is derivable). */
    public static boolean canFrame(int fc) {
        return switch (fc) {
            case 1, 2, 3, 4, 5, 6, 15, 16, 22, 23, 43 -> true;
            default -> false;
        };
    }

    /**
     * Frames the next response ADU. Consumes exactly one ADU when it returns a
     * {@link FrameResult.Frame} (transaction id -1), nothing otherwise.
     */
    public static FrameResult decode(ByteBuffer in) {
        int p = in.position();
        int available = in.remaining();
        if (available < 2) {
            return new FrameResult.NeedMore(2);
        }
        int fc = in.get(p + 1) & 0xFF;
        int total;
        if ((fc & 0x80) != 0) {
            total = 5;
        } else {
            switch (fc) {
                case 1, 2, 3, 4, 23 -> {
                    if (available < 3) {
                        return new FrameResult.NeedMore(3);
                    }
                    total = 3 + (in.get(p + 2) & 0xFF) + 2;
                }
                case 5, 6, 15, 16 -> total = 8;
                case 22 -> total = 10;
                case 43 -> {
                    int len = meiLength(in, p, available);
                    if (len == BAD_MEI) {
                        return new FrameResult.Invalid(String.format(
                                "cannot frame an RTU response with MEI type 0x%02X", in.get(p + 2) & 0xFF));
                    }
                    if (len < 0) {
                        return new FrameResult.NeedMore(-len);
                    }
                    total = len;
                }
                default -> {
                    return new FrameResult.Invalid(String.format(
                            "cannot frame an RTU response with function code 0x%02X (no length rule)", fc));
                }
            }
        }
        if (total > MAX_ADU) {
            return new FrameResult.Invalid("RTU frame would be " + total + " bytes, more than " + MAX_ADU);
        }
        if (available < total) {
            return new FrameResult.NeedMore(total);
        }
        byte[] adu = new byte[total];
        in.get(p, adu);
        int crc = Crc16.compute(adu, 0, total - 2);
        int received = (adu[total - 2] & 0xFF) | ((adu[total - 1] & 0xFF) << 8);
        if (crc != received) {
            return new FrameResult.Invalid(String.format("RTU CRC mismatch: received 0x%04X, computed 0x%04X", received,
                    crc));
        }
        byte[] pdu = new byte[total - 3];
        System.arraycopy(adu, 1, pdu, 0, pdu.length);
        in.position(p + total);
        return new FrameResult.Frame(-1, adu[0] & 0xFF, pdu);
    }

    private static final int BAD_MEI = Integer.MIN_VALUE;

    /**
     * Length of a 43/14 response, walking its object list: the total ADU length when known (it may
     * exceed {@link #MAX_ADU}; the caller rejects that), {@code -n} when {@code n} bytes must be
     * buffered to know it, or {@link #BAD_MEI}.
     */
    private static int meiLength(ByteBuffer in, int p, int available) {
        // address, fc, MEI type, code, conformity, more follows, next object id, object count
        if (available < 3) {
            return -3;
        }
        if ((in.get(p + 2) & 0xFF) != 0x0E) {
            return BAD_MEI;
        }
        if (available < 8) {
            return -8;
        }
        int count = in.get(p + 7) & 0xFF;
        int at = 8;
        for (int i = 0; i < count && at + 2 <= MAX_ADU; i++) {
            if (available < at + 2) {
                return -(at + 2);
            }
            at += 2 + (in.get(p + at + 1) & 0xFF);
        }
        return at + 2;
    }
}
