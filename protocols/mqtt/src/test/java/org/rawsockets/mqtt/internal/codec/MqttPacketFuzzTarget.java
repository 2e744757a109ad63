package org.rawsockets.mqtt.internal.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import org.rawsockets.mqtt.MqttException;
import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21) of the MQTT packet decoding (3.1.1 or 5 by the flags): {@link PacketReader}
 * over {@link FrameReader} over a stream in the fuzzer's pieces. Oracles: only
 * {@link MqttProtocolException} (and {@link NetworkException} {@code CLOSED_BY_PEER} for a stream
 * ending inside a packet) escape; allocation bounded by the maximum packet size and the input, never
 * by a remaining length; a decoded packet encodes ({@link Encoder}) to bytes that decode and
 * re-encode to the same bytes (the codec is symmetric on what it accepts).
 */
class MqttPacketFuzzTarget {

    static final int MAX = 4096;

    @FuzzTest
    void packets(byte[] data) {
        FuzzInput in = FuzzInput.of(data);
        boolean v5 = in.flag(0);
        byte[] p = in.payload();
        java.util.List<Packet> packets = FuzzOracle.allocation(data, 2L * MAX + 64L * p.length, "PacketReader", () -> {
            java.util.List<Packet> out = new java.util.ArrayList<>();
            PacketReader reader = new PacketReader(new FrameReader(in.feed(), MAX), v5, MAX);
            for (int i = 0; i <= p.length; i++) {
                CompletableFuture<ReadResult<Packet>> f = reader.next().toCompletableFuture();
                if (!f.isDone()) {
                    throw new AssertionError("a read over a source that completes at once is pending: "
                            + FuzzOracle.hex(data));
                }
                ReadResult<Packet> r = FuzzOracle.onlyTyped(data, f::join, MqttProtocolException.class,
                        NetworkException.class);
                if (r == null || r.done()) {
                    return out;
                }
                out.add(r.value());
            }
            throw new AssertionError("more packets than input bytes: " + FuzzOracle.hex(data));
        });
        for (Packet packet : packets) {
            byte[] once = encode(data, packet, v5);
            if (once == null) {
                continue; // a packet this client only receives and never sends may be refused by the encoder
            }
            ByteBuffer b = ByteBuffer.wrap(once);
            int header = b.get() & 0xFF;
            Packet again = FuzzOracle.onlyTyped(data, () -> {
                int len = Decoder.remainingLength(b);
                if (len != b.remaining()) {
                    throw new AssertionError("the encoder wrote remaining length " + len + " for " + b.remaining()
                            + " bytes: " + FuzzOracle.hex(once));
                }
                return Decoder.decode(header, b, v5);
            });
            byte[] twice = encode(data, again, v5);
            if (!Arrays.equals(once, twice)) {
                throw new AssertionError("packet " + packet + " encodes to " + FuzzOracle.hex(once)
                        + " which decodes and encodes to " + (twice == null ? "a refusal" : FuzzOracle.hex(twice))
                        + " (input " + FuzzOracle.hex(data) + ")");
            }
        }
    }

    private static byte[] encode(byte[] data, Packet packet, boolean v5) {
        ByteBuffer b = FuzzOracle.onlyTyped(data, () -> Encoder.encode(packet, v5, Integer.MAX_VALUE),
                MqttException.class);
        if (b == null) {
            return null;
        }
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }
}
