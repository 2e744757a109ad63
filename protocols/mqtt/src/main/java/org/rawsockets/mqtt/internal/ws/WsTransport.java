package org.rawsockets.mqtt.internal.ws;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.internal.codec.ByteSource;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpReadable;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpWritable;

/**
 * MQTT over WebSocket on a socket API {@link TcpSocket} (client side of RFC 6455): the opening
 * handshake with subprotocol {@code mqtt}, each MQTT packet written as one masked binary frame,
 * and the received binary frames (fragmented or not, any number of MQTT packets per frame or
 * packets across frames) as a byte stream for the packet reader. Pings are answered with pongs, a
 * Close is answered and ends the stream; text frames, masked or malformed frames fail it.
 *
 * <p>Memory is bounded: a frame longer than {@code maxFramePayload} fails from its header, and
 * the socket is read only while the reader needs bytes (backpressure is kept): at most one frame,
 * one socket read and one packet are buffered. One reader at a time; writes from any thread.
 */
public final class WsTransport implements ByteSource {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final TcpReadable readable;
    private final TcpWritable writable;
    private final long maxFramePayload;
    /** Where the socket's bytes are read into (BYOB), then appended to {@link #in}. */
    private final ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
    private final Bytes in = new Bytes();
    private final Bytes data = new Bytes();
    private boolean inMessage;
    private boolean ended;
    private volatile boolean closeSent;
    private volatile String closeReceived;

    /** @param maxFramePayload the longest frame payload accepted (the largest MQTT packet accepted) */
    public WsTransport(TcpSocket socket, long maxFramePayload) {
        this(socket.readable(), socket.writable(), maxFramePayload);
    }

    /** On a socket's two halves (a test's scripted ones). */
    public WsTransport(TcpReadable readable, TcpWritable writable, long maxFramePayload) {
        this.readable = readable;
        this.writable = writable;
        this.maxFramePayload = maxFramePayload;
    }

