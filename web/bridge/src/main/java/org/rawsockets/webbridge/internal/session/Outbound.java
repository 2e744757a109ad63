package org.rawsockets.webbridge.internal.session;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.rawsockets.webbridge.internal.protocol.Frame;

/**
 * The frames waiting for the WebSocket, sent in the order queued with one WebSocket message in flight
 * at a time. The frames queued while a message is in flight go out together as the next message (up
 * to {@link #MESSAGE_MAX} bytes; a message may hold several frames, docs/direct-sockets-bridge.md):
 * nothing waits when the WebSocket is idle, and a busy one takes fewer, larger messages (issue 19:
 * each message costs the page a message event, whatever its size). Bounded: sockets read only while
 * {@link #hasRoom()}; past {@link Limits#outboundMax()} (a page that stopped taking frames) the
 * session fails.
 */
final class Outbound {

    /** The most bytes of queued frames joined into one WebSocket message (a larger frame goes alone). */
    static final int MESSAGE_MAX = 4 * (Frame.HEADER + Frame.MAX_DATA);

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
                int size = next.remaining();
                if (!queue.isEmpty() && size + queue.peek().remaining() <= MESSAGE_MAX) {
                    next = join(next, size);
                }
                inFlight = true;
                inFlightSize = next.remaining();
            }
            transport.send(next, this::sent);
        }
    }

    /** {@code first} and the frames queued after it that fit in {@link #MESSAGE_MAX}, as one buffer (under the lock). */
    private ByteBuffer join(ByteBuffer first, int size) {
        int total = size;
        int count = 0;
        for (ByteBuffer b : queue) {
            if (total + b.remaining() > MESSAGE_MAX) {
                break;
            }
            total += b.remaining();
            count++;
        }
        ByteBuffer message = ByteBuffer.allocate(total).put(first);
        for (int i = 0; i < count; i++) {
            message.put(queue.poll());
        }
        return message.flip();
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
