package org.rawsockets.modbus.internal.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.FunctionCode;
import org.rawsockets.modbus.ModbusException;
import org.rawsockets.modbus.Registers;

/**
 * A bounded, seeded mutation fuzz of the response path: framing (MBAP stream, RTU stream, UDP
 * datagram) and response decoding against every kind of request. The only failure allowed is a
 * typed {@link ModbusException}; the decoders must never read outside the bytes they were given
 * (the buffers handed to them end exactly at the data, so an over-read is an exception) and never
 * buffer more than their bound.
 *
 * <p>Jazzer's JUnit integration would run this in regression mode only (seed inputs, no mutation)
 * in a normal build, so a deterministic mutation loop of {@value #ITERATIONS} inputs is used.
 */
class ResponseFuzzTest {

    static final int ITERATIONS = 40_000;

    private static List<Request<?>> requests() {
        return List.of(Pdus.readBits(FunctionCode.READ_COILS, 19, 19),
                Pdus.readBits(FunctionCode.READ_DISCRETE_INPUTS, 0, 2000),
                Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 107, 3),
                Pdus.readRegisters(FunctionCode.READ_INPUT_REGISTERS, 0, 125), Pdus.writeSingleCoil(172, true),
                Pdus.writeSingleRegister(1, 3), Pdus.writeMultipleCoils(19, Bits.of(new boolean[10])),
                Pdus.writeMultipleRegisters(1, Registers.ofInts(10, 258)), Pdus.maskWriteRegister(4, 0xF2, 0x25),
                Pdus.readWriteMultipleRegisters(3, 6, 14, Registers.ofInts(255, 255, 255)),
                Pdus.readDeviceIdentification(DeviceIdCategory.REGULAR, 0), Pdus.raw(new byte[] { 0x41, 1, 2 }));
    }

    private static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        int ops = 1 + r.nextInt(4);
        for (int k = 0; k < ops; k++) {
            switch (r.nextInt(7)) {
                case 0 -> { // flip a bit
                    if (b.length > 0) {
                        int i = r.nextInt(b.length);
                        b[i] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> { // set an interesting value
                    if (b.length > 0) {
                        byte[] interesting = { 0, 1, 2, 0x7F, (byte) 0x80, (byte) 0xFF, (byte) 0xFE, 0x2B, 0x0E };
                        b[r.nextInt(b.length)] = interesting[r.nextInt(interesting.length)];
                    }
                }
                case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
                case 3 -> { // append random bytes
                    int n = 1 + r.nextInt(16);
                    byte[] c = Arrays.copyOf(b, b.length + n);
                    for (int i = b.length; i < c.length; i++) {
                        c[i] = (byte) r.nextInt(256);
                    }
                    b = c;
                }
                case 4 -> { // duplicate a slice
                    if (b.length > 1) {
                        int from = r.nextInt(b.length);
                        int len = 1 + r.nextInt(b.length - from);
                        byte[] c = Arrays.copyOf(b, b.length + len);
                        System.arraycopy(b, from, c, b.length, len);
                        b = c;
                    }
                }
                case 5 -> { // random bytes entirely
                    b = new byte[r.nextInt(300)];
                    r.nextBytes(b);
                }
                default -> { // delete a byte
                    if (b.length > 0) {
                        int i = r.nextInt(b.length);
                        byte[] c = new byte[b.length - 1];
                        System.arraycopy(b, 0, c, 0, i);
                        System.arraycopy(b, i + 1, c, i, c.length - i);
                        b = c;
                    }
                }
            }
        }
        return b;
    }

    @Test
    void decodersOnlyFailWithTypedErrors() {
        Random random = new Random(0x5EED);
        List<Request<?>> requests = requests();
        List<byte[]> seeds = new ArrayList<>(StreamDecoderTest.responsePdus());
        long frames = 0;
        long typed = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] pdu = seeds.get(random.nextInt(seeds.size()));
            int mode = random.nextInt(3);
            byte[] input = switch (mode) {
                case 0 -> mutate(MbapCodec.encode(random.nextInt(65536), random.nextInt(256), pdu), random);
                case 1 -> mutate(RtuCodec.encode(1 + random.nextInt(247), pdu), random);
                default -> mutate(pdu, random);
            };
            try {
                List<FrameResult.Frame> out = new ArrayList<>();
                if (mode == 0 && random.nextBoolean()) {
                    FrameResult fr = MbapCodec.decodeDatagram(exact(input));
                    if (fr instanceof FrameResult.Frame f) {
                        out.add(f);
                    }
                } else if (mode < 2) {
                    StreamDecoder d = new StreamDecoder(mode == 0 ? StreamDecoder.Framing.MBAP : StreamDecoder.Framing.RTU);
                    int at = 0;
                    while (at < input.length) {
                        int n = 1 + random.nextInt(input.length - at);
                        d.feed(exact(Arrays.copyOfRange(input, at, at + n)), out::add);
                        at += n;
                        assertTrue(d.buffered() <= RtuCodec.MAX_ADU + MbapCodec.MAX_ADU, "buffer bound");
                    }
                } else {
                    out.add(new FrameResult.Frame(0, 1, input));
                }
                for (FrameResult.Frame f : out) {
                    frames++;
                    assertTrue(mode == 2 || f.pdu().length <= Pdus.MAX_PDU, "pdu bound");
                    for (Request<?> req : requests) {
                        try {
                            req.decode(f.pdu(), "fuzz");
                        } catch (ModbusException expected) {
                            typed++;
                        }
                    }
                }
            } catch (ModbusException expected) {
                typed++;
            } catch (RuntimeException | Error e) {
                fail("input " + java.util.HexFormat.of().formatHex(input) + " (mode " + mode + ") threw " + e, e);
            }
        }
        assertTrue(frames > ITERATIONS / 4, "the fuzz reaches the response decoders (" + frames + " frames)");
        assertTrue(typed > 0, "and sees typed errors");
    }

    /** A buffer that ends exactly at the data: a read past it throws. */
    private static ByteBuffer exact(byte[] b) {
        return ByteBuffer.wrap(b).slice().asReadOnlyBuffer();
    }
}
