package org.rawsockets.modbus.internal.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.Registers;
import org.rawsockets.modbus.WordOrder;

class ValuesTest {

    @Test
    void formatsAndParsesEveryFormat() {
        Registers r = Values.parseRegisters(List.of("0x1234", "ffff"), Values.Format.HEX, WordOrder.HIGH_FIRST);
        assertArrayEquals(new int[] { 0x1234, 0xFFFF }, r.toUnsigned());
        Registers i32 = Values.parseRegisters(List.of("-2", "70000"), Values.Format.INT32, WordOrder.LOW_FIRST);
        assertEquals(4, i32.size());
        assertEquals("-2", Values.format(i32, 0, Values.Format.INT32, WordOrder.LOW_FIRST));
        assertEquals("70000", Values.format(i32, 2, Values.Format.UINT32, WordOrder.LOW_FIRST));
        assertEquals("0001_0010_0011_0100", Values.format(r, 0, Values.Format.BITS, WordOrder.HIGH_FIRST));
        Registers bits = Values.parseRegisters(List.of("0001_0010_0011_0100"), Values.Format.BITS, WordOrder.HIGH_FIRST);
        assertEquals(0x1234, bits.uint16(0));
        assertEquals("-1", Values.format(r, 1, Values.Format.INT16, WordOrder.HIGH_FIRST));
        assertEquals(Values.TableKind.HOLDING, Values.TableKind.parse("hr"));
        assertEquals(WordOrder.LOW_FIRST, Values.order("cdab"));
    }
}
