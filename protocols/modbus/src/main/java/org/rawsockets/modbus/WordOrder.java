package org.rawsockets.modbus;

/**
 * Order of the two 16-bit registers of a 32-bit value. Bytes inside a register are always
 * big-endian, as Modbus defines.
 */
public enum WordOrder {
    /** High word in the lower register address ("ABCD"), the Modbus convention. */
    HIGH_FIRST,
    /** Low word in the lower register address ("CDAB"), common on some PLCs. */
    LOW_FIRST
}
