package org.rawsockets.modbus.internal.codec;

import java.util.LinkedHashMap;
import java.util.Map;

import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.FunctionCode;
import org.rawsockets.modbus.ModbusClient;
import org.rawsockets.modbus.ModbusProtocolException;
import org.rawsockets.modbus.Registers;

/**
 * Builds request PDUs for every supported function, checking the Modbus limits first, with the
 * matching response checks. Pure functions, no I/O.
 */
public final class Pdus {

    /** Largest PDU (253 bytes: 256-byte RTU ADU minus address and CRC; MBAP length 254 minus unit). */
    public static final int MAX_PDU = 253;

    private Pdus() {
    }

    /** One page of a 43/14 response. */
    public record DeviceIdPage(int readDeviceIdCode, int conformityLevel, boolean moreFollows, int nextObjectId,
            Map<Integer, byte[]> objects) {
    }

    public static Request<Bits> readBits(FunctionCode function, int address, int quantity) {
        if (function != FunctionCode.READ_COILS && function != FunctionCode.READ_DISCRETE_INPUTS) {
            throw new IllegalArgumentException("readBits needs function 1 or 2, was " + function);
        }
        checkRange(function, address, quantity, ModbusClient.MAX_READ_BITS);
        byte[] pdu = {(byte) function.code(), hi(address), lo(address), hi(quantity), lo(quantity)};
        int byteCount = (quantity + 7) / 8;
        return new Request<>(pdu, describe(function, address, quantity), (r, ctx) -> {
            expectLength(r, 2 + byteCount, ctx, function);
            expectByte(r, 1, byteCount, "byte count", ctx, function);
            return Bits.fromPacked(r, 2, quantity);
        });
    }

    public static Request<Registers> readRegisters(FunctionCode function, int address, int quantity) {
        if (function != FunctionCode.READ_HOLDING_REGISTERS && function != FunctionCode.READ_INPUT_REGISTERS) {
            throw new IllegalArgumentException("readRegisters needs function 3 or 4, was " + function);
        }
        checkRange(function, address, quantity, ModbusClient.MAX_READ_REGISTERS);
        byte[] pdu = {(byte) function.code(), hi(address), lo(address), hi(quantity), lo(quantity)};
        return new Request<>(pdu, describe(function, address, quantity), registersDecoder(function, quantity));
    }

    private static Request.ResponseDecoder<Registers> registersDecoder(FunctionCode function, int quantity) {
        return (r, ctx) -> {
            expectLength(r, 2 + 2 * quantity, ctx, function);
            expectByte(r, 1, 2 * quantity, "byte count", ctx, function);
            return Registers.fromBytes(r, 2, 2 * quantity);
        };
    }

    public static Request<Void> writeSingleCoil(int address, boolean value) {
        FunctionCode f = FunctionCode.WRITE_SINGLE_COIL;
        checkAddress(f, address);
        byte[] pdu = {(byte) f.code(), hi(address), lo(address), (byte) (value ? 0xFF : 0x00), 0};
        return echo(pdu, f.title() + " (0x05) address " + address + " value " + (value ? "ON" : "OFF"));
    }

    public static Request<Void> writeSingleRegister(int address, int value) {
        FunctionCode f = FunctionCode.WRITE_SINGLE_REGISTER;
        checkAddress(f, address);
        checkWord(value, "value");
        byte[] pdu = {(byte) f.code(), hi(address), lo(address), hi(value), lo(value)};
        return echo(pdu, f.title() + " (0x06) address " + address + " value " + (value & 0xFFFF));
    }

    public static Request<Void> writeMultipleCoils(int address, Bits values) {
        FunctionCode f = FunctionCode.WRITE_MULTIPLE_COILS;
        int quantity = values.size();
        checkRange(f, address, quantity, ModbusClient.MAX_WRITE_COILS);
        byte[] packed = values.toPacked();
        byte[] pdu = new byte[6 + packed.length];
        pdu[0] = (byte) f.code();
        pdu[1] = hi(address);
        pdu[2] = lo(address);
        pdu[3] = hi(quantity);
        pdu[4] = lo(quantity);
        pdu[5] = (byte) packed.length;
        System.arraycopy(packed, 0, pdu, 6, packed.length);
        return writeMultipleEcho(pdu, describe(f, address, quantity), f);
    }

