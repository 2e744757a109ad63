package org.rawsockets.modbus.internal.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.Registers;
import org.rawsockets.modbus.WordOrder;
import org.rawsockets.protocols.config.Table;

/** Parsing and printing of shell values: tables, formats, word order. No I/O. */
final class Values {

    private Values() {
    }

    enum TableKind {
        COILS, DISCRETE, HOLDING, INPUT;

        boolean bits() {
            return this == COILS || this == DISCRETE;
        }

        static TableKind parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "coils", "coil", "c" -> COILS;
                case "discrete", "discrete-inputs", "di", "d" -> DISCRETE;
                case "holding", "holding-registers", "hr", "h" -> HOLDING;
                case "input", "input-registers", "ir", "i" -> INPUT;
                default -> throw new IllegalArgumentException("table must be coils, discrete, holding or input, was '"
                        + s + "'");
            };
        }
    }

    enum Format {
        INT16(1), UINT16(1), INT32(2), UINT32(2), FLOAT32(2), HEX(1), BITS(1);

        final int registers;

        Format(int registers) {
            this.registers = registers;
        }

        static Format parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("format must be int16, uint16, int32, uint32, float32, hex or bits,"
                        + " was '" + s + "'");
            }
        }
    }

    static WordOrder order(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "high", "high-first", "abcd", "big" -> WordOrder.HIGH_FIRST;
            case "low", "low-first", "cdab", "little" -> WordOrder.LOW_FIRST;
            default -> throw new IllegalArgumentException("word order must be high (ABCD) or low (CDAB), was '" + s
                    + "'");
        };
    }

    /** Rows of (address, value) for registers read with {@code format}. */
    static Table registers(int address, Registers r, Format f, WordOrder order) {
        Table t = new Table(">address", ">" + f.name().toLowerCase(Locale.ROOT));
        for (int i = 0; i + f.registers <= r.size(); i += f.registers) {
            t.row(address + i, format(r, i, f, order));
        }
        return t;
    }

    static String format(Registers r, int i, Format f, WordOrder order) {
        return switch (f) {
            case INT16 -> Short.toString(r.int16(i));
            case UINT16 -> Integer.toString(r.uint16(i));
            case INT32 -> Integer.toString(r.int32(i, order));
            case UINT32 -> Long.toString(r.uint32(i, order));
            case FLOAT32 -> Float.toString(r.float32(i, order));
            case HEX -> String.format("0x%04X", r.uint16(i));
            case BITS -> {
                String b = String.format("%16s", Integer.toBinaryString(r.uint16(i))).replace(' ', '0');
                yield b.substring(0, 4) + "_" + b.substring(4, 8) + "_" + b.substring(8, 12) + "_" + b.substring(12);
            }
        };
    }

    static Table bits(int address, Bits b) {
        Table t = new Table(">address", ">value");
        for (int i = 0; i < b.size(); i++) {
            t.row(address + i, b.get(i) ? "1" : "0");
        }
        return t;
    }

    static boolean bit(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "1", "on", "true" -> true;
            case "0", "off", "false" -> false;
            default -> throw new IllegalArgumentException("a coil value must be 1/0, on/off or true/false, was '" + s
                    + "'");
        };
    }

    /** Parses values in {@code format} into registers (two per 32-bit value). */
    static Registers parseRegisters(List<String> values, Format f, WordOrder order) {
        List<Registers> parts = new ArrayList<>();
        int total = 0;
        for (String v : values) {
            Registers r;
            try {
                r = switch (f) {
                    case INT16, UINT16 -> Registers.ofInts(Integer.parseInt(v));
                    case HEX -> Registers.ofInts(Integer.parseInt(strip0x(v), 16));
                    case BITS -> Registers.ofInts(Integer.parseInt(v.replace("_", ""), 2));
                    case INT32 -> Registers.ofInt32(order, Integer.parseInt(v));
                    case UINT32 -> Registers.ofUint32(order, Long.parseLong(v));
                    case FLOAT32 -> Registers.ofFloat32(order, Float.parseFloat(v));
                };
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + v + "' is not a " + f.name().toLowerCase(Locale.ROOT)
                        + " value");
            }
            parts.add(r);
            total += r.size();
        }
        short[] all = new short[total];
        int at = 0;
        for (Registers r : parts) {
            for (short w : r.toArray()) {
                all[at++] = w;
            }
        }
        return Registers.of(all);
    }

    private static String strip0x(String v) {
        return v.startsWith("0x") || v.startsWith("0X") ? v.substring(2) : v;
    }
}
