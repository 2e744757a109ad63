package org.rawsockets.modbus.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.ModbusProtocolException;

/** Framing of MBAP and RTU streams, with every input split at every byte boundary. */
class StreamDecoderTest {

    private static final HexFormat HEX = HexFormat.of();

    /** Response PDUs of every supported function, plus an exception. */
    static List<byte[]> responsePdus() {
        List<byte[]> pdus = new ArrayList<>();
        pdus.add(HEX.parseHex("0103cd6b05")); // FC1, 3 bytes of coils (spec example)
        pdus.add(HEX.parseHex("0203acdb35")); // FC2
        pdus.add(HEX.parseHex("0306022b00000064")); // FC3, spec example
        pdus.add(HEX.parseHex("0402000a")); // FC4
        pdus.add(HEX.parseHex("0500acff00")); // FC5
        pdus.add(HEX.parseHex("0600010003")); // FC6
        pdus.add(HEX.parseHex("0f0013000a")); // FC15
        pdus.add(HEX.parseHex("1000010002")); // FC16
        pdus.add(HEX.parseHex("16000400f20025")); // FC22
        pdus.add(HEX.parseHex("170c00fe0acd00010003000d00ff")); // FC23
        pdus.add(HEX.parseHex("2b0e01010000030016436f6d70616e79206964656e74696669636174696f6e0107"
                + "50726f6475637402025632")); // FC43/14, 3 objects
        pdus.add(HEX.parseHex("8302")); // exception
        byte[] big = new byte[2 + 250];
        big[0] = 3;
        big[1] = (byte) 250;
        for (int i = 2; i < big.length; i++) {
            big[i] = (byte) (i * 7);
        }
        pdus.add(big); // FC3, 125 registers: the largest register response
        return pdus;
    }