    public static Request<Void> writeMultipleRegisters(int address, Registers values) {
        FunctionCode f = FunctionCode.WRITE_MULTIPLE_REGISTERS;
        int quantity = values.size();
        checkRange(f, address, quantity, ModbusClient.MAX_WRITE_REGISTERS);
        byte[] data = values.toBytes();
        byte[] pdu = new byte[6 + data.length];
        pdu[0] = (byte) f.code();
        pdu[1] = hi(address);
        pdu[2] = lo(address);
        pdu[3] = hi(quantity);
        pdu[4] = lo(quantity);
        pdu[5] = (byte) data.length;
        System.arraycopy(data, 0, pdu, 6, data.length);
        return writeMultipleEcho(pdu, describe(f, address, quantity), f);
    }

    public static Request<Void> maskWriteRegister(int address, int andMask, int orMask) {
        FunctionCode f = FunctionCode.MASK_WRITE_REGISTER;
        checkAddress(f, address);
        checkWord(andMask, "andMask");
        checkWord(orMask, "orMask");
        byte[] pdu = {(byte) f.code(), hi(address), lo(address), hi(andMask), lo(andMask), hi(orMask), lo(orMask)};
        return echo(pdu, String.format("%s (0x16) address %d and 0x%04X or 0x%04X", f.title(), address,
                andMask & 0xFFFF, orMask & 0xFFFF));
    }

    public static Request<Registers> readWriteMultipleRegisters(int readAddress, int readQuantity, int writeAddress,
            Registers values) {
        FunctionCode f = FunctionCode.READ_WRITE_MULTIPLE_REGISTERS;
        checkRange(f, readAddress, readQuantity, ModbusClient.MAX_READ_REGISTERS);
        int writeQuantity = values.size();
        checkRange(f, writeAddress, writeQuantity, ModbusClient.MAX_READ_WRITE_WRITE_REGISTERS);
        byte[] data = values.toBytes();
        byte[] pdu = new byte[10 + data.length];
        pdu[0] = (byte) f.code();
        pdu[1] = hi(readAddress);
        pdu[2] = lo(readAddress);
        pdu[3] = hi(readQuantity);
        pdu[4] = lo(readQuantity);
        pdu[5] = hi(writeAddress);
        pdu[6] = lo(writeAddress);
        pdu[7] = hi(writeQuantity);
        pdu[8] = lo(writeQuantity);
        pdu[9] = (byte) data.length;
        System.arraycopy(data, 0, pdu, 10, data.length);
        return new Request<>(pdu, f.title() + " (0x17) read " + readAddress + " quantity " + readQuantity + " write "
                + writeAddress + " quantity " + writeQuantity, registersDecoder(f, readQuantity));
    }

    /** One 43/14 request; {@code objectId} is where to start (0 first, then the device's next object id). */
    public static Request<DeviceIdPage> readDeviceIdentification(DeviceIdCategory category, int objectId) {
        if (objectId < 0 || objectId > 0xFF) {
            throw new IllegalArgumentException("device identification objectId must be 0..255, was " + objectId);
        }
        byte[] pdu = {0x2B, 0x0E, (byte) category.code(), (byte) objectId};
        FunctionCode f = FunctionCode.ENCAPSULATED_INTERFACE_TRANSPORT;
        return new Request<>(pdu, "Read Device Identification (0x2B/0x0E) " + category + " from object " + objectId,
                (r, ctx) -> {
                    if (r.length < 7) {
                        throw mismatch(ctx, f, "response has " + r.length + " bytes, at least 7 expected");
                    }
                    expectByte(r, 1, 0x0E, "MEI type", ctx, f);
                    expectByte(r, 2, category.code(), "read device id code", ctx, f);
                    int more = r[4] & 0xFF;
                    if (more != 0x00 && more != 0xFF) {
                        throw mismatch(ctx, f, String.format("'more follows' must be 0x00 or 0xFF, was 0x%02X", more));
                    }
                    int count = r[6] & 0xFF;
                    Map<Integer, byte[]> objects = new LinkedHashMap<>();
                    int at = 7;
                    for (int i = 0; i < count; i++) {
                        if (at + 2 > r.length) {
                            throw mismatch(ctx, f, "object #" + i + " of " + count + " is truncated");
                        }
                        int id = r[at] & 0xFF;
                        int len = r[at + 1] & 0xFF;
                        at += 2;
                        if (at + len > r.length) {
                            throw mismatch(ctx, f, "object 0x" + Integer.toHexString(id) + " claims " + len
                                    + " bytes, only " + (r.length - at) + " left");
                        }
                        byte[] v = new byte[len];
                        System.arraycopy(r, at, v, 0, len);
                        objects.put(id, v);
                        at += len;
                    }
                    if (at != r.length) {
                        throw mismatch(ctx, f, (r.length - at) + " bytes follow the last object");
                    }
                    return new DeviceIdPage(r[2] & 0xFF, r[3] & 0xFF, more == 0xFF, r[5] & 0xFF, objects);
                });
    }

