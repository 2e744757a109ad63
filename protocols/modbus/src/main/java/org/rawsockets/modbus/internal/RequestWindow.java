package org.rawsockets.modbus.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

import org.rawsockets.modbus.internal.codec.MbapCodec;
import org.rawsockets.modbus.internal.codec.RtuCodec;

/**
 * The requests waiting to be sent (a bounded queue) and the ones in flight: by MBAP transaction id
 * up to {@code maxInFlight}, or the single one of an RTU stream. Sending takes queued requests while
 * slots are free.
 *
 * <p>Not thread-safe: guarded by the client's lock.
 */
final class RequestWindow {

    private final boolean rtu;
    private final int maxInFlight;
    private final int maxQueued;
    private final ArrayDeque<PendingRequest<?>> queue = new ArrayDeque<>();
    private final PendingRequest<?>[] byTransaction;
    private PendingRequest<?> rtuInFlight;
    private int inFlight;
    private int nextTransaction;

    RequestWindow(boolean rtu, int maxInFlight, int maxQueued) {
        this.rtu = rtu;
        this.maxInFlight = maxInFlight;
        this.maxQueued = maxQueued;
        this.byTransaction = rtu ? null : new PendingRequest<?>[65536];
    }

    int inFlight() {
        return inFlight;
    }

    int queued() {
        return queue.size();
    }

    /**
     * Whether the queue is full: queued requests beyond the free in-flight slots are bounded by
     * maxQueued, also while connecting (nothing in flight then) and while answers are being handled.
     */
    boolean queueFull() {
        return queue.size() >= maxQueued + Math.max(0, maxInFlight - inFlight);
    }

    void enqueue(PendingRequest<?> p) {
        queue.add(p);
    }

    /** Removes a request that was not sent. */
    void dequeue(PendingRequest<?> p) {
        queue.remove(p);
    }

    /** Frees the slot of a sent request that will not be matched to an answer (timed out, abandoned). */
    void release(PendingRequest<?> p) {
        inFlight--;
        if (rtu) {
            rtuInFlight = null;
        } else {
            byTransaction[p.transaction] = null;
        }
    }

    /**
     * The request an answer belongs to (the RTU one in flight, or by transaction id), its slot freed;
     * null if none waits for it.
     */
    PendingRequest<?> match(int transactionId) {
        PendingRequest<?> p;
        if (rtu) {
            p = rtuInFlight;
            rtuInFlight = null;
        } else {
            p = byTransaction[transactionId];
            byTransaction[transactionId] = null;
        }
        if (p != null) {
            inFlight--;
        }
        return p;
    }

    /** Sends queued requests on {@code link} while slots are free; {@code coalesce}: several ADUs may share a write. */
    void flush(Link link, boolean coalesce) {
        if (queue.isEmpty() || inFlight >= maxInFlight) {
            return;
        }
        if (rtu) {
            PendingRequest<?> p = queue.poll();
            p.sent = true;
            rtuInFlight = p;
            inFlight++;
            link.send(ByteBuffer.wrap(RtuCodec.encode(p.unitId, p.request.pdu())));
            return;
        }
        int n = Math.min(queue.size(), maxInFlight - inFlight);
        if (link.datagram() || !coalesce || n == 1) {
            for (int i = 0; i < n; i++) {
                PendingRequest<?> p = assign(queue.poll());
                link.send(ByteBuffer.wrap(MbapCodec.encode(p.transaction, p.unitId, p.request.pdu())));
            }
            return;
        }
        // Several answers arrived together and freed several slots: send their successors together.
        // Batches are only ever passed on, never made: a request from a caller goes out on its own
        // (many devices parse one ADU per segment, and digitalpetri's server measured slower when
        // pipelined frames shared a segment).
        PendingRequest<?>[] batch = new PendingRequest<?>[n];
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            batch[i] = assign(queue.poll());
            bytes += MbapCodec.HEADER + batch[i].request.pdu().length;
        }
        ByteBuffer out = ByteBuffer.allocate(bytes);
        for (PendingRequest<?> p : batch) {
            MbapCodec.encode(p.transaction, p.unitId, p.request.pdu(), out);
        }
        out.flip();
        link.send(out);
    }

    private PendingRequest<?> assign(PendingRequest<?> p) {
        int tx = nextTransaction;
        while (byTransaction[tx] != null) {
            tx = (tx + 1) & 0xFFFF;
        }
        nextTransaction = (tx + 1) & 0xFFFF;
        byTransaction[tx] = p;
        p.transaction = tx;
        p.sent = true;
        inFlight++;
        return p;
    }

    /** Moves the requests in flight to {@code out}; every slot is free afterwards. */
    void takeInFlight(List<PendingRequest<?>> out) {
        if (rtu) {
            if (rtuInFlight != null) {
                out.add(rtuInFlight);
                rtuInFlight = null;
            }
        } else if (inFlight > 0) {
            for (int i = 0; i < byTransaction.length; i++) {
                if (byTransaction[i] != null) {
                    out.add(byTransaction[i]);
                    byTransaction[i] = null;
                }
            }
        }
        inFlight = 0;
    }

    /** Takes the next queued request, or null. */
    PendingRequest<?> pollQueued() {
        return queue.poll();
    }
}
