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
 * take entries).
 *
 * <p>Packets wait here while the connection's reader handles packets already received
 * ({@link #readerBusy()} .. {@link #readerDone()}, which drains): the acknowledgements it sends and
 * the publications its completions let publishers make then go out together. Packets for the same
 * connection waiting when the drainer takes one go to the socket in one write, up to
 * {@link #BATCH_PACKETS} packets and {@link #BATCH_BYTES} bytes (never waiting for more): one system
 * call and, where they fit, one TCP segment instead of one per packet. Profiled with QoS 1 and 20 in
 * flight against Mosquitto, the client's threads used a fifth of a core each and the rate was set by
 * the segments: one per PUBLISH, each a wake-up of the broker.
 *
 * <p>While publications are in flight (acknowledgements on their way, so the pipeline is busy), a
 * publisher's thread does not write itself: it leaves the drain to the client's own thread
 * ({@link #drainFromPublisher()}), and the publications made while that thread is woken go out in one
 * write, as an event loop's queue gathers them (HiveMQ's client on Netty). Measured with 20 in flight
 * the publisher's direct writes were one system call and one broker wake-up per PUBLISH. With nothing
 * in flight (a publication now and then) the publisher writes at once: no hand-off in its latency.
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

    /** The most packets in one socket write. */
    static final int BATCH_PACKETS = 64;
    /** The most bytes in one socket write made of several packets (a larger packet goes alone). */
    static final int BATCH_BYTES = 16 * 1024;

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    /** The client's own thread, which drains for publishers while the pipeline is busy. */
    private final java.util.concurrent.Executor drainer;
    private boolean draining;
    /** Whether the last packet added was decided with publications in flight. */
    private boolean pipelined;
    /** {@code -Drawsockets.mqtt.handOff=false}: publishers always write themselves (to measure the hand-off). */
    static final boolean HAND_OFF = !"false".equals(System.getProperty("rawsockets.mqtt.handOff"));
    /** Whether a drain is handed to {@link #drainer} and has not run yet. */
    private boolean handedOff;
    /** Readers inside {@link Connection#readLoop()} (nested when a read completes during its callback). */
    private int readers;

    Outbox(java.util.concurrent.Executor drainer) {
        this.drainer = drainer;
    }

    /**
     * Adds a packet to write (under the client's lock, so the order is the order of the decisions);
     * {@code pipelined}: publications are in flight.
     */
    synchronized void add(Connection c, Encoder.Prepared packet, Outbound.Outgoing qos0, boolean pipelined) {
        entries.add(new Entry(c, packet, qos0, null));
        this.pipelined = pipelined;
    }

    /**
     * After a publisher's decision: {@link #drain()} now, or, while publications are in flight, on the
     * client's own thread (once for all the packets added until it runs). Never call it holding the
     * client's lock.
     */
    void drainFromPublisher() {
        boolean handOff;
        synchronized (this) {
            if (handedOff || draining || readers > 0 || entries.isEmpty()) {
                return; // the handed-off drain, the drainer or the reader when done takes them too
            }
            handOff = pipelined && HAND_OFF;
            handedOff = handOff;
        }
        if (!handOff) {
            drain();
            return;
        }
        try {
            drainer.execute(() -> {
                synchronized (this) {
                    handedOff = false;
                }
                drain();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) { // the client is closing
            synchronized (this) {
                handedOff = false;
            }
            drain();
        }
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

    /** Nothing waits, nobody drains, no reader holds packets back (for tests). */
    synchronized boolean idle() {
        return entries.isEmpty() && !draining && readers == 0 && !handedOff;
    }

    /** A reader starts handling buffered packets: packets wait until {@link #readerDone()}. */
    synchronized void readerBusy() {
        readers++;
    }

    /** The reader waits for the network again: writes what waited. Never call it holding the client's lock. */
    void readerDone() {
        synchronized (this) {
            readers--;
        }
        drain();
    }

    /** Writes {@code first} and the packets for its connection waiting right behind it, in one write. */
    private void write(Entry first) {
        Entry[] batch = null;
        int n = 1;
        if (first.conn.coalesces()) {
            synchronized (this) {
                int bytes = first.packet.size();
                Entry next;
                while (n < BATCH_PACKETS && (next = entries.peek()) != null && next.conn == first.conn
                        && next.packet != null && bytes + next.packet.size() <= BATCH_BYTES) {
                    if (batch == null) {
                        batch = new Entry[Math.min(BATCH_PACKETS, entries.size() + 1)];
                        batch[0] = first;
                    }
                    batch[n++] = entries.poll();
                    bytes += next.packet.size();
                }
            }
        }
        Encoder.Prepared[] packets = new Encoder.Prepared[n];
        Outbound.Outgoing[] qos0 = new Outbound.Outgoing[n];
        for (int i = 0; i < n; i++) {
            Entry e = batch == null ? first : batch[i];
            packets[i] = e.packet;
            qos0[i] = e.qos0;
        }
        first.conn.writeNow(packets, qos0);
    }

    /**
     * Writes the waiting packets in order unless another thread (or this one, further up its stack)
     * is doing so already, or a reader is handling buffered packets (it writes them when done).
     * Never call it holding the client's lock.
     */
    void drain() {
        Entry e;
        synchronized (this) {
            if (draining || readers > 0) {
                return; // the drainer, or the reader when done, takes them
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
                    write(e);
                }
                synchronized (this) {
                    // a reader that started meanwhile writes the rest when done (with what it adds)
                    e = readers > 0 ? null : entries.poll();
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