    /** A raw PDU: only the function code of the response is checked. */
    public static Request<byte[]> raw(byte[] pdu) {
        if (pdu == null || pdu.length < 1 || pdu.length > MAX_PDU) {
            throw new IllegalArgumentException("a raw PDU must have 1.." + MAX_PDU + " bytes, had "
                    + (pdu == null ? "null" : pdu.length));
        }
        int fc = pdu[0] & 0xFF;
        if (fc < 1 || fc > 127) {
            throw new IllegalArgumentException("a raw PDU must start with a function code 1..127, was " + fc);
        }
        return new Request<>(pdu.clone(), FunctionCode.describe(fc) + " (raw, " + pdu.length + " bytes)",
                (r, ctx) -> r);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static Request<Void> echo(byte[] pdu, String description) {
        return new Request<>(pdu, description, (r, ctx) -> {
            FunctionCode f = FunctionCode.of(pdu[0] & 0xFF);
            expectLength(r, pdu.length, ctx, f);
            for (int i = 1; i < pdu.length; i++) {
                if (r[i] != pdu[i]) {
                    throw mismatch(ctx, f, "the response does not echo the request (byte " + i + " is "
                            + (r[i] & 0xFF) + ", sent " + (pdu[i] & 0xFF) + ")");
                }
            }
            return null;
        });
    }

    private static Request<Void> writeMultipleEcho(byte[] pdu, String description, FunctionCode f) {
        return new Request<>(pdu, description, (r, ctx) -> {
            expectLength(r, 5, ctx, f);
            for (int i = 1; i < 5; i++) {
                if (r[i] != pdu[i]) {
                    throw mismatch(ctx, f, "the response's address/quantity "
                            + (((r[1] & 0xFF) << 8) | (r[2] & 0xFF)) + "/" + (((r[3] & 0xFF) << 8) | (r[4] & 0xFF))
                            + " do not match the request");
                }
            }
            return null;
        });
    }

    /**
     * {@code "Read Holding Registers (0x03) address 0 quantity 10"}. Built for every request, so by
     * concatenation: {@code String.format} parses its pattern with a regular expression each call,
     * which the issue-12 profile found taking over a third of the I/O thread's samples at window 1.
     */
    private static String describe(FunctionCode f, int address, int quantity) {
        int code = f.code();
        return f.title() + " (0x" + HEX[code >> 4 & 0xF] + HEX[code & 0xF] + ") address " + address + " quantity "
                + quantity;
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    static void checkAddress(FunctionCode f, int address) {
        if (address < 0 || address > 0xFFFF) {
            throw new IllegalArgumentException(f.title() + ": address must be 0..65535, was " + address);
        }
    }

    static void checkRange(FunctionCode f, int address, int quantity, int max) {
        checkAddress(f, address);
        if (quantity < 1 || quantity > max) {
            throw new IllegalArgumentException(f.title() + ": quantity must be 1.." + max + " (Modbus limit), was "
                    + quantity);
        }
        if (address + quantity > 0x10000) {
            throw new IllegalArgumentException(f.title() + ": address " + address + " + quantity " + quantity
                    + " runs past 65535");
        }
    }

    static void checkWord(int v, String what) {
        if (v < Short.MIN_VALUE || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " must be in -32768..65535 (int16 or uint16), was " + v);
        }
    }

    private static void expectLength(byte[] r, int expected, String ctx, FunctionCode f)
            throws ModbusProtocolException {
        if (r.length != expected) {
            throw mismatch(ctx, f, "response PDU has " + r.length + " bytes, expected " + expected);
        }
    }

    private static void expectByte(byte[] r, int index, int expected, String what, String ctx, FunctionCode f)
            throws ModbusProtocolException {
        if ((r[index] & 0xFF) != expected) {
            throw mismatch(ctx, f, what + " is " + (r[index] & 0xFF) + ", expected " + expected);
        }
    }

    private static ModbusProtocolException mismatch(String ctx, FunctionCode f, String what) {
        return new ModbusProtocolException(ctx + ": " + (f == null ? "response" : f.title() + " response") + " "
                + "does not match the request: " + what);
    }

    static byte hi(int v) {
        return (byte) (v >> 8);
    }

    static byte lo(int v) {
        return (byte) v;
    }
}
