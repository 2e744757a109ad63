package org.rawsockets.mqtt.internal.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttConnectionException;

/** Client frame encoding (masking, the three length forms), server frame parsing and its refusals, the handshake. */
class WsFrameTest {

    static final HexFormat HEX = HexFormat.of();

    /** A server frame (unmasked). */
    static byte[] server(boolean fin, int opcode, byte[] payload) {
        int n = payload.length;
        ByteBuffer b = ByteBuffer.allocate(10 + n);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (n <= 125) {
            b.put((byte) n);
        } else if (n <= 0xFFFF) {
            b.put((byte) 126).putShort((short) n);
        } else {
            b.put((byte) 127).putLong(n);
        }
        b.put(payload).flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void clientFramesAreMaskedWithTheShortestLength() {
        byte[] key = {0x37, (byte) 0xfa, 0x21, 0x3d};
        // RFC 6455 5.7: a masked "Hello"
        assertEquals("818537fa213d7f9f4d5158", HEX.formatHex(bytes(WsFrame.encode(WsFrame.TEXT,
                ByteBuffer.wrap("Hello".getBytes(StandardCharsets.US_ASCII)), key))));
        for (int n : new int[] {0, 1, 125, 126, 65535, 65536, 70000}) {
            byte[] payload = new byte[n];
            for (int i = 0; i < n; i++) {
                payload[i] = (byte) (i * 31);
            }
            byte[] f = bytes(WsFrame.encode(WsFrame.BINARY, ByteBuffer.wrap(payload), key));
            assertEquals((byte) 0x82, f[0]);
            assertTrue((f[1] & 0x80) != 0, "mask bit");
            int header = n <= 125 ? 2 : n <= 65535 ? 4 : 10;
            assertEquals(n <= 125 ? n : n <= 65535 ? 126 : 127, f[1] & 0x7F, "length form for " + n);
            assertEquals(header + 4 + n, f.length);
            byte[] unmasked = new byte[n];
            for (int i = 0; i < n; i++) {
                unmasked[i] = (byte) (f[header + 4 + i] ^ key[i & 3]);
            }
            assertArrayEquals(payload, unmasked, "payload of " + n);
        }
    }

    @Test
    void serverFramesParseOnlyWhenComplete() throws Exception {
        for (int n : new int[] {0, 5, 125, 126, 300, 65535, 65536}) {
            byte[] payload = new byte[n];
            if (n > 0) {
                payload[n / 2] = 7;
            }
            byte[] wire = server(true, WsFrame.BINARY, payload);
            for (int cut : new int[] {0, 1, 2, 3, Math.max(0, wire.length - 1)}) {
                if (cut < wire.length) {
                    ByteBuffer part = ByteBuffer.wrap(wire, 0, cut);
                    assertNull(WsFrame.parse(part, 1 << 20));
                    assertEquals(0, part.position(), "nothing consumed from an incomplete frame");
                }
            }
            ByteBuffer all = ByteBuffer.wrap(wire);
            WsFrame f = WsFrame.parse(all, 1 << 20);
            assertArrayEquals(payload, f.payload());
            assertTrue(f.fin());
            assertEquals(wire.length, all.position());
        }
    }

    @Test
    void malformedServerFramesAreRefused() {
        refused("8281" + "00000000" + "41", "masked");
        refused("c200", "reserved bits");
        refused("8300", "reserved opcode 0x3");
        refused("8b00", "reserved opcode 0xB");
        refused("097e" + "007e" + "00".repeat(126), "control frame");
        refused("0900", "fragmented");
        refused("827e0005" + "0102030405", "not minimal");
        refused("827f000000000000ffff", "not minimal");
        refused("827f8000000000000000", "too large");
        // too long for the limit: refused from the header alone, before any payload byte
        MqttConnectionException e = assertThrows(MqttConnectionException.class,
                () -> WsFrame.parse(ByteBuffer.wrap(HEX.parseHex("827f0000000001000000")), 1024));
        assertTrue(e.getMessage().contains("a frame of 16777216 bytes, larger than the 1024"), e.getMessage());
    }

    static void refused(String hex, String why) {
        MqttConnectionException e = assertThrows(MqttConnectionException.class,
                () -> WsFrame.parse(ByteBuffer.wrap(HEX.parseHex(hex)), 1 << 20), hex);
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertTrue(e.getMessage().startsWith("WebSocket protocol error"), e.getMessage());
    }

    @Test
    void handshakeRequestAndAcceptKey() throws Exception {
        // RFC 6455 1.3: the sample nonce and its accept value
        byte[] nonce = Base64.getDecoder().decode("dGhlIHNhbXBsZSBub25jZQ==");
        WsHandshake h = new WsHandshake(nonce);
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WsHandshake.accept(h.key()));
        String req = new String(h.request("broker:8080", "/mqtt"), StandardCharsets.US_ASCII);
        assertTrue(req.startsWith("GET /mqtt HTTP/1.1\r\nHost: broker:8080\r\n"), req);
        assertTrue(req.contains("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"), req);
        assertTrue(req.contains("\r\nSec-WebSocket-Protocol: mqtt\r\n"), req);
        assertTrue(req.contains("\r\nSec-WebSocket-Version: 13\r\n"), req);
        assertTrue(req.endsWith("\r\n\r\n"));
        String ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: mqtt";
        h.check(ok, "B");
        assertTrue(assertThrows(MqttConnectionException.class, () -> h.check(ok.replace("s3pP", "xxxx"), "B"))
                .getMessage().contains("Sec-WebSocket-Accept"));
        assertTrue(assertThrows(MqttConnectionException.class, () -> h.check(ok.replace(
                "\r\nSec-WebSocket-Protocol: mqtt", ""), "B")).getMessage().contains("expected mqtt"));
        assertTrue(assertThrows(MqttConnectionException.class, () -> h.check("HTTP/1.1 404 Not Found", "B"))
                .getMessage().contains("refused the WebSocket upgrade: 'HTTP/1.1 404 Not Found'"));
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
