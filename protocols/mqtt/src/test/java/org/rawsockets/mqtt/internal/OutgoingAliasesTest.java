package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.internal.codec.Decoder;
import org.rawsockets.mqtt.internal.codec.Encoder;
import org.rawsockets.mqtt.internal.codec.Packet.Publish;
import org.rawsockets.mqtt.internal.codec.Properties;

/** The outgoing topic alias map (least recently used, bounded) and the wire form of an aliased PUBLISH. */
class OutgoingAliasesTest {

    @Test
    void firstUseAssignsThenHitsWithinTheMaximum() {
        OutgoingAliases a = new OutgoingAliases(3);
        assertEquals(-1, a.lookup("a/1"));
        assertEquals(-2, a.lookup("a/2"));
        assertEquals(1, a.lookup("a/1"));
        assertEquals(2, a.lookup("a/2"));
        assertEquals(-3, a.lookup("a/3"));
        assertEquals(3, a.size());
        assertEquals(2, a.hits);
        assertEquals(3, a.assigned);
    }

    @Test
    void theLeastRecentlyUsedTopicGivesUpItsNumber() {
        OutgoingAliases a = new OutgoingAliases(3);
        a.lookup("t/1"); // 1
        a.lookup("t/2"); // 2
        a.lookup("t/3"); // 3
        a.lookup("t/1"); // t/2 is now the least recently used
        assertEquals(-2, a.lookup("t/4"), "t/4 takes the number of t/2");
        assertNull(a.peek("t/2"));
        assertEquals(-3, a.lookup("t/2"), "t/2 comes back with the number of t/3, now the least recently used");
        assertEquals(1, a.lookup("t/1"));
        assertEquals(3, a.size());
        // never more than the maximum, never a number outside 1..maximum, over many topics
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            int v = Math.abs(a.lookup("many/" + (i % 17)));
            assertTrue(v >= 1 && v <= 3, "alias " + v);
            seen.add(v);
            assertTrue(a.size() <= 3);
        }
        assertEquals(Set.of(1, 2, 3), seen);
    }

    @Test
    void anUnsentAssignmentIsGivenBack() {
        OutgoingAliases a = new OutgoingAliases(2);
        assertEquals(-1, a.lookup("x"));
        a.unassign("x");
        assertEquals(0, a.size());
        assertEquals(-1, a.lookup("y"), "the number of the unsent assignment is reused");
        assertEquals(-2, a.lookup("x"), "x is new again (alias 2)");
    }

    @Test
    void zeroMeansNoAliases() {
        OutgoingAliases a = new OutgoingAliases(0);
        for (int i = 0; i < 5; i++) {
            assertEquals(0, a.lookup("t"));
        }
        assertEquals(0, a.size());
    }

    @Test
    void aliasedPublishWireForm() throws Exception {
        HexFormat hex = HexFormat.of();
        // setting the alias: topic name and Topic Alias 1
        Publish set = new Publish(false, 1, false, "a/b", 7, new byte[] {0x2A},
                new Properties().put(Properties.TOPIC_ALIAS, 1));
        assertEquals("320c" + "0003612f62" + "0007" + "03" + "230001" + "2a",
                hex.formatHex(bytes(Encoder.encode(set, true, 1 << 20))));
        // using it: empty topic name and Topic Alias 1
        Publish use = new Publish(false, 1, false, "", 8, new byte[] {0x2A},
                new Properties().put(Properties.TOPIC_ALIAS, 1));
        byte[] wire = bytes(Encoder.encode(use, true, 1 << 20));
        assertEquals("3209" + "0000" + "0008" + "03" + "230001" + "2a", hex.formatHex(wire));
        ByteBuffer b = ByteBuffer.wrap(wire);
        int header = b.get() & 0xFF;
        Decoder.remainingLength(b);
        Publish back = (Publish) Decoder.decode(header, b, true);
        assertEquals("", back.topic());
        assertEquals(1, back.properties().intValue(Properties.TOPIC_ALIAS, 0));
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
