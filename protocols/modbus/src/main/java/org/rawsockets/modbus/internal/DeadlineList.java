package org.rawsockets.modbus.internal;

/**
 * Timeouts without a timer per request: the timeout is the same for every request, so deadlines
 * grow in submission order. Pending requests form a doubly linked list in that order (O(1) to add
 * and to remove when answered); one scheduled sweep fires at the head's deadline, fails what has
 * expired and re-arms for the new head. Answered requests leave the list at once, so the list holds
 * exactly the queued and in-flight requests (bounded by maxQueued + maxInFlight).
 *
 * <p>Not thread-safe: guarded by the client's lock.
 */
final class DeadlineList {

    private PendingRequest<?> head;
    private PendingRequest<?> tail;

    /** The oldest request, or null. */
    PendingRequest<?> head() {
        return head;
    }

    /** Appends {@code p} with its deadline (later than or equal to every deadline in the list). */
    void add(PendingRequest<?> p, long deadline) {
        p.deadline = deadline;
        p.prev = tail;
        if (tail == null) {
            head = p;
        } else {
            tail.next = p;
        }
        tail = p;
    }

    /** Removes {@code p}; nothing if it is not in the list. */
    void remove(PendingRequest<?> p) {
        if (p.prev == null && head != p) {
            return; // not linked
        }
        if (p.prev == null) {
            head = p.next;
        } else {
            p.prev.next = p.next;
        }
        if (p.next == null) {
            tail = p.prev;
        } else {
            p.next.prev = p.prev;
        }
        p.prev = null;
        p.next = null;
    }
}