    static byte[] mbapStream(List<byte[]> pdus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < pdus.size(); i++) {
            out.writeBytes(MbapCodec.encode(0x1000 + i, i + 1, pdus.get(i)));
        }
        return out.toByteArray();
    }

    static byte[] rtuStream(List<byte[]> pdus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < pdus.size(); i++) {
            out.writeBytes(RtuCodec.encode(i + 1, pdus.get(i)));
        }
        return out.toByteArray();
    }

    private static List<FrameResult.Frame> feed(StreamDecoder.Framing framing, byte[] stream, int... cuts)
            throws ModbusProtocolException {
        StreamDecoder d = new StreamDecoder(framing);
        List<FrameResult.Frame> frames = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            d.feed(ByteBuffer.wrap(stream, from, cut - from), frames::add);
            from = cut;
        }
        d.feed(ByteBuffer.wrap(stream, from, stream.length - from), frames::add);
        assertEquals(0, d.buffered(), "nothing left over after whole frames");
        return frames;
    }

    private static void assertFrames(List<byte[]> pdus, List<FrameResult.Frame> frames, boolean mbap) {
        assertEquals(pdus.size(), frames.size());
        for (int i = 0; i < pdus.size(); i++) {
            assertArrayEquals(pdus.get(i), frames.get(i).pdu(), "pdu " + i);
            assertEquals(i + 1, frames.get(i).unitId());
            assertEquals(mbap ? 0x1000 + i : -1, frames.get(i).transactionId());
        }
    }

    @Test
    void mbapEverySplitPoint() throws Exception {
        List<byte[]> pdus = responsePdus();
        byte[] stream = mbapStream(pdus);
        for (int cut = 0; cut <= stream.length; cut++) {
            assertFrames(pdus, feed(StreamDecoder.Framing.MBAP, stream, cut), true);
        }
    }

    @Test
    void rtuEverySplitPoint() throws Exception {
        List<byte[]> pdus = responsePdus();
        byte[] stream = rtuStream(pdus);
        for (int cut = 0; cut <= stream.length; cut++) {
            assertFrames(pdus, feed(StreamDecoder.Framing.RTU, stream, cut), false);
        }
    }

    @Test
    void everyPairOfSplitPointsInOneFrame() throws Exception {
        List<byte[]> one = List.of(HEX.parseHex("2b0e01010000030016436f6d70616e79206964656e74696669636174696f6e0107"
                + "50726f6475637402025632"));
        for (StreamDecoder.Framing framing : StreamDecoder.Framing.values()) {
            byte[] stream = framing == StreamDecoder.Framing.MBAP ? mbapStream(one) : rtuStream(one);
            for (int a = 0; a <= stream.length; a++) {
                for (int b = a; b <= stream.length; b++) {
                    assertFrames(one, feed(framing, stream, a, b), framing == StreamDecoder.Framing.MBAP);
                }
            }
        }
    }

    @Test
    void byteByByteAndRandomChunks() throws Exception {
        List<byte[]> pdus = responsePdus();
        Random random = new Random(7);
        for (StreamDecoder.Framing framing : StreamDecoder.Framing.values()) {
            boolean mbap = framing == StreamDecoder.Framing.MBAP;
            byte[] stream = mbap ? mbapStream(pdus) : rtuStream(pdus);
            int[] everyByte = new int[stream.length - 1];
            for (int i = 0; i < everyByte.length; i++) {
                everyByte[i] = i + 1;
            }
            assertFrames(pdus, feed(framing, stream, everyByte), mbap);
            for (int round = 0; round < 200; round++) {
                List<Integer> cuts = new ArrayList<>();
                int at = 0;
                while ((at += 1 + random.nextInt(40)) < stream.length) {
                    cuts.add(at);
                }
                assertFrames(pdus, feed(framing, stream, cuts.stream().mapToInt(Integer::intValue).toArray()), mbap);
            }
            // one huge chunk larger than the decoder's buffer: many copies, still bounded
            ByteArrayOutputStream many = new ByteArrayOutputStream();
            for (int i = 0; i < 20; i++) {
                many.writeBytes(stream);
            }
            StreamDecoder d = new StreamDecoder(framing);
            List<FrameResult.Frame> frames = new ArrayList<>();
            d.feed(ByteBuffer.wrap(many.toByteArray()), frames::add);
            assertEquals(20 * pdus.size(), frames.size());
        }
    }

    @Test
    void partialFrameIsNeverConsumed() {
        byte[] adu = MbapCodec.encode(1, 1, HEX.parseHex("0306022b00000064"));
        for (int n = 0; n < adu.length; n++) {
            ByteBuffer b = ByteBuffer.wrap(adu, 0, n);
            assertInstanceOf(FrameResult.NeedMore.class, MbapCodec.decode(b));
            assertEquals(0, b.position());
        }
        byte[] rtu = RtuCodec.encode(1, HEX.parseHex("0306022b00000064"));
        for (int n = 0; n < rtu.length; n++) {
            ByteBuffer b = ByteBuffer.wrap(rtu, 0, n);
            assertInstanceOf(FrameResult.NeedMore.class, RtuCodec.decode(b));
            assertEquals(0, b.position());
        }
    }

    @Test
    void mbapRejectsBadProtocolIdAndLengths() {
        assertInvalid(StreamDecoder.Framing.MBAP, "000100010003010300", "protocol identifier is 1");
        assertInvalid(StreamDecoder.Framing.MBAP, "00010000000101", "length is 1");
        assertInvalid(StreamDecoder.Framing.MBAP, "00010000000001", "length is 0");
        assertInvalid(StreamDecoder.Framing.MBAP, "0001000000ff01", "length is 255");
        assertInvalid(StreamDecoder.Framing.MBAP, "000100000fff01", "length is 4095");
    }

    @Test
    void rtuRejectsBadCrcAndUnknownFunction() {
        byte[] good = RtuCodec.encode(1, HEX.parseHex("0306022b00000064"));
        good[good.length - 1] ^= 0x01;
        assertInvalid(StreamDecoder.Framing.RTU, HEX.formatHex(good), "CRC mismatch");
        assertInvalid(StreamDecoder.Framing.RTU, HEX.formatHex(RtuCodec.encode(1, HEX.parseHex("4101"))),
                "function code 0x41");
        assertInvalid(StreamDecoder.Framing.RTU, HEX.formatHex(RtuCodec.encode(1, HEX.parseHex("2b0d"))),
                "MEI type 0x0D");
    }

    @Test
    void knownCrcVector() {
        // Modbus spec / common vector: 01 03 00 00 00 0A -> CRC C5 CD
        assertEquals("0103000000 0ac5cd".replace(" ", ""), HEX.formatHex(RtuCodec.encode(1, HEX.parseHex("030000000a"))));
    }

    @Test
    void datagramMustHoldExactlyOneAdu() {
        byte[] adu = MbapCodec.encode(5, 9, HEX.parseHex("0402000a"));
        FrameResult ok = MbapCodec.decodeDatagram(ByteBuffer.wrap(adu));
        assertInstanceOf(FrameResult.Frame.class, ok);
        byte[] longer = java.util.Arrays.copyOf(adu, adu.length + 1);
        assertInstanceOf(FrameResult.Invalid.class, MbapCodec.decodeDatagram(ByteBuffer.wrap(longer)));
        byte[] shorter = java.util.Arrays.copyOf(adu, adu.length - 1);
        assertInstanceOf(FrameResult.Invalid.class, MbapCodec.decodeDatagram(ByteBuffer.wrap(shorter)));
    }

    private static void assertInvalid(StreamDecoder.Framing framing, String hex, String reason) {
        StreamDecoder d = new StreamDecoder(framing);
        ModbusProtocolException e = assertThrows(ModbusProtocolException.class,
                () -> d.feed(ByteBuffer.wrap(HEX.parseHex(hex)), f -> {
                }));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertThrows(ModbusProtocolException.class, () -> d.feed(ByteBuffer.allocate(1), f -> {
        }), "an out-of-sync decoder refuses further input");
    }
}
