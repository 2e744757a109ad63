package org.rawsockets.webbridge.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.rawsockets.webbridge.internal.protocol.BridgeProtocolException;
import org.rawsockets.webbridge.internal.protocol.Frame;
import org.rawsockets.webbridge.internal.protocol.FrameDecoder;

/** The queue towards the WebSocket: one message in flight, the frames queued meanwhile joined into the next. */
class OutboundTest {

    /** A WebSocket whose sends complete when the test says so. */
    private static final class SlowSocket implements Transport {
        final List<ByteBuffer> messages = new ArrayList<>();
        final List<Consumer<Throwable>> pending = new ArrayList<>();

        @Override
        public void send(ByteBuffer message, Consumer<Throwable> done) {
            ByteBuffer copy = ByteBuffer.allocate(message.remaining()).put(message).flip();
            messages.add(copy);
            pending.add(done);
        }

        @Override
        public void close(int code, String reason) {
            throw new AssertionError("closed " + code + " " + reason);
        }

        void completeOne() {
            pending.remove(0).accept(null);
        }
    }

    private static ByteBuffer data(int id, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (id * 31 + i);
        }
        return Frame.encode(Frame.DATA, id, ByteBuffer.wrap(b));
    }

    @Test
    void framesQueuedWhileAMessageIsInFlightGoOutTogetherInOrderUpToTheMessageBound() throws BridgeProtocolException {
        SlowSocket ws = new SlowSocket();
        List<String> failures = new ArrayList<>();
        Outbound out = new Outbound(ws, Limits.DEFAULTS, failures::add);
        List<ByteBuffer> sent = new ArrayList<>();
        sent.add(data(1, 100));
        out.send(sent.get(0).duplicate()); // the WebSocket is idle: goes out alone, at once
        assertEquals(1, ws.messages.size());
        for (int i = 2; i <= 8; i++) { // queued behind it: 3 full DATA frames, a CREDIT, more DATA
            ByteBuffer f = i == 5 ? Frame.credit(i, 4096) : data(i, i <= 4 ? Frame.MAX_DATA : 30000);
            sent.add(f);
            out.send(f.duplicate());
        }
        assertEquals(1, ws.messages.size(), "nothing more while a message is in flight");
        long queuedBehind = sent.stream().skip(1).mapToLong(ByteBuffer::remaining).sum();
        assertEquals(queuedBehind + sent.get(0).remaining(), out.queued());

        while (!ws.pending.isEmpty()) {
            ws.completeOne();
        }
        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(0, out.queued());
        // frames 2, 3, 4 (3 x 65,545) + CREDIT 5 + DATA 6, 7 (2 x 30,009) fit in MESSAGE_MAX; 8 would not: the next message
        assertEquals(3, ws.messages.size(), "messages: " + ws.messages);
        for (ByteBuffer m : ws.messages) {
            assertTrue(m.remaining() <= Outbound.MESSAGE_MAX, "message of " + m.remaining() + " bytes");
        }
        assertEquals(sent.get(8 - 1).remaining(), ws.messages.get(2).remaining());

        // the byte stream of the messages is the frames in the order sent
        FrameDecoder decoder = new FrameDecoder();
        List<ByteBuffer> got = new ArrayList<>();
        for (ByteBuffer m : ws.messages) {
            decoder.feed(m, f -> got.add(Frame.encode(f.type(), f.id(), f.payload())));
        }
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i), got.get(i), "frame " + (i + 1));
        }
    }

    @Test
    void aFrameLargerThanWhatIsLeftOfTheBoundGoesAloneAndAnIdleSocketSendsAtOnce() {
        SlowSocket ws = new SlowSocket();
        Outbound out = new Outbound(ws, Limits.DEFAULTS, why -> {
            throw new AssertionError(why);
        });
        out.send(data(1, 10));
        out.send(data(2, Frame.MAX_DATA));
        ws.completeOne();
        assertEquals(2, ws.messages.size(), "one frame queued: sent as it is");
        assertEquals(Frame.HEADER + Frame.MAX_DATA, ws.messages.get(1).remaining());
        ws.completeOne();
        assertTrue(ws.pending.isEmpty());
        out.send(data(3, 5));
        assertEquals(3, ws.messages.size(), "an idle WebSocket sends at once, nothing is held back");
        assertEquals(Frame.HEADER + 5, ws.messages.get(2).remaining());
    }
}