    /**
     * The opening handshake on the open socket: completes when the server switched protocols, fails
     * with {@link MqttConnectionException} naming what was wrong.
     */
    public CompletionStage<Void> handshake(String hostHeader, String path, String where) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return handshake(hostHeader, path, where, nonce);
    }

    /** The handshake with a given nonce (tests). */
    CompletionStage<Void> handshake(String hostHeader, String path, String where, byte[] nonce) {
        WsHandshake h = new WsHandshake(nonce);
        return writable.write(ByteBuffer.wrap(h.request(hostHeader, path)))
                .thenCompose(v -> readHeader(where)).handle((header, e) -> {
                    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (t instanceof MqttConnectionException) {
                        throw new CompletionException(t);
                    }
                    if (t != null) {
                        throw new CompletionException(new MqttConnectionException(where + ": the connection failed"
                                + " during the WebSocket upgrade (is the port a WebSocket listener?): " + t, t));
                    }
                    try {
                        h.check(header, where);
                    } catch (MqttConnectionException x) {
                        throw new CompletionException(x);
                    }
                    return null;
                });
    }

    /** Reads until the empty line; what follows it stays in {@link #in} for the frame reader. */
    private CompletionStage<String> readHeader(String where) {
        int end = in.indexOf(new byte[] {'\r', '\n', '\r', '\n'});
        if (end >= 0) {
            String header = new String(in.buf, in.start, end - in.start, StandardCharsets.ISO_8859_1);
            in.start = end + 4;
            return CompletableFuture.completedFuture(header);
        }
        if (in.size() > WsHandshake.MAX_RESPONSE) {
            return CompletableFuture.failedFuture(new MqttConnectionException(where + " sent a WebSocket upgrade"
                    + " response header longer than " + WsHandshake.MAX_RESPONSE + " bytes"));
        }
        chunk.clear();
        return readable.readInto(chunk).thenCompose(n -> {
            if (n < 0) {
                return CompletableFuture.failedFuture(new MqttConnectionException(where + " closed the connection"
                        + " during the WebSocket upgrade (is the port a WebSocket listener?)"));
            }
            in.append(chunk.flip());
            return readHeader(where);
        });
    }

    @Override
    public CompletionStage<ReadResult<byte[]>> readExactly(int n) {
        CompletableFuture<ReadResult<byte[]>> out = new CompletableFuture<>();
        fill(n, out);
        return out;
    }

    private void fill(int n, CompletableFuture<ReadResult<byte[]>> out) {
        while (true) {
            try {
                ReadResult<byte[]> r = take(n);
                if (r != null) {
                    out.complete(r);
                    return;
                }
            } catch (MqttConnectionException | RuntimeException e) {
                out.completeExceptionally(e);
                return;
            }
            chunk.clear();
            CompletableFuture<Integer> f = readable.readInto(chunk).toCompletableFuture();
            if (!f.isDone()) {
                f.whenComplete((r, e) -> {
                    if (received(r, e, out)) {
                        fill(n, out);
                    }
                });
                return;
            }
            Integer r;
            try {
                r = f.join();
            } catch (RuntimeException e) {
                received(null, e, out);
                return;
            }
            if (!received(r, null, out)) {
                return;
            }
        }
    }

    private boolean received(Integer n, Throwable e, CompletableFuture<ReadResult<byte[]>> out) {
        if (e != null) {
            out.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            return false;
        }
        if (n < 0) {
            ended = true;
        } else {
            in.append(chunk.flip());
        }
        return true;
    }

    /** {@code n} bytes when the frames received hold them; the end; or {@code null}: read more. */
    private ReadResult<byte[]> take(int n) throws MqttConnectionException {
        while (data.size() < n) {
            if (ended) {
                return ReadResult.end();
            }
            ByteBuffer view = in.view();
            WsFrame f = WsFrame.parse(view, maxFramePayload);
            if (f == null) {
                return null;
            }
            in.start = view.position();
            in.consumed();
            frame(f);
        }
        return ReadResult.of(data.take(n));
    }

    private void frame(WsFrame f) throws MqttConnectionException {
        switch (f.opcode()) {
            case WsFrame.BINARY, WsFrame.CONTINUATION -> {
                if (inMessage == (f.opcode() == WsFrame.BINARY)) {
                    throw WsFrame.error(inMessage ? "a new binary frame inside a fragmented message"
                            : "a continuation frame outside a fragmented message");
                }
                inMessage = !f.fin();
                data.append(ByteBuffer.wrap(f.payload()));
            }
            case WsFrame.TEXT -> throw WsFrame.error("a text frame (MQTT travels in binary frames only)");
            case WsFrame.PING -> send(WsFrame.PONG, ByteBuffer.wrap(f.payload()));
            case WsFrame.PONG -> {
                // unsolicited pongs are allowed (RFC 6455 5.5.3)
            }
            case WsFrame.CLOSE -> {
                byte[] p = f.payload();
                closeReceived = p.length >= 2 ? ((p[0] & 0xFF) << 8 | (p[1] & 0xFF)) + (p.length > 2 ? " "
                        + new String(p, 2, p.length - 2, StandardCharsets.UTF_8) : "") : "no status";
                if (!closeSent) {
                    closeSent = true;
                    writable.write(frameOf(WsFrame.CLOSE, ByteBuffer.wrap(p.length >= 2
                            ? new byte[] {p[0], p[1]} : new byte[0])));
                }
                ended = true;
            }
            default -> throw WsFrame.error("unexpected opcode " + f.opcode());
        }
    }

    /** The status and reason of the server's Close frame, or {@code null} when none arrived. */
    public String closeReceived() {
        return closeReceived;
    }

    /** An MQTT packet as one masked binary frame. */
    public ByteBuffer frame(ByteBuffer mqtt) {
        return frameOf(WsFrame.BINARY, mqtt);
    }

    private static ByteBuffer frameOf(int opcode, ByteBuffer payload) {
        byte[] key = new byte[4];
        RANDOM.nextBytes(key);
        return WsFrame.encode(opcode, payload, key);
    }

    private void send(int opcode, ByteBuffer payload) {
        if (!closeSent) {
            writable.write(frameOf(opcode, payload));
        }
    }

    /** Sends a Close frame (1000, normal closure) once; the caller closes the socket after it. */
    public void sendClose() {
        if (!closeSent) {
            closeSent = true;
            writable.write(frameOf(WsFrame.CLOSE, WsFrame.closePayload(1000, "")));
        }
    }

    /** A growable byte buffer: the unread bytes are {@code buf[start..end)}. */
    static final class Bytes {
        byte[] buf = new byte[256];
        int start;
        int end;

        int size() {
            return end - start;
        }

        void append(ByteBuffer b) {
            int n = b.remaining();
            if (end + n > buf.length) {
                int size = size();
                if (size + n > buf.length) {
                    byte[] bigger = new byte[Math.max(buf.length * 2, size + n)];
                    System.arraycopy(buf, start, bigger, 0, size);
                    buf = bigger;
                } else {
                    System.arraycopy(buf, start, buf, 0, size);
                }
                start = 0;
                end = size;
            }
            b.get(buf, end, n);
            end += n;
        }

        byte[] take(int n) {
            byte[] out = new byte[n];
            System.arraycopy(buf, start, out, 0, n);
            start += n;
            consumed();
            return out;
        }

        /** After bytes were consumed from the start: reuse the array, give a large one back when empty. */
        void consumed() {
            if (start == end) {
                start = end = 0;
                if (buf.length > 64 * 1024) {
                    buf = new byte[256];
                }
            }
        }

        ByteBuffer view() {
            return ByteBuffer.wrap(buf, start, end - start);
        }

        int indexOf(byte[] pattern) {
            outer:
            for (int i = start; i + pattern.length <= end; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (buf[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
