package org.rawsockets.modbus;

/** The "Read Device ID code" of function 43/14: which group of identification objects to read. */
public enum DeviceIdCategory {
    /** Objects 0x00..0x02: vendor name, product code, revision (mandatory). */
    BASIC(1),
    /** Objects 0x00..0x06: adds vendor URL, product name, model name, user application name. */
    REGULAR(2),
    /** Objects 0x00..0xFF: adds private objects 0x80..0xFF. */
    EXTENDED(3);

    private final int code;

    DeviceIdCategory(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
