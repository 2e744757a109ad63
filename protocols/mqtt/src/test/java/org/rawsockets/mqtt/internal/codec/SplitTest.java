package org.rawsockets.mqtt.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.mqtt.internal.codec.Samples.bytes;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.testing.ScriptedReadable;

/** Every packet arrives split at every byte (two chunks), and all packets byte by byte. */
class SplitTest {

    static final int MAX = 64 * 1024;

    @Test
    void everyPacketSplitAtEveryByte() throws Exception {
        int checked = 0;
        for (boolean v5 : new boolean[] {true, false}) {
            for (Packet p : v5 ? Samples.v5() : Samples.v311()) {
                byte[] wire = bytes(Encoder.encode(p, v5, MAX));
                for (int i = 0; i <= wire.length; i++) {
                    ScriptedReadable in = ScriptedReadable.of(Arrays.copyOfRange(wire, 0, i),
                            Arrays.copyOfRange(wire, i, wire.length));
                    PacketReader r = new PacketReader(new FrameReader(in, MAX), v5, MAX);
                    ReadResult<Packet> got = r.next().toCompletableFuture().join();
                    assertArrayEquals(wire, bytes(Encoder.encode(got.value(), v5, MAX)), p + " split at " + i);
                    assertTrue(r.next().toCompletableFuture().join().done());
                    checked++;
                }
            }
        }
        assertTrue(checked > 20_000, "splits checked: " + checked);
    }

    @Test
    void allPacketsOneByteAtATime() throws Exception {
        for (boolean v5 : new boolean[] {true, false}) {
            List<Packet> packets = v5 ? Samples.v5() : Samples.v311();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (Packet p : packets) {
                all.write(bytes(Encoder.encode(p, v5, MAX)));
            }
            byte[] wire = all.toByteArray();
            List<byte[]> chunks = new ArrayList<>();
            for (byte b : wire) {
                chunks.add(new byte[] {b});
            }
            ScriptedReadable in = ScriptedReadable.of(chunks.toArray(byte[][]::new));
            PacketReader r = new PacketReader(new FrameReader(in, MAX), v5, MAX);
            for (Packet p : packets) {
                Packet got = r.next().toCompletableFuture().join().value();
                assertArrayEquals(bytes(Encoder.encode(p, v5, MAX)), bytes(Encoder.encode(got, v5, MAX)));
            }
            assertTrue(r.next().toCompletableFuture().join().done());
        }
    }
}
