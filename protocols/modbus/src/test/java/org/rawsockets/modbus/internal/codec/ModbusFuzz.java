package org.rawsockets.modbus.internal.codec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.FunctionCode;
import org.rawsockets.modbus.ModbusException;
import org.rawsockets.modbus.Registers;
import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

/** What the three Modbus fuzz targets share: the stream oracle and every request's response decoder. */
final class ModbusFuzz {

    static final List<Request<?>> REQUESTS = List.of(Pdus.readBits(FunctionCode.READ_COILS, 19, 19),
            Pdus.readBits(FunctionCode.READ_DISCRETE_INPUTS, 0, 2000),
            Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 107, 3),
            Pdus.readRegisters(FunctionCode.READ_INPUT_REGISTERS, 0, 125), Pdus.writeSingleCoil(172, true),
            Pdus.writeSingleRegister(1, 3), Pdus.writeMultipleCoils(19, Bits.of(new boolean[10])),
            Pdus.writeMultipleRegisters(1, Registers.ofInts(10, 258)), Pdus.maskWriteRegister(4, 0xF2, 0x25),
            Pdus.readWriteMultipleRegisters(3, 6, 14, Registers.ofInts(255, 255, 255)),
            Pdus.readDeviceIdentification(DeviceIdCategory.REGULAR, 0), Pdus.raw(new byte[] {0x41, 1, 2}));

    /** Per input byte: the frames and their list (each frame's decoding is measured on its own). */
    private static final long PER_BYTE = 64;

    private ModbusFuzz() {
    }

    /** A response PDU against every request: only {@link ModbusException} may escape. */
    static void decodeResponses(byte[] data, byte[] pdu) {
        if (pdu.length > Pdus.MAX_PDU) {
            throw new AssertionError("a framed PDU of " + pdu.length + " bytes, over " + Pdus.MAX_PDU + ": "
                    + FuzzOracle.hex(data));
        }
        for (Request<?> r : REQUESTS) {
            FuzzOracle.allocation(data, 8L * Pdus.MAX_PDU, "the response decoder of " + r.description(),
                    () -> FuzzOracle.onlyTyped(data, () -> r.decode(pdu, "fuzz"), ModbusException.class));
        }
    }

    /**
     * A stream in the fuzzer's pieces through {@link StreamDecoder}: the frames re-encode to the
     * stream's prefix, framed + buffered bytes are the input (when it did not fail), the buffer stays
     * within {@link StreamDecoder#CAPACITY}, and every frame decodes against every request.
     */
    static void stream(byte[] data, StreamDecoder.Framing framing, Function<FrameResult.Frame, byte[]> encode) {
        FuzzInput in = FuzzInput.of(data);
        byte[] p = in.payload();
        FuzzOracle.allocation(data, StreamDecoder.CAPACITY + PER_BYTE * p.length, "StreamDecoder " + framing, () -> {
            StreamDecoder d = new StreamDecoder(framing);
            List<FrameResult.Frame> frames = new ArrayList<>();
            byte[] chunks = in.chunking().length == 0 ? new byte[] {(byte) 255} : in.chunking();
            boolean failed = false;
            int at = 0;
            for (int i = 0; at < p.length; i++) {
                int n = Math.min(p.length - at, 1 + (chunks[i % chunks.length] & 0xFF));
                ByteBuffer piece = ByteBuffer.wrap(p, at, n).slice().asReadOnlyBuffer();
                at += n;
                if (FuzzOracle.onlyTyped(data, () -> {
                    d.feed(piece, frames::add);
                    return piece;
                }, ModbusException.class) == null) {
                    failed = true;
                    break;
                }
                if (piece.hasRemaining()) {
                    throw new AssertionError("feed left bytes of its piece: " + FuzzOracle.hex(data));
                }
                if (d.buffered() > StreamDecoder.CAPACITY) {
                    throw new AssertionError("buffered " + d.buffered() + " bytes: " + FuzzOracle.hex(data));
                }
            }
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            for (FrameResult.Frame f : frames) {
                again.writeBytes(encode.apply(f));
            }
            byte[] e = again.toByteArray();
            FuzzOracle.reencodes(data, java.util.Arrays.copyOf(p, Math.min(e.length, p.length)), e,
                    "the " + framing + " frames");
            if (!failed) {
                FuzzOracle.noBytesLost(p, e.length, d.buffered(), 0);
            }
            return frames;
        }).forEach(f -> decodeResponses(data, f.pdu()));
    }

    /** Seed streams: every sample response PDU framed. */
    static List<byte[]> samplePdus() {
        return StreamDecoderTest.responsePdus();
    }
}
