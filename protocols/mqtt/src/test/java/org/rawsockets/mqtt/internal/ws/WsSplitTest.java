package org.rawsockets.mqtt.internal.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.mqtt.internal.ws.WsFrameTest.server;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.internal.codec.Encoder;
import org.rawsockets.mqtt.internal.codec.Packet;
import org.rawsockets.mqtt.internal.codec.PacketReader;
import org.rawsockets.mqtt.internal.codec.Samples;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpWritable;
import org.rawsockets.socket.testing.ScriptedReadable;

/**
 * The WebSocket stream under the MQTT packet reader, with the server's bytes split at every byte:
 * the 101 response with the first frame right behind it, several packets in one frame, a packet
 * across a fragmented message (binary + continuation), a ping between fragments (answered with a
 * masked pong carrying its payload), a frame with a 16-bit length, then a Close (answered, the
 * stream ends).
 */
class WsSplitTest {

    static final int MAX = 64 * 1024;
    static final byte[] NONCE = Base64.getDecoder().decode("dGhlIHNhbXBsZSBub25jZQ==");

    /** Records what the transport writes. */
    static final class Recorder implements TcpWritable {
        final List<byte[]> written = new ArrayList<>();

        @Override
        public CompletionStage<Void> write(ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.get(out);
            written.add(out);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> close() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> abort(Throwable reason) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public long queuedBytes() {
            return 0;
        }

        @Override
        public OutputStream outputStream(Duration writeTimeout) {
            throw new UnsupportedOperationException();
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static byte[] wire(Packet p) {
        try {
            return WsFrameTest.bytes(Encoder.encode(p, true, MAX));
        } catch (org.rawsockets.mqtt.MqttLimitException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyByteSplitOfAServerStream() throws Exception {
        // small samples: the stream is split at each of its ~1,500 bytes
        List<Packet> packets = Samples.v5().stream().filter(p -> p.type() != Packet.CONNECT
                && !(p instanceof Packet.Publish pub && pub.payload().length > 1000)).limit(6).toList();
        assertEquals(6, packets.size());
        byte[] p0 = wire(packets.get(0));
        byte[] p1 = wire(packets.get(1));
        byte[] p2 = wire(packets.get(2));
        byte[] p3 = wire(packets.get(3));
        byte[] big = wire(new Packet.Publish(false, 1, false, "big/topic", 9, new byte[400], null));
        byte[] p5 = wire(packets.get(5));
        int half = p2.length / 2;
        byte[] stream = concat(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1),
                server(true, WsFrame.BINARY, concat(p0, p1)),               // two packets in one frame
                server(false, WsFrame.BINARY, Arrays.copyOf(p2, half)),      // a packet across fragments,
                server(true, WsFrame.PING, new byte[] {1, 2, 3}),            // a ping between them
                server(true, WsFrame.CONTINUATION, concat(Arrays.copyOfRange(p2, half, p2.length), p3)),
                server(true, WsFrame.BINARY, big),                           // 16-bit length
                server(true, WsFrame.BINARY, p5),
                server(true, WsFrame.CLOSE, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}));
        List<byte[]> expected = List.of(p0, p1, p2, p3, big, p5);
        for (int i = 0; i <= stream.length; i++) {
            check(ScriptedReadable.of(Arrays.copyOfRange(stream, 0, i), Arrays.copyOfRange(stream, i, stream.length)),
                    expected, "split at " + i);
        }
        // and one byte at a time
        byte[][] bytes = new byte[stream.length][];
        for (int i = 0; i < stream.length; i++) {
            bytes[i] = new byte[] {stream[i]};
        }
        check(ScriptedReadable.of(bytes), expected, "byte by byte");
    }

    private void check(ScriptedReadable in, List<byte[]> expected, String what) throws Exception {
        Recorder out = new Recorder();
        WsTransport ws = new WsTransport(in, out, MAX);
        ws.handshake("h", "/mqtt", "B", NONCE).toCompletableFuture().join();
        PacketReader r = new PacketReader(ws, true, MAX);
        for (byte[] e : expected) {
            ReadResult<Packet> got = r.next().toCompletableFuture().join();
            assertArrayEquals(e, wire(got.value()), what);
        }
        assertTrue(r.next().toCompletableFuture().join().done(), what + ": the Close ends the stream");
        assertEquals("1000 bye", ws.closeReceived(), what);
        // written: the request, a pong with the ping's payload, a Close with the status (all masked)
        assertEquals(3, out.written.size(), what);
        assertTrue(new String(out.written.get(0), StandardCharsets.US_ASCII).startsWith("GET /mqtt HTTP/1.1"));
        assertArrayEquals(new byte[] {1, 2, 3}, unmask(out.written.get(1), WsFrame.PONG), what);
        assertArrayEquals(new byte[] {0x03, (byte) 0xE8}, unmask(out.written.get(2), WsFrame.CLOSE), what);
    }

    static byte[] unmask(byte[] frame, int opcode) {
        assertEquals(0x80 | opcode, frame[0] & 0xFF);
        assertTrue((frame[1] & 0x80) != 0, "masked");
        int n = frame[1] & 0x7F;
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (frame[6 + i] ^ frame[2 + (i & 3)]);
        }
        return out;
    }

    @Test
    void textFramesAndBrokenFragmentsFailTheStream() {
        for (byte[] bad : List.of(server(true, WsFrame.TEXT, new byte[] {0x20, 0}),
                server(true, WsFrame.CONTINUATION, new byte[] {0x20, 0}),
                concat(server(false, WsFrame.BINARY, new byte[] {0x20}), server(true, WsFrame.BINARY, new byte[] {0})))) {
            WsTransport ws = new WsTransport(ScriptedReadable.of(bad), new Recorder(), MAX);
            CompletionException e = assertThrows(CompletionException.class,
                    () -> new PacketReader(ws, true, MAX).next().toCompletableFuture().join());
            assertInstanceOf(MqttConnectionException.class, e.getCause());
            assertTrue(e.getCause().getMessage().startsWith("WebSocket protocol error"), e.getCause().getMessage());
        }
    }
}
