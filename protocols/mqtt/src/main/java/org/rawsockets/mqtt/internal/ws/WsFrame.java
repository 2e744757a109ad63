package org.rawsockets.mqtt.internal.ws;

import java.nio.ByteBuffer;

import org.rawsockets.mqtt.MqttConnectionException;

/**
 * WebSocket frames of the client side (RFC 6455 section 5), transport-free: {@link #encode} writes
 * a masked client frame, {@link #parse} reads one server frame from a buffer when it is complete.
 *
 * @param fin the final fragment of a message
 * @param opcode {@link #CONTINUATION}, {@link #TEXT}, {@link #BINARY}, {@link #CLOSE}, {@link #PING}
 *            or {@link #PONG}
 * @param payload the (unmasked) payload
 */
public record WsFrame(boolean fin, int opcode, byte[] payload) {

    public static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;
    /** The longest header: 2 bytes, 8 bytes of extended length, 4 bytes of masking key. */
    public static final int MAX_HEADER = 14;

    public boolean control() {
        return (opcode & 0x8) != 0;
    }

    /**
     * A complete client frame: FIN set, the mask bit set and the payload masked with {@code maskKey}.
     *
     * @param maskKey 4 bytes from a strong source of entropy (RFC 6455 5.3)
     */
    public static ByteBuffer encode(int opcode, ByteBuffer payload, byte[] maskKey) {
        int n = payload.remaining();
        int lengthBytes = n <= 125 ? 0 : n <= 0xFFFF ? 2 : 8;
        ByteBuffer out = ByteBuffer.allocate(2 + lengthBytes + 4 + n);
        out.put((byte) (0x80 | opcode));
        if (lengthBytes == 0) {
            out.put((byte) (0x80 | n));
        } else if (lengthBytes == 2) {
            out.put((byte) (0x80 | 126)).putShort((short) n);
        } else {
            out.put((byte) (0x80 | 127)).putLong(n);
        }
        out.put(maskKey, 0, 4);
        int p = payload.position();
        for (int i = 0; i < n; i++) {
            out.put((byte) (payload.get(p + i) ^ maskKey[i & 3]));
        }
        return out.flip();
    }

    /**
     * Reads one server frame from {@code in} (position to limit). When the frame is complete it is
     * returned and {@code in}'s position is after it; otherwise {@code null}, position unchanged.
     *
     * @param maxPayload the largest payload accepted; a longer frame fails from its header, before
     *            its payload arrives
     * @throws MqttConnectionException a masked server frame, reserved bits or opcodes, a control
     *             frame that is fragmented or longer than 125 bytes, a non-minimal or too large length
     */
    public static WsFrame parse(ByteBuffer in, long maxPayload) throws MqttConnectionException {
        int start = in.position();
        int avail = in.remaining();
        if (avail < 2) {
            return null;
        }
        int b0 = in.get(start) & 0xFF;
        int b1 = in.get(start + 1) & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            throw error("reserved bits set (no extension was negotiated)");
        }
        if (opcode >= 3 && opcode <= 7 || opcode > 0xA) {
            throw error(String.format("reserved opcode 0x%X", opcode));
        }
        if ((b1 & 0x80) != 0) {
            throw error("a masked frame from the server (RFC 6455 5.1)");
        }
        boolean control = (opcode & 0x8) != 0;
        long length = b1 & 0x7F;
        int header = 2;
        if (length == 126) {
            if (avail < 4) {
                return null;
            }
            length = in.getShort(start + 2) & 0xFFFF;
            header = 4;
            if (length < 126) {
                throw error("a 16-bit length of " + length + " (not minimal)");
            }
        } else if (length == 127) {
            if (avail < 10) {
                return null;
            }
            length = in.getLong(start + 2);
            header = 10;
            if (length < 0 || length <= 0xFFFF) {
                throw error("a 64-bit length of " + Long.toUnsignedString(length) + " (not minimal or too large)");
            }
        }
        if (control && (!fin || length > 125)) {
            throw error("a control frame " + (fin ? "longer than 125 bytes" : "that is fragmented"));
        }
        if (length > maxPayload) {
            throw error("a frame of " + length + " bytes, larger than the " + maxPayload + " this client accepts");
        }
        if (avail - header < length) {
            return null;
        }
        byte[] payload = new byte[(int) length];
        in.position(start + header);
        in.get(payload);
        return new WsFrame(fin, opcode, payload);
    }

    static MqttConnectionException error(String what) {
        return new MqttConnectionException("WebSocket protocol error: " + what);
    }

    /** The payload of a Close frame: status code and reason (RFC 6455 5.5.1). */
    public static ByteBuffer closePayload(int status, String reason) {
        byte[] r = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + Math.min(r.length, 123)).putShort((short) status).put(r, 0, Math.min(r.length, 123))
                .flip();
    }
}
