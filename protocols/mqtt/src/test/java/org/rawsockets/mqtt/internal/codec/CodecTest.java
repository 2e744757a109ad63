package org.rawsockets.mqtt.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.mqtt.internal.codec.Samples.bytes;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttLimitException;
import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.mqtt.internal.codec.Packet.Ack;
import org.rawsockets.mqtt.internal.codec.Packet.Connack;
import org.rawsockets.mqtt.internal.codec.Packet.Publish;
import org.rawsockets.mqtt.internal.codec.Packet.Subscribe;
import org.rawsockets.mqtt.internal.codec.Packet.Subscription;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.testing.ScriptedReadable;

class CodecTest {

    static final HexFormat HEX = HexFormat.of();

    static Packet decode(byte[] packet, boolean v5) throws MqttProtocolException {
        ByteBuffer b = ByteBuffer.wrap(packet);
        int header = b.get() & 0xFF;
        int len = Decoder.remainingLength(b);
        assertEquals(b.remaining(), len, "remaining length of " + HEX.formatHex(packet));
        return Decoder.decode(header, b, v5);
    }

    static MqttProtocolException malformed(String hex, boolean v5) {
        return assertThrows(MqttProtocolException.class, () -> decode(HEX.parseHex(hex.replace(" ", "")), v5));
    }

    @Test
    void everyPacketRoundTripsInBothVersions() throws Exception {
        for (boolean v5 : new boolean[] {true, false}) {
            for (Packet p : v5 ? Samples.v5() : Samples.v311()) {
                byte[] wire = bytes(Encoder.encode(p, v5, Integer.MAX_VALUE));
                Packet back = decode(wire, v5);
                assertEquals(p.type(), back.type());
                assertArrayEquals(wire, bytes(Encoder.encode(back, v5, Integer.MAX_VALUE)), p.toString());
                if (p instanceof Publish pub) {
                    Publish q = (Publish) back;
                    assertEquals(pub.topic(), q.topic());
                    assertEquals(pub.qos(), q.qos());
                    assertEquals(pub.packetId(), q.packetId());
                    assertArrayEquals(pub.payload(), q.payload());
                    assertEquals(pub.properties(), q.properties());
                }
            }
        }
    }

    @Test
    void knownWireForms() throws Exception {
        assertEquals("c000", HEX.formatHex(bytes(Encoder.encode(Packet.Ping.REQ, true, 100))));
        assertEquals("e000", HEX.formatHex(bytes(Encoder.encode(new Packet.Disconnect(0, null), true, 100))));
        // MQTT 5 short forms: PUBACK success without properties is the packet id alone
        assertEquals("40020007", HEX.formatHex(bytes(Encoder.encode(Ack.of(Packet.PUBACK, 7), true, 100))));
        assertEquals("62020007", HEX.formatHex(bytes(Encoder.encode(Ack.of(Packet.PUBREL, 7), false, 100))));
        // 3.1.1 CONNECT, clean session, keep alive 60, client id "a"
        assertEquals("100d00044d5154540402003c000161", HEX.formatHex(bytes(Encoder.encode(
                new Packet.Connect(4, "a", true, 60, null, null, null, null), false, 100))));
        // a 3-byte PUBACK (reason code, no properties) and a 2-byte DISCONNECT decode
        Ack a = (Ack) decode(HEX.parseHex("4003000110"), true);
        assertEquals(0x10, a.reasonCode());
        assertEquals(0x8E, ((Packet.Disconnect) decode(HEX.parseHex("e0018e"), true)).reasonCode());
    }

