package org.rawsockets.mqtt.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

import org.rawsockets.mqtt.internal.codec.Encoder;

/**
 * The client's packets on their way to the socket, in the order the client decided them: the client
 * decides under its lock (packet id, in-flight map, connection) and adds the checked packet here
 * ({@link Encoder.Prepared}); after leaving the lock it calls {@link #drain()}, which builds each
 * packet's buffer (the payload copy) and writes it to its connection's socket, in order, with no
 * client lock held. One thread drains at a time: a thread that finds another draining returns at
 * once and leaves its packets to it, so the I/O thread handling an acknowledgement never waits for
 * a publisher's encoding or write (it waits at most for this queue's own lock, held only to add or
 * take one entry).
 *
 * <p>Bounded by the client: a PUBLISH is added only while its connection has fewer than
 * {@link Outbound#MAX_UNACCEPTED_WRITES} writes not yet accepted by the socket (those waiting here
 * count), acknowledgements and other control packets one per packet received or request made, as
 * before they were written to the socket directly.
 */
final class Outbox {

    /** A packet for a connection, or the connection's close ({@code packet} null) after what is before it. */
    private record Entry(Connection conn, Encoder.Prepared packet, Outbound.Outgoing qos0,
            CompletableFuture<Void> closed) {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private boolean draining;

    /** Adds a packet to write (under the client's lock, so the order is the order of the decisions). */
    synchronized void add(Connection c, Encoder.Prepared packet, Outbound.Outgoing qos0) {
        entries.add(new Entry(c, packet, qos0, null));
    }

    /** Adds the connection's close after the packets before it (any thread); completes when closed. */
    synchronized CompletableFuture<Void> addClose(Connection c) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        entries.add(new Entry(c, null, null, f));
        return f;
    }

    /** Packets waiting (for tests and status). */
    synchronized int size() {
        return entries.size();
    }

    /**
     * Writes the waiting packets in order unless another thread (or this one, further up its stack)
     * is doing so already. Never call it holding the client's lock.
     */
    void drain() {
        Entry e;
        synchronized (this) {
            if (draining) {
                return; // the drainer takes them
            }
            e = entries.poll();
            if (e == null) {
                return;
            }
            draining = true;
        }
        try {
            while (e != null) {
                if (e.packet == null) {
                    CompletableFuture<Void> closed = e.closed;
                    e.conn.closeNow().whenComplete((v, x) -> closed.complete(null));
                } else {
                    e.conn.writeNow(e.packet, e.qos0);
                }
                synchronized (this) {
                    e = entries.poll();
                    if (e == null) {
                        draining = false;
                    }
                }
            }
        } catch (RuntimeException | Error x) {
            synchronized (this) {
                draining = false;
            }
            throw x;
        }
    }
}
