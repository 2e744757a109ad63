package org.rawsockets.modbus.internal.codec;

import java.nio.ByteBuffer;

/**
 * Modbus/TCP application data units: MBAP header (transaction id, protocol id 0, length, unit id)
 * followed by the PDU. Stateless; the framing decision is made from the buffered bytes alone.
 */
public final class MbapCodec {

    public static final int HEADER = 7;
    /** Largest ADU: 7-byte header + 253-byte PDU. */
    public static final int MAX_ADU = HEADER + Pdus.MAX_PDU;

    private MbapCodec() {
    }

    /** Writes one ADU into {@code out} (needs {@code 7 + pdu.length} bytes). */
    public static void encode(int transactionId, int unitId, byte[] pdu, ByteBuffer out) {
        out.putShort((short) transactionId);
        out.putShort((short) 0);
        out.putShort((short) (pdu.length + 1));
        out.put((byte) unitId);
        out.put(pdu);
    }

    public static byte[] encode(int transactionId, int unitId, byte[] pdu) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + pdu.length);
        encode(transactionId, unitId, pdu, b);
        return b.array();
    }

    /**
     * Frames the next ADU from a stream. Reads from {@code in.position()}; consumes exactly one ADU
     * when it returns a {@link FrameResult.Frame}, nothing otherwise.
     */
    public static FrameResult decode(ByteBuffer in) {
        int p = in.position();
        int available = in.remaining();
        if (available < HEADER) {
            return new FrameResult.NeedMore(HEADER);
        }
        int protocol = in.getShort(p + 2) & 0xFFFF;
        if (protocol != 0) {
            return new FrameResult.Invalid("MBAP protocol identifier is " + protocol + ", Modbus uses 0");
        }
        int length = in.getShort(p + 4) & 0xFFFF;
        if (length < 2 || length > Pdus.MAX_PDU + 1) {
            return new FrameResult.Invalid("MBAP length is " + length + ", must be 2.." + (Pdus.MAX_PDU + 1));
        }
        int total = 6 + length;
        if (available < total) {
            return new FrameResult.NeedMore(total);
        }
        int tx = in.getShort(p) & 0xFFFF;
        int unit = in.get(p + 6) & 0xFF;
        byte[] pdu = new byte[length - 1];
        in.position(p + HEADER);
        in.get(pdu);
        return new FrameResult.Frame(tx, unit, pdu);
    }

    /** A datagram holds exactly one ADU; anything else is invalid. Consumes the datagram when valid. */
    public static FrameResult decodeDatagram(ByteBuffer datagram) {
        int size = datagram.remaining();
        FrameResult r = decode(datagram.duplicate());
        if (r instanceof FrameResult.NeedMore n) {
            return new FrameResult.Invalid("datagram of " + size + " bytes is shorter than its MBAP header says ("
                    + n.needed() + ")");
        }
        if (r instanceof FrameResult.Frame f && f.pdu().length + HEADER != size) {
            return new FrameResult.Invalid("datagram of " + size + " bytes holds an ADU of " + (f.pdu().length + HEADER)
                    + " bytes and trailing garbage");
        }
        if (r instanceof FrameResult.Frame) {
            datagram.position(datagram.limit());
        }
        return r;
    }
}
