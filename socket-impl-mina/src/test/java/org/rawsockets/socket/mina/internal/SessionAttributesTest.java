package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.apache.mina.core.session.IoSessionAttributeMap;
import org.junit.jupiter.api.Test;

/** MINA's attribute-map contract, as its default map keeps it (null key refused, null value removes). */
class SessionAttributesTest {

    private final IoSessionAttributeMap m = new SessionAttributes();

    @Test
    void setGetReplaceAndRemove() {
        assertEquals("d", m.getAttribute(null, "a", "d"));
        assertNull(m.setAttribute(null, "a", 1));
        assertNull(m.setAttribute(null, "b", 2));
        assertNull(m.setAttribute(null, "c", 3));
        assertNull(m.setAttribute(null, "e", 5)); // beyond the first array
        assertEquals(1, m.setAttribute(null, "a", 10));
        assertEquals(10, m.getAttribute(null, "a", null));
        assertEquals(Set.of("a", "b", "c", "e"), m.getAttributeKeys(null));
        assertEquals(2, m.setAttributeIfAbsent(null, "b", 20));
        assertEquals(2, m.getAttribute(null, "b", null));
        assertNull(m.setAttributeIfAbsent(null, "f", 6));
        assertFalse(m.replaceAttribute(null, "c", 4, 30));
        assertTrue(m.replaceAttribute(null, "c", 3, 30));
        assertEquals(30, m.getAttribute(null, "c", null));
        assertFalse(m.removeAttribute(null, "c", 3));
        assertTrue(m.removeAttribute(null, "c", 30));
        assertFalse(m.containsAttribute(null, "c"));
        assertEquals(5, m.removeAttribute(null, "e"));
        assertNull(m.removeAttribute(null, "e"));
        assertEquals(10, m.setAttribute(null, "a", null)); // a null value removes
        assertFalse(m.containsAttribute(null, "a"));
        assertEquals(Set.of("b", "f"), m.getAttributeKeys(null));
        assertEquals(2, m.getAttribute(null, "b", null));
        assertEquals(6, m.getAttribute(null, "f", null));
    }

    @Test
    void nullKeysAreRefusedAndDisposeEmptiesIt() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> m.getAttribute(null, null, 1));
        assertThrows(IllegalArgumentException.class, () -> m.setAttribute(null, null, 1));
        m.setAttribute(null, "k", "v");
        m.dispose(null);
        assertFalse(m.containsAttribute(null, "k"));
        assertTrue(m.getAttributeKeys(null).isEmpty());
    }
}
