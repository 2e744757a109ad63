package org.rawsockets.socket;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/** The bytes a TCP socket sends. */
@ProviderType
public interface TcpWritable extends WritableStream<ByteBuffer> {

    /**
     * Writes {@code bytes} (ownership passes to the socket: do not modify the array afterwards).
     *
     * @see #write(Object)
     */
    default CompletionStage<Void> write(byte[] bytes) {
        return write(ByteBuffer.wrap(bytes));
    }

    /**
     * A blocking {@link OutputStream} view. {@code write} copies the caller's bytes and returns when
     * they are accepted under the high-water mark; {@code flush} waits until everything written is
     * handed to the operating system; {@code close} half-closes (FIN).
     *
     * @param writeTimeout the longest one call waits; past it the call throws
     *            {@link TimedOutException}
     */
    OutputStream outputStream(Duration writeTimeout);
}
