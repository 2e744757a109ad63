package org.rawsockets.mqtt.internal.codec;

import java.util.concurrent.CompletionStage;

import org.rawsockets.socket.ReadResult;

/**
 * Where {@link PacketReader} gets its bytes: the socket API's {@code FrameReader} over a TCP (or
 * TLS) socket, or the payload stream of a WebSocket connection. One call pending at a time.
 */
@FunctionalInterface
public interface ByteSource {

    /**
     * Exactly {@code n} bytes; {@link ReadResult#end()} when the stream ends before the first of them
     * (an end inside them fails or ends, as the source defines).
     */
    CompletionStage<ReadResult<byte[]>> readExactly(int n);
}
