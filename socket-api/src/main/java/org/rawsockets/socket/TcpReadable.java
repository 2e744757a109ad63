package org.rawsockets.socket;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The bytes a TCP socket receives. Each element is a read-only {@link ByteBuffer} chunk of the
 * stream in order; the chunks belong to the reader.
 */
@ProviderType
public interface TcpReadable extends ReadableStream<ByteBuffer> {

    /**
     * A blocking {@link InputStream} view for simple protocol code, with a time limit on every
     * wait. {@code read} returns -1 at the end of the stream and throws the socket's error (a
     * {@link RawSocketException}) if it failed; {@code close()} cancels this stream.
     *
     * @param readTimeout the longest one {@code read} call waits for data; a read that waits longer
     *            throws {@link TimedOutException} and leaves the stream usable
     * @throws IllegalStateException when the stream is already consumed in another style
     */
    InputStream inputStream(Duration readTimeout);
}
