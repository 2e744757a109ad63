package org.rawsockets.webbridge.internal.protocol;

import java.nio.ByteBuffer;

/**
 * Decodes the byte stream of one WebSocket into {@link Frame}s. Frames may be split across
 * messages and several may share one; the decoder keeps at most one frame's bytes (at most
 * {@link Frame#HEADER} + {@link Frame#maxPayload(int)}), and refuses a header announcing more
 * before reading its payload, so a page cannot make it buffer more than that.
 *
 * <p>Not thread-safe: one WebSocket delivers its messages one after the other.
 */
public final class FrameDecoder {

    /** Receives decoded frames. */
    @FunctionalInterface
    public interface Handler {
        /**
         * One frame. A read-only payload is a view of the fed bytes, valid only during the call; a
         * writable one was assembled by the decoder from several feeds and is the handler's to keep
         * (a DATA frame's bytes can go to the socket without another copy).
         */
        void frame(Frame frame) throws BridgeProtocolException;
    }

    private final ByteBuffer header = ByteBuffer.allocate(Frame.HEADER);
    private ByteBuffer body;
    private boolean inFrame;
    private int length;
    private int type;
    private int id;
    private boolean failed;

    /**
     * Feeds received bytes, calling {@code handler} for every complete frame.
     *
     * @throws BridgeProtocolException on a malformed or too large frame; the decoder then stays failed
     */
    public void feed(ByteBuffer bytes, Handler handler) throws BridgeProtocolException {
        if (failed) {
            throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                    "the bridge connection already failed with a protocol error");
        }
        try {
            while (bytes.hasRemaining()) {
                if (!inFrame) {
                    copy(bytes, header);
                    if (header.hasRemaining()) {
                        return;
                    }
                    header.flip();
                    type = header.get() & 0xff;
                    id = header.getInt();
                    long announced = header.getInt() & 0xffff_ffffL;
                    header.clear();
                    check(type, announced);
                    length = (int) announced;
                    inFrame = true;
                }
                if (body == null && bytes.remaining() >= length) {
                    // the whole payload is here: hand a view of the caller's buffer, no copy
                    ByteBuffer view = bytes.slice(bytes.position(), length).asReadOnlyBuffer();
                    bytes.position(bytes.position() + length);
                    inFrame = false;
                    handler.frame(new Frame(type, id, view));
                    continue;
                }
                if (body == null) {
                    body = ByteBuffer.allocate(length);
                }
                copy(bytes, body);
                if (!body.hasRemaining()) {
                    ByteBuffer done = body.flip(); // the handler's: the decoder takes a new one for the next frame
                    body = null;
                    inFrame = false;
                    handler.frame(new Frame(type, id, done));
                }
            }
        } catch (BridgeProtocolException e) {
            failed = true;
            body = null;
            inFrame = false;
            throw e;
        }
    }

    /** Bytes of an incomplete frame held now (at most one frame). */
    public int buffered() {
        return header.position() + (body == null ? 0 : body.position());
    }

    private static void check(int type, long length) throws BridgeProtocolException {
        if (!Frame.known(type)) {
            throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                    "malformed frame: unknown frame type " + Frame.typeName(type)
                            + " (see docs/direct-sockets-bridge.md for the types)");
        }
        int max = Frame.maxPayload(type);
        if (length > max) {
            throw new BridgeProtocolException(BridgeProtocolException.TOO_BIG, "frame too large: a "
                    + Frame.typeName(type) + " frame announced " + length + " bytes, at most " + max
                    + " are allowed; split data into frames of at most " + Frame.MAX_DATA + " bytes");
        }
    }

    private static void copy(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        to.put(to.position(), from, from.position(), n);
        to.position(to.position() + n);
        from.position(from.position() + n);
    }
}
