package org.rawsockets.modbus.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.ExceptionCode;
import org.rawsockets.modbus.FunctionCode;
import org.rawsockets.modbus.ModbusExceptionResponse;
import org.rawsockets.modbus.ModbusProtocolException;
import org.rawsockets.modbus.Registers;
import org.rawsockets.modbus.WordOrder;

/** Request encoding (spec examples), limits, and response checks. */
class PdusTest {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    @Test
    void requestDescriptionsNameFunctionCodeAddressAndQuantity() {
        assertEquals("Read Holding Registers (0x03) address 107 quantity 3",
                Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 107, 3).description());
        assertEquals(FunctionCode.WRITE_MULTIPLE_REGISTERS.title() + " (0x10) address 65534 quantity 2",
                Pdus.writeMultipleRegisters(65534, org.rawsockets.modbus.Registers.ofInts(1, 2)).description());
        assertEquals(FunctionCode.READ_COILS.title() + " (0x01) address 0 quantity 2000",
                Pdus.readBits(FunctionCode.READ_COILS, 0, 2000).description());
    }

    @Test
    void encodesTheSpecificationExamples() {
        assertArrayEquals(hex("01 0013 0013"), Pdus.readBits(FunctionCode.READ_COILS, 19, 19).pdu());
        assertArrayEquals(hex("02 00c4 0016"), Pdus.readBits(FunctionCode.READ_DISCRETE_INPUTS, 196, 22).pdu());
        assertArrayEquals(hex("03 006b 0003"), Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 107, 3).pdu());
        assertArrayEquals(hex("04 0008 0001"), Pdus.readRegisters(FunctionCode.READ_INPUT_REGISTERS, 8, 1).pdu());
        assertArrayEquals(hex("05 00ac ff00"), Pdus.writeSingleCoil(172, true).pdu());
        assertArrayEquals(hex("06 0001 0003"), Pdus.writeSingleRegister(1, 3).pdu());
        assertArrayEquals(hex("0f 0013 000a 02 cd01"), Pdus.writeMultipleCoils(19,
                Bits.of(true, false, true, true, false, false, true, true, true, false)).pdu());
        assertArrayEquals(hex("10 0001 0002 04 000a 0102"), Pdus.writeMultipleRegisters(1,
                Registers.ofInts(10, 258)).pdu());
        assertArrayEquals(hex("16 0004 00f2 0025"), Pdus.maskWriteRegister(4, 0xF2, 0x25).pdu());
        assertArrayEquals(hex("17 0003 0006 000e 0003 06 00ff 00ff 00ff"),
                Pdus.readWriteMultipleRegisters(3, 6, 14, Registers.ofInts(255, 255, 255)).pdu());
        assertArrayEquals(hex("2b 0e 01 00"), Pdus.readDeviceIdentification(DeviceIdCategory.BASIC, 0).pdu());
    }

    @Test
    void decodesTheSpecificationExamples() throws Exception {
        Bits coils = Pdus.readBits(FunctionCode.READ_COILS, 19, 19).decode(hex("01 03 cd6b05"), "t");
        assertEquals("Bits[1011001111010110101]", coils.toString());
        Registers r = Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 107, 3).decode(hex("03 06 022b 0000 0064"),
                "t");
        assertArrayEquals(new int[] { 555, 0, 100 }, r.toUnsigned());
        assertNull(Pdus.writeSingleCoil(172, true).decode(hex("05 00ac ff00"), "t"));
        assertNull(Pdus.writeMultipleRegisters(1, Registers.ofInts(10, 258)).decode(hex("10 0001 0002"), "t"));
        Pdus.DeviceIdPage page = Pdus.readDeviceIdentification(DeviceIdCategory.BASIC, 0)
                .decode(hex("2b0e 01 01 00 00 02 00 03 414243 01 01 58"), "t");
        assertFalse(page.moreFollows());
        assertEquals("ABC", new String(page.objects().get(0)));
        assertEquals(2, page.objects().size());
    }

    @Test
    void quantityLimitsAreCheckedBeforeSending() {
        assertLimit(() -> Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 0, 126), "1..125");
        assertLimit(() -> Pdus.readRegisters(FunctionCode.READ_INPUT_REGISTERS, 0, 0), "1..125");
        assertLimit(() -> Pdus.readBits(FunctionCode.READ_COILS, 0, 2001), "1..2000");
        assertLimit(() -> Pdus.writeMultipleRegisters(0, Registers.of(new short[124])), "1..123");
        assertLimit(() -> Pdus.writeMultipleCoils(0, Bits.of(new boolean[1969])), "1..1968");
        assertLimit(() -> Pdus.readWriteMultipleRegisters(0, 1, 0, Registers.of(new short[122])), "1..121");
        assertLimit(() -> Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 65535, 2), "past 65535");
        assertLimit(() -> Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 65536, 1), "0..65535");
        assertLimit(() -> Pdus.writeSingleRegister(0, 65536), "-32768..65535");
        assertLimit(() -> Pdus.raw(new byte[254]), "1..253");
        assertLimit(() -> Pdus.raw(new byte[] { (byte) 0x81 }), "1..127");
        // the largest legal ones are fine
        Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 65535 - 124, 125);
        Pdus.writeMultipleRegisters(0, Registers.of(new short[123]));
        Pdus.writeMultipleCoils(0, Bits.of(new boolean[1968]));
    }

    private static void assertLimit(org.junit.jupiter.api.function.Executable e, String text) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(text), x.getMessage());
    }

    @Test
    void exceptionResponseIsTypedWithTheCodeName() {
        ModbusExceptionResponse e = assertThrows(ModbusExceptionResponse.class,
                () -> Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 0, 1).decode(hex("83 02"), "dev"));
        assertEquals(ExceptionCode.ILLEGAL_DATA_ADDRESS, e.exceptionCode());
        assertEquals(3, e.functionCode());
        assertTrue(e.getMessage().contains("ILLEGAL_DATA_ADDRESS"), e.getMessage());
        assertTrue(e.getMessage().contains("Read Holding Registers (0x03)"), e.getMessage());
        assertEquals(ExceptionCode.UNKNOWN,
                assertThrows(ModbusExceptionResponse.class, () -> Pdus.raw(hex("41")).decode(hex("c1 55"), "d"))
                        .exceptionCode());
    }

    @Test
    void mismatchedResponsesAreProtocolErrors() {
        Request<Registers> read3 = Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, 0, 3);
        assertProtocol(() -> read3.decode(hex("04 06 000000000000"), "d"), "Read Input Registers");
        assertProtocol(() -> read3.decode(hex("03 04 00000000"), "d"), "6 bytes, expected 8");
        assertProtocol(() -> read3.decode(hex("03 04 000000000000"), "d"), "byte count is 4");
        assertProtocol(() -> read3.decode(hex(""), "d"), "empty");
        assertProtocol(() -> read3.decode(hex("83 02 00"), "d"), "3 bytes, expected 2");
        assertProtocol(() -> Pdus.writeSingleRegister(1, 3).decode(hex("06 0001 0004"), "d"), "echo");
        assertProtocol(() -> Pdus.writeMultipleRegisters(1, Registers.ofInts(1, 2)).decode(hex("10 0001 0003"), "d"),
                "do not match");
        assertProtocol(() -> Pdus.readBits(FunctionCode.READ_COILS, 0, 9).decode(hex("01 01 ff"), "d"), "expected 4");
        assertProtocol(() -> Pdus.readDeviceIdentification(DeviceIdCategory.BASIC, 0)
                .decode(hex("2b0e 01 01 00 00 01 00 05 4142"), "d"), "claims 5 bytes");
        assertProtocol(() -> Pdus.readDeviceIdentification(DeviceIdCategory.BASIC, 0)
                .decode(hex("2b0e 02 01 00 00 00"), "d"), "read device id code");
    }

    private static void assertProtocol(org.junit.jupiter.api.function.Executable e, String text) {
        ModbusProtocolException x = assertThrows(ModbusProtocolException.class, e);
        assertTrue(x.getMessage().contains(text), x.getMessage());
    }

    @Test
    void valueHelpers() {
        Registers r = Registers.ofInt32(WordOrder.HIGH_FIRST, 0x12345678, -2);
        assertArrayEquals(new int[] { 0x1234, 0x5678, 0xFFFF, 0xFFFE }, r.toUnsigned());
        assertEquals(0x12345678, r.int32(0, WordOrder.HIGH_FIRST));
        assertEquals(0x56781234, r.int32(0, WordOrder.LOW_FIRST));
        assertEquals(-2, r.int32(2, WordOrder.HIGH_FIRST));
        assertEquals(0xFFFFFFFEL, r.uint32(2, WordOrder.HIGH_FIRST));
        Registers low = Registers.ofInt32(WordOrder.LOW_FIRST, 0x12345678);
        assertArrayEquals(new int[] { 0x5678, 0x1234 }, low.toUnsigned());
        Registers f = Registers.ofFloat32(WordOrder.HIGH_FIRST, 3.14f);
        assertArrayEquals(new int[] { 0x4048, 0xF5C3 }, f.toUnsigned());
        assertEquals(3.14f, f.float32(0, WordOrder.HIGH_FIRST));
        assertEquals(3.14f, Registers.ofFloat32(WordOrder.LOW_FIRST, 3.14f).float32(0, WordOrder.LOW_FIRST));
        assertEquals(-1, Registers.ofInts(65535).int16(0));
        assertEquals(65535, Registers.ofInts(-1).uint16(0));
        assertEquals(4294967295L, Registers.ofUint32(WordOrder.HIGH_FIRST, 4294967295L).uint32(0, WordOrder.HIGH_FIRST));
        assertThrows(IndexOutOfBoundsException.class, () -> Registers.ofInts(1).int32(0, WordOrder.HIGH_FIRST));
        assertThrows(IllegalArgumentException.class, () -> Registers.ofInts(70000));
        Bits b = Bits.of(true, false, true, true, false, false, true, true, true, false);
        assertArrayEquals(hex("cd01"), b.toPacked());
        assertEquals(b, Bits.fromPacked(hex("cd01"), 0, 10));
    }
}
