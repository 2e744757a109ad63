package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The shared empty deque idle sockets' queues point at: readable as empty, never written. */
class NoDequeTest {

    @Test
    void readsAsEmptyAndRefusesEveryAdd() {
        ArrayDeque<String> q = NoDeque.empty();
        assertTrue(q.isEmpty());
        assertNull(q.poll());
        assertNull(q.peekLast());
        q.clear();
        assertEquals(0, q.size());
        assertThrows(IllegalStateException.class, () -> q.add("a"));
        assertThrows(IllegalStateException.class, () -> q.offer("a"));
        assertThrows(IllegalStateException.class, () -> q.push("a"));
        assertThrows(IllegalStateException.class, () -> q.addAll(List.of("a")));
        assertTrue(NoDeque.<String>empty().isEmpty(), "still empty for everyone");
    }

    @Test
    void writableGivesAQueueOfItsOwnOnceAndKeepsIt() {
        ArrayDeque<String> shared = NoDeque.empty();
        ArrayDeque<String> own = NoDeque.writable(shared);
        assertNotSame(shared, own);
        own.add("a");
        assertSame(own, NoDeque.writable(own));
        assertEquals("a", own.poll());
        assertSame(own, NoDeque.writable(own), "an emptied queue stays its own");
    }
}
