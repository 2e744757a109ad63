package org.rawsockets.protocols.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The shell's text table: aligned columns, right-aligned numbers, '-' for a missing cell. */
class TableTest {

    @Test
    void columnsAreAlignedAndNumbersRightAligned() {
        Table t = new Table("name", ">count", "state").row("office", 7, "idle").row("lab", 1234, null).row("x");
        assertEquals(3, t.size());
        assertEquals("""
                name    count  state
                office      7  idle
                lab      1234  -
                x           -  -
                """, t.toString());
    }

    @Test
    void anEmptyTableIsItsHeader() {
        assertEquals("a  b\n", new Table("a", "b").toString());
    }
}