    @Test
    void variableByteIntegersAtEveryBoundary() throws Exception {
        int[] values = {0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455};
        String[] wire = {"00", "7f", "8001", "ff7f", "808001", "ffff7f", "80808001", "ffffff7f"};
        for (int i = 0; i < values.length; i++) {
            ByteBuffer b = ByteBuffer.allocate(4);
            Encoder.putVbi(b, values[i]);
            assertEquals(wire[i], HEX.formatHex(bytes(b.flip())));
            assertEquals(values[i], Decoder.remainingLength(ByteBuffer.wrap(HEX.parseHex(wire[i]))));
            assertEquals(wire[i].length() / 2, Encoder.vbiSize(values[i]));
        }
        assertEquals(-1, Decoder.remainingLength(ByteBuffer.wrap(HEX.parseHex("8080"))));
        MqttProtocolException e = assertThrows(MqttProtocolException.class,
                () -> Decoder.remainingLength(ByteBuffer.wrap(HEX.parseHex("ffffffff7f"))));
        assertEquals(MqttProtocolException.MALFORMED, e.reasonCode());
    }

    @Test
    void malformedPacketsAreTypedProtocolErrors() {
        // property repeated: Session Expiry twice in CONNACK
        MqttProtocolException e = malformed("200d 0000 0a 110000000a 1100000014", true);
        assertEquals(MqttProtocolException.PROTOCOL_ERROR, e.reasonCode());
        assertTrue(e.getMessage().contains("Session Expiry Interval included more than once"), e.getMessage());
        // Subscription Identifier may repeat in PUBLISH only
        malformed("820b 0001 04 0b010b02 0001 61 00", true);
        // property not allowed in the packet: Topic Alias in CONNACK
        assertTrue(malformed("2006 0000 03 230001", true).getMessage().contains("not allowed in CONNACK"));
        // unknown property id
        malformed("2005 0000 02 7f00", true);
        // property length beyond the packet
        malformed("2004 0000 09 11", true);
        // invalid UTF-8 in a topic (C3 28), an encoded surrogate (ED A0 80), U+0000
        assertTrue(malformed("3004 0002 c328", false).getMessage().contains("UTF-8"));
        malformed("3005 0003 eda080", false);
        assertTrue(malformed("3005 0003 610062", false).getMessage().contains("U+0000"));
        // wildcard in a topic name
        assertEquals(MqttProtocolException.TOPIC_NAME_INVALID, malformed("3003 0001 2b", false).reasonCode());
        // packet id 0 where forbidden
        assertTrue(malformed("4002 0000", false).getMessage().contains("packet identifier 0"));
        malformed("3205 0001 61 0000", false);
        malformed("8206 0000 0001 6100", false);
        malformed("b002 0000", false);
        // QoS 3, DUP with QoS 0, wrong fixed header flags
        malformed("3603 0001 61", false);
        malformed("3803 0001 61", false);
        malformed("6002 0001", false);
        malformed("8106 0001 0001 6100", false);
        // AUTH does not exist in 3.1.1; packet type 0 is reserved
        malformed("f000", false);
        malformed("0000", true);
        // trailing bytes, missing filter, bad subscription options
        malformed("c00100", true);
        malformed("8202 0001", false);
        malformed("8206 0001 0001 6103", false);
        malformed("8207 0001 00 0001 61c0", true);
        // 3.1.1 CONNACK return code > 5, session present with a failure
        malformed("2002 0006", false);
        malformed("2002 0105", false);
        // CONNECT: wrong protocol name, reserved flag, unknown level
        malformed("100d 00044d515458 0402 003c 000161", false);
        malformed("100d 00044d515454 0403 003c 000161", false);
        assertEquals(0x84, malformed("100d 00044d515454 0302 003c 000161", false).reasonCode());
        // Receive Maximum 0, Maximum Packet Size 0
        malformed("2006 0000 03 210000", true);
        malformed("2008 0000 05 2700000000", true);
    }

