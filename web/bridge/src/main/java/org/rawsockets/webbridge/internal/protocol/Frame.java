package org.rawsockets.webbridge.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One frame of the bridge protocol (docs/direct-sockets-bridge.md): {@code type:u8 id:u32 length:u32
 * payload[length]}, big-endian. The payload is a read-only view, valid until the next frame is decoded
 * (copy what must outlive the handler).
 *
 * @param type one of the {@code OPEN_TCP} ... {@code ERROR} constants
 * @param id the socket id (0 for the connection itself)
 * @param payload the payload bytes
 */
public record Frame(int type, int id, ByteBuffer payload) {

    /** Bytes before the payload. */
    public static final int HEADER = 9;
    /** Largest DATA/DATAGRAM payload (the unit of credit is the byte). */
    public static final int MAX_DATA = 65536;
    /** Largest payload of every other frame type. */
    public static final int MAX_CONTROL = 4096;

    public static final int OPEN_TCP = 0x01;
    public static final int OPEN_UDP = 0x02;
    public static final int OPEN_TCP_SERVER = 0x03;
    /** Page to gateway: upgrade a {@code tls=starttls} connection to TLS (payload: optional {@code serverName=}). */
    public static final int STARTTLS = 0x04;
    public static final int OPENED = 0x10;
    public static final int ACCEPTED = 0x11;
    /** Gateway to page: the STARTTLS handshake completed (payload: key=value lines as OPENED's, with TLS details). */
    public static final int TLS_STARTED = 0x12;
    public static final int DATA = 0x20;
    public static final int DATAGRAM = 0x21;
    public static final int CREDIT = 0x30;
    public static final int END = 0x40;
    public static final int CLOSE = 0x41;
    public static final int ERROR = 0x50;

    /** Ids chosen by the gateway (accepted connections) have this bit set; the page's never do. */
    public static final int GATEWAY_ID_BIT = 0x8000_0000;

    /** The frame type's name for messages, {@code 0x7f} for an unknown one. */
    public static String typeName(int type) {
        return switch (type) {
            case OPEN_TCP -> "OPEN_TCP";
            case OPEN_UDP -> "OPEN_UDP";
            case OPEN_TCP_SERVER -> "OPEN_TCP_SERVER";
            case STARTTLS -> "STARTTLS";
            case TLS_STARTED -> "TLS_STARTED";
            case OPENED -> "OPENED";
            case ACCEPTED -> "ACCEPTED";
            case DATA -> "DATA";
            case DATAGRAM -> "DATAGRAM";
            case CREDIT -> "CREDIT";
            case END -> "END";
            case CLOSE -> "CLOSE";
            case ERROR -> "ERROR";
            default -> String.format("0x%02x", type);
        };
    }

    /** Whether {@code type} is a known frame type. */
    public static boolean known(int type) {
        return !typeName(type).startsWith("0x");
    }

    /** The largest payload a frame of {@code type} may carry. */
    public static int maxPayload(int type) {
        return type == DATA ? MAX_DATA : type == DATAGRAM ? MAX_DATA + 3 + 255 : MAX_CONTROL;
    }

    /** A frame with a header and room for {@code payloadLength} bytes; position at the payload. */
    public static ByteBuffer allocate(int type, int id, int payloadLength) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + payloadLength);
        b.put((byte) type).putInt(id).putInt(payloadLength);
        return b;
    }

    /** An encoded frame, ready to send (position 0). */
    public static ByteBuffer encode(int type, int id, ByteBuffer payload) {
        ByteBuffer b = allocate(type, id, payload.remaining());
        b.put(payload.duplicate());
        return b.flip();
    }

    /** An encoded frame with a UTF-8 text payload. */
    public static ByteBuffer encode(int type, int id, String text) {
        return encode(type, id, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** An encoded CREDIT frame. */
    public static ByteBuffer credit(int id, int bytes) {
        return allocate(CREDIT, id, 4).putInt(bytes).flip();
    }

    /** An encoded frame without payload (END, CLOSE). */
    public static ByteBuffer empty(int type, int id) {
        return allocate(type, id, 0).flip();
    }

    /**
     * An encoded ERROR frame: {@code name LF reason LF message} in UTF-8, the message cut to fit
     * {@link #MAX_CONTROL}.
     */
    public static ByteBuffer error(int id, ErrorName name, String reason, String message) {
        String text = name.name() + "\n" + (reason == null ? "" : reason) + "\n" + message;
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_CONTROL) {
            b = java.util.Arrays.copyOf(b, MAX_CONTROL);
        }
        return encode(ERROR, id, ByteBuffer.wrap(b));
    }

    /** The payload as UTF-8 text. */
    public String text() {
        return StandardCharsets.UTF_8.decode(payload.duplicate()).toString();
    }

    @Override
    public String toString() {
        return typeName(type) + "(" + Integer.toUnsignedString(id) + ", " + payload.remaining() + " bytes)";
    }
}
