package org.rawsockets.mqtt.internal.codec;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.ReadResult;

/**
 * Reads whole packets through the socket API's {@link FrameReader}: the fixed header's first byte
 * and remaining length, a check against the maximum packet size before the body is read (no
 * allocation ever follows a length field beyond that maximum), then the body, decoded by
 * {@link Decoder}. One call pending at a time, as {@link FrameReader}.
 */
public final class PacketReader {

    private final ByteSource frames;
    private final long maxPacketSize;
    private final boolean v5;

    /**
     * @param frames the framing over the connection's readable (its buffer must hold
     *            {@code maxPacketSize} bytes)
     * @param v5 MQTT 5 (else 3.1.1)
     * @param maxPacketSize the largest packet accepted, fixed header included
     */
    public PacketReader(FrameReader frames, boolean v5, long maxPacketSize) {
        this((ByteSource) frames::readExactly, v5, maxPacketSize);
    }

    /**
     * @param source the bytes of the connection (a WebSocket's payload stream)
     * @param v5 MQTT 5 (else 3.1.1)
     * @param maxPacketSize the largest packet accepted, fixed header included
     */
    public PacketReader(ByteSource source, boolean v5, long maxPacketSize) {
        this.frames = source;
        this.v5 = v5;
        this.maxPacketSize = maxPacketSize;
    }

    /**
     * The next packet, {@link ReadResult#end()} at the end of the stream on a packet boundary; fails
     * with {@link MqttProtocolException} on a malformed or too large packet, or with the socket's
     * error.
     */
    public CompletionStage<ReadResult<Packet>> next() {
        return frames.readExactly(2).thenCompose(h -> {
            if (h.done()) {
                return CompletableFuture.completedFuture(ReadResult.<Packet>end());
            }
            byte[] head = h.value();
            int header = head[0] & 0xFF;
            if ((head[1] & 0x80) == 0) {
                return body(header, head[1], 1);
            }
            return lengthTail(header, head[1] & 0x7F, 1);
        });
    }

    /** Reads the rest of a multi-byte remaining length, one byte at a time (at most 3 more). */
    private CompletionStage<ReadResult<Packet>> lengthTail(int header, int value, int count) {
        return frames.readExactly(1).thenCompose(r -> {
            if (r.done()) {
                return CompletableFuture.failedFuture(new MqttProtocolException(MqttProtocolException.MALFORMED,
                        "the connection ended inside a fixed header"));
            }
            int d = r.value()[0] & 0xFF;
            int v = value | (d & 0x7F) << (7 * count);
            if ((d & 0x80) == 0) {
                return body(header, v, count + 1);
            }
            if (count + 1 == 4) {
                return CompletableFuture.failedFuture(new MqttProtocolException(MqttProtocolException.MALFORMED,
                        "malformed remaining length: more than 4 bytes (the largest is "
                                + Encoder.MAX_REMAINING_LENGTH + ")"));
            }
            return lengthTail(header, v, count + 1);
        });
    }

    private CompletionStage<ReadResult<Packet>> body(int header, int length, int lengthBytes) {
        long total = 1L + lengthBytes + length;
        if (total > maxPacketSize) {
            return CompletableFuture.failedFuture(new MqttProtocolException(MqttProtocolException.PACKET_TOO_LARGE,
                    Packet.typeName((header >> 4) & 0xF) + " of " + total + " bytes is larger than the maximum packet"
                            + " size " + maxPacketSize + " this client accepts"));
        }
        if (length == 0) {
            return decode(header, new byte[0]);
        }
        return frames.readExactly(length).thenCompose(r -> {
            if (r.done()) {
                return CompletableFuture.failedFuture(new MqttProtocolException(MqttProtocolException.MALFORMED,
                        "the connection ended inside a packet"));
            }
            return decode(header, r.value());
        });
    }

    private CompletionStage<ReadResult<Packet>> decode(int header, byte[] body) {
        try {
            return CompletableFuture.completedFuture(ReadResult.of(Decoder.decode(header, ByteBuffer.wrap(body), v5)));
        } catch (MqttProtocolException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