    @Test
    void encoderRefusesWhatTheSpecForbids() {
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(
                new Publish(false, 0, false, "a\0b", 0, new byte[0], null), true, 1000));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(
                new Publish(false, 0, false, "a\ud800", 0, new byte[0], null), true, 1000));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(
                new Publish(false, 0, false, "a/+", 0, new byte[0], null), true, 1000));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(
                new Publish(false, 1, false, "a", 0, new byte[0], null), true, 1000));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Ack.of(Packet.PUBACK, 0), true, 1000));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(
                new Subscribe(0, List.of(new Subscription("a", 0)), null), true, 1000));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(
                new Subscribe(1, List.of(new Subscription("a", 4)), null), false, 1000));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(new Connack(false, 0,
                new Properties().put(Properties.TOPIC_ALIAS, 1)), true, 1000));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(new Packet.Auth(0, null), false, 1000));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(new Publish(false, 0, false, "a", 0,
                new byte[0], new Properties().put(Properties.SESSION_EXPIRY, 1L)), true, 1000));
    }

    @Test
    void publishBytesAreExactWithThePayloadAppendedOnce() throws Exception {
        Publish p = new Publish(false, 1, false, "a/b", 10, new byte[] {1, 2, 3}, null);
        assertEquals("320a0003612f62000a010203", HEX.formatHex(bytes(Encoder.encode(p, false, Integer.MAX_VALUE))));
        assertEquals("320b0003612f62000a00010203", HEX.formatHex(bytes(Encoder.encode(p, true, Integer.MAX_VALUE))));
        // a payload whose length needs a two-byte remaining length, with an empty payload as well
        byte[] big = new byte[200];
        big[199] = 7;
        ByteBuffer wire = Encoder.encode(new Publish(false, 0, false, "t", 0, big, null), false, Integer.MAX_VALUE);
        assertEquals(1 + 2 + 3 + 200, wire.remaining());
        assertEquals(7, wire.get(wire.limit() - 1));
        assertEquals("30030001" + "74", HEX.formatHex(bytes(Encoder.encode(new Publish(false, 0, false, "t", 0,
                new byte[0], null), false, Integer.MAX_VALUE))));
    }

    @Test
    void maximumPacketSizeIsEnforcedInBothDirections() throws Exception {
        Publish p = new Publish(false, 1, false, "t", 1, new byte[100], null);
        int size = Encoder.encode(p, true, Integer.MAX_VALUE).remaining();
        assertEquals(size, Encoder.encode(p, true, size).remaining());
        MqttLimitException out = assertThrows(MqttLimitException.class, () -> Encoder.encode(p, true, size - 1));
        assertTrue(out.getMessage().contains("maximum packet size " + (size - 1)), out.getMessage());

        byte[] wire = bytes(Encoder.encode(p, true, size));
        assertEquals(1, new PacketReader(new FrameReader(ScriptedReadable.of(wire), 4096), true, size).next()
                .toCompletableFuture().join().value().type() == Packet.PUBLISH ? 1 : 0);
        CompletionException in = assertThrows(CompletionException.class, () -> new PacketReader(
                new FrameReader(ScriptedReadable.of(wire), 4096), true, size - 1).next().toCompletableFuture().join());
        assertEquals(MqttProtocolException.PACKET_TOO_LARGE,
                assertInstanceOf(MqttProtocolException.class, in.getCause()).reasonCode());

        // a length field announcing 268 MB is refused from the header, before any body is read
        ScriptedReadable huge = ScriptedReadable.of(HEX.parseHex("30ffffff7f"), new byte[10]);
        CompletionException h = assertThrows(CompletionException.class, () -> new PacketReader(
                new FrameReader(huge, 4096), true, 4096).next().toCompletableFuture().join());
        assertTrue(h.getCause().getMessage().contains("268435460 bytes"), h.getCause().getMessage());
        // remaining length overflow (a fifth length byte)
        CompletionException o = assertThrows(CompletionException.class, () -> new PacketReader(
                new FrameReader(ScriptedReadable.of(HEX.parseHex("30ffffffff01")), 4096), true, 4096).next()
                .toCompletableFuture().join());
        assertEquals(MqttProtocolException.MALFORMED,
                assertInstanceOf(MqttProtocolException.class, o.getCause()).reasonCode());
    }
}
