package org.rawsockets.modbus;

/** The Modbus function codes this client implements, with their names for messages. */
public enum FunctionCode {
    READ_COILS(0x01, "Read Coils"),
    READ_DISCRETE_INPUTS(0x02, "Read Discrete Inputs"),
    READ_HOLDING_REGISTERS(0x03, "Read Holding Registers"),
    READ_INPUT_REGISTERS(0x04, "Read Input Registers"),
    WRITE_SINGLE_COIL(0x05, "Write Single Coil"),
    WRITE_SINGLE_REGISTER(0x06, "Write Single Register"),
    WRITE_MULTIPLE_COILS(0x0F, "Write Multiple Coils"),
    WRITE_MULTIPLE_REGISTERS(0x10, "Write Multiple Registers"),
    MASK_WRITE_REGISTER(0x16, "Mask Write Register"),
    READ_WRITE_MULTIPLE_REGISTERS(0x17, "Read/Write Multiple Registers"),
    ENCAPSULATED_INTERFACE_TRANSPORT(0x2B, "Encapsulated Interface Transport");

    private final int code;
    private final String title;

    FunctionCode(int code, String title) {
        this.code = code;
        this.title = title;
    }

    /** The code on the wire (1..127). */
    public int code() {
        return code;
    }

    /** Human name, e.g. {@code Read Holding Registers}. */
    public String title() {
        return title;
    }

    /** The constant for {@code code}, or {@code null} for a code this client does not name. */
    public static FunctionCode of(int code) {
        for (FunctionCode f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        return null;
    }

    /** {@code "Read Holding Registers (0x03)"}, or {@code "function 0x41"} for unnamed codes. */
    public static String describe(int code) {
        FunctionCode f = of(code);
        return f == null ? String.format("function 0x%02X", code) : String.format("%s (0x%02X)", f.title, code);
    }
}
