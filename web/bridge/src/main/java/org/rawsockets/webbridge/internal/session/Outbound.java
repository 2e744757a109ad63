package org.rawsockets.webbridge.internal.session;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames waiting for the WebSocket, sent one at a time in the order queued. Bounded: sockets
 * read only while {@link #hasRoom()}; past {@link Limits#outboundMax()} (a page that stopped taking
 * frames) the session fails.
 */
final class Outbound {

    interface Failure {
        void failed(String why);
    }

    private final Transport transport;
    private final long high;
    private final long max;
    private final Failure failure;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private final List<Runnable> waiting = new ArrayList<>();
    private long queued;
    private long peak;
    private int inFlightSize;
    private boolean inFlight;
    private boolean pumping;
    private boolean closed;

    Outbound(Transport transport, Limits limits, Failure failure) {
        this.transport = transport;
        this.high = limits.outboundHigh();
        this.max = limits.outboundMax();
        this.failure = failure;
    }

    /** Queues a frame; dropped when the session is closed. */
    void send(ByteBuffer frame) {
        boolean over;
        synchronized (this) {
            if (closed) {
                return;
            }
            queued += frame.remaining();
            peak = Math.max(peak, queued);
            queue.add(frame);
            over = queued > max;
        }
        if (over) {
            failure.failed("the page's WebSocket stopped taking frames: " + queued + " bytes queued, at most " + max);
            return;
        }
        pump();
    }

    /** Whether a socket may read more for the page now. */
    synchronized boolean hasRoom() {
        return queued < high;
    }

    /** Runs {@code r} once there is room (at once when there is). */
    void whenRoom(Runnable r) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (queued >= high) {
                waiting.add(r);
                return;
            }
        }
        r.run();
    }

    /** Bytes queued and not yet written to the WebSocket. */
    synchronized long queued() {
        return queued;
    }

    /** The most bytes ever queued at once. */
    synchronized long peak() {
        return peak;
    }

    /** Drops what is queued; later frames are dropped. */
    void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
            waiting.clear();
        }
    }

    private void pump() {
        synchronized (this) {
            if (pumping) {
                return;
            }
            pumping = true;
        }
        while (true) {
            ByteBuffer next;
            synchronized (this) {
                if (inFlight || closed || queue.isEmpty()) {
                    pumping = false;
                    return;
                }
                next = queue.poll();
                inFlight = true;
                inFlightSize = next.remaining();
            }
            transport.send(next, this::sent);
        }
    }

    private void sent(Throwable error) {
        List<Runnable> wake = List.of();
        synchronized (this) {
            inFlight = false;
            queued -= inFlightSize;
            if (queued < high && !waiting.isEmpty()) {
                wake = new ArrayList<>(waiting);
                waiting.clear();
            }
        }
        if (error != null) {
            failure.failed("writing to the page's WebSocket failed: " + error);
            return;
        }
        for (Runnable r : wake) {
            r.run();
        }
        pump();
    }
}
