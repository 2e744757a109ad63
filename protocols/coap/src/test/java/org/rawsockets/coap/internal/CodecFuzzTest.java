package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapProtocolException;

/**
 * The message decoder this bundle runs on every received datagram ({@link Datagrams}: header checks,
 * then Californium's {@code UdpDataParser}): malformed input is a typed
 * {@link CoapProtocolException}, never another exception, and decoding is bounded. Seeded, so a
 * failure is reproducible. Before the header checks, the mutation fuzz found Californium 3.13
 * throwing {@code IllegalStateException} for an Empty message with a payload.
 */
class CodecFuzzTest {

    static final UdpDataParser PARSER = new UdpDataParser();
    static final UdpDataSerializer SERIALIZER = new UdpDataSerializer();

    static List<byte[]> samples() {
        List<byte[]> out = new ArrayList<>();
        Request get = Request.newGet();
        get.setMID(0x1234);
        get.setToken(Token.fromProvider(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        get.getOptions().setUriPath("sensors/temp").setUriQuery("unit=C&fmt=json").setAccept(50).setObserve(0);
        out.add(SERIALIZER.getByteArray(get));
        Response r = new Response(CoAP.ResponseCode.CONTENT);
        r.setType(CoAP.Type.ACK);
        r.setMID(7);
        r.setToken(Token.fromProvider(new byte[] { 9, 9 }));
        r.getOptions().setContentFormat(40).setMaxAge(30).setObserve(12345).addETag(new byte[] { 1, 2, 3, 4 });
        r.setPayload("</time>;rt=\"ticks\";obs,</example_data>;ct=0");
        out.add(SERIALIZER.getByteArray(r));
        Request put = Request.newPut();
        put.setMID(65535);
        put.setToken(Token.EMPTY);
        put.getOptions().setUriPath("a/very/long/path/segment/with/more/than/thirteen/bytes/in/total/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        put.getOptions().setBlock1(6, true, 3);
        put.setPayload(new byte[1024]);
        out.add(SERIALIZER.getByteArray(put));
        return out;
    }

    /** Parses; the only failure allowed is the typed one. */
    static Message parse(byte[] datagram) {
        try {
            return Datagrams.decode(datagram);
        } catch (CoapProtocolException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a format error says what is wrong");
            return null;
        } catch (RuntimeException e) {
            throw new AssertionError("untyped " + e + " decoding " + java.util.HexFormat.of().formatHex(datagram), e);
        }
    }

    @Test
    void samplesRoundTrip() {
        for (byte[] s : samples()) {
            Message m = PARSER.parseMessage(s);
            assertArrayEquals(s, SERIALIZER.getByteArray(m));
        }
    }

    @Test
    void everyPrefixIsAValidMessageOrATypedError() {
        int typed = 0;
        for (byte[] s : samples()) {
            for (int len = 0; len < s.length; len++) {
                if (parse(Arrays.copyOf(s, len)) == null) {
                    typed++;
                }
            }
        }
        assertTrue(typed > 50, "truncations inside the header, token or options are refused: " + typed);
    }

    @Test
    void seededMutationsGiveOnlyTypedErrors() {
        Random random = new Random(0xC0A9L);
        List<byte[]> samples = samples();
        int refused = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 60_000; i++) {
            byte[] d = samples.get(i % samples.size()).clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = random.nextInt(d.length);
                switch (random.nextInt(3)) {
                    case 0 -> d[at] = (byte) random.nextInt(256);
                    case 1 -> d[at] ^= (byte) (1 << random.nextInt(8));
                    default -> d = Arrays.copyOf(d, Math.max(1, at));
                }
            }
            if (parse(d) == null) {
                refused++;
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(refused > 1000, "mutations refused: " + refused);
        assertTrue(ms < 120_000, "60,000 decodes took " + ms + " ms");
    }

    @Test
    void optionDeltaOrLength15AndTruncatedTokenAreTypedErrors() {
        // CON GET, MID 1, TKL 2, token AB CD, then an option header with delta 15 (reserved, not the payload marker)
        byte[] delta15 = { 0x42, 0x01, 0x00, 0x01, (byte) 0xAB, (byte) 0xCD, (byte) 0xF1, 0x00 };
        CoapProtocolException e = assertThrows(CoapProtocolException.class, () -> Datagrams.decode(delta15));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("15")
                || e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("delta"), e.getMessage());
        // option length 15 (reserved)
        byte[] length15 = { 0x42, 0x01, 0x00, 0x01, (byte) 0xAB, (byte) 0xCD, (byte) 0xBF, 0x00 };
        assertTrue(assertThrows(CoapProtocolException.class, () -> Datagrams.decode(length15)).getMessage().startsWith("malformed CoAP datagram: "));
        // TKL 8 with only 3 token bytes
        byte[] truncatedToken = { 0x48, 0x45, 0x00, 0x01, 1, 2, 3 };
        assertTrue(assertThrows(CoapProtocolException.class, () -> Datagrams.decode(truncatedToken)).getMessage().startsWith("malformed CoAP datagram: "));
        // TKL 9..15 is reserved
        byte[] tkl9 = { 0x49, 0x45, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        assertTrue(assertThrows(CoapProtocolException.class, () -> Datagrams.decode(tkl9)).getMessage().startsWith("malformed CoAP datagram: "));
        // version 2
        byte[] version2 = { (byte) 0x80, 0x01, 0x00, 0x01 };
        assertTrue(assertThrows(CoapProtocolException.class, () -> Datagrams.decode(version2)).getMessage().startsWith("malformed CoAP datagram: "));
        // an Empty message (0.00) with bytes after the Message ID: Californium alone throws IllegalStateException
        byte[] emptyWithPayload = { 0x60, 0x00, 0x00, 0x07, (byte) 0xFF, 'x' };
        assertThrows(IllegalStateException.class, () -> PARSER.parseMessage(emptyWithPayload));
        assertTrue(assertThrows(CoapProtocolException.class, () -> Datagrams.decode(emptyWithPayload)).getMessage()
                .contains("Empty message (code 0.00) with 2 bytes after the Message ID"));
        // a Reset with a code: Californium parses it, but cannot serialize it back ("RST must use code 0")
        byte[] resetWithCode = { 0x70, 0x45, 0x00, 0x07 };
        assertTrue(assertThrows(CoapProtocolException.class, () -> Datagrams.decode(resetWithCode)).getMessage()
                .contains("Reset message with code 2.05"));
        assertEquals(3, samples().size());
    }
}
