package org.rawsockets.webbridge.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.rawsockets.webbridge.internal.protocol.BridgeProtocolException;
import org.rawsockets.webbridge.internal.protocol.Frame;
import org.rawsockets.webbridge.internal.protocol.FrameDecoder;

/**
 * The page side of a {@link BridgeSession} in unit tests: a {@link Transport} that decodes what the
 * gateway sends into a queue of frames, and helpers to send the page's frames. Sends complete at
 * once unless {@link #stall()} holds them (a WebSocket that stopped being read).
 */
final class FakePage implements Transport {

    static final Duration WAIT = Duration.ofSeconds(60);

    record Got(int type, int id, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int creditAmount() {
            return ByteBuffer.wrap(payload).getInt();
        }

        @Override
        public String toString() {
            return Frame.typeName(type) + "(" + Integer.toUnsignedString(id) + ", "
                    + (type == Frame.ERROR || type == Frame.OPENED ? text().replace('\n', '|') : payload.length + " bytes") + ")";
        }
    }

    final LinkedBlockingQueue<Got> frames = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<String> closes = new LinkedBlockingQueue<>();
    private final FrameDecoder decoder = new FrameDecoder();
    private final AtomicBoolean stalled = new AtomicBoolean();
    private final List<Runnable> held = new ArrayList<>();
    BridgeSession session;

    BridgeSession connect(org.rawsockets.socket.SocketService sockets, Limits limits) {
        session = new BridgeSession(sockets, this, limits, "test page");
        return session;
    }

    @Override
    public void send(ByteBuffer message, Consumer<Throwable> done) {
        try {
            decoder.feed(message, f -> {
                byte[] b = new byte[f.payload().remaining()];
                f.payload().get(b);
                frames.add(new Got(f.type(), f.id(), b));
            });
        } catch (BridgeProtocolException e) {
            throw new AssertionError("the gateway sent a malformed frame", e);
        }
        synchronized (held) {
            if (stalled.get()) {
                held.add(() -> done.accept(null));
                return;
            }
        }
        done.accept(null);
    }

    @Override
    public void close(int code, String reason) {
        closes.add(code + " " + reason);
    }

    void stall() {
        stalled.set(true);
    }

    void resume() {
        List<Runnable> run;
        synchronized (held) {
            stalled.set(false);
            run = new ArrayList<>(held);
            held.clear();
        }
        run.forEach(Runnable::run);
    }

    void send(ByteBuffer frame) {
        session.received(frame);
    }

    void open(int type, int id, String options) {
        send(Frame.encode(type, id, options));
    }

    void credit(int id, int amount) {
        send(Frame.credit(id, amount));
    }

    void data(int id, byte[] bytes) {
        send(Frame.encode(Frame.DATA, id, ByteBuffer.wrap(bytes)));
    }

    /** The next frame of any socket, failing after {@link #WAIT}. */
    Got next() throws InterruptedException {
        Got g = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (g == null) {
            fail("no frame from the gateway within " + WAIT);
        }
        return g;
    }

    /** The next frame, which must be of {@code type} for {@code id}. */
    Got expect(int type, int id) throws InterruptedException {
        Got g = next();
        if (g.type() != type || g.id() != id) {
            fail("expected " + Frame.typeName(type) + " for socket " + Integer.toUnsignedString(id) + ", got " + g);
        }
        return g;
    }

    /** Skips CREDIT frames and returns the next other frame. */
    Got nextNonCredit() throws InterruptedException {
        while (true) {
            Got g = next();
            if (g.type() != Frame.CREDIT) {
                return g;
            }
        }
    }

    String awaitClose() throws InterruptedException {
        String c = closes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (c == null) {
            fail("the gateway did not close the WebSocket within " + WAIT);
        }
        return c;
    }

    static void assertError(Got g, int id, String name) {
        assertEquals(Frame.ERROR, g.type(), "expected an ERROR frame, got " + g);
        assertEquals(id, g.id(), "ERROR for the wrong socket: " + g);
        assertEquals(name, g.text().split("\n", 2)[0], "ERROR name: " + g);
    }
}
