package org.rawsockets.modbus.internal.codec;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import org.rawsockets.modbus.ModbusProtocolException;

/**
 * Frames a byte stream (chunks of any size) into whole frames: bytes are copied into a bounded
 * buffer, every complete frame is handed on, a partial frame stays buffered until the rest arrives.
 * The buffer never holds more than {@link #CAPACITY} bytes; frames are at most 260 bytes, so a
 * partial frame always fits. One instance per connection; not thread-safe.
 */
public final class StreamDecoder {

    /** Framing rule of the stream. */
    public enum Framing {
        MBAP, RTU
    }

    public static final int CAPACITY = 8192;

    private final Framing framing;
    private ByteBuffer buffer; // allocated on first use; in write mode between calls
    private boolean failed;

    public StreamDecoder(Framing framing) {
        this.framing = framing;
    }

    /**
     * Consumes all of {@code data} and passes each complete frame to {@code frames}.
     *
     * @throws ModbusProtocolException when the stream cannot be framed (it is then out of sync and
     *             this decoder refuses further input)
     */
    public void feed(ByteBuffer data, Consumer<FrameResult.Frame> frames) throws ModbusProtocolException {
        if (failed) {
            throw new ModbusProtocolException("the stream was already found out of sync");
        }
        if (buffer == null) {
            buffer = ByteBuffer.allocate(CAPACITY);
        }
        while (data.hasRemaining()) {
            int n = Math.min(buffer.remaining(), data.remaining());
            buffer.put(buffer.position(), data, data.position(), n);
            buffer.position(buffer.position() + n);
            data.position(data.position() + n);
            buffer.flip();
            try {
                while (true) {
                    FrameResult r = framing == Framing.RTU ? RtuCodec.decode(buffer) : MbapCodec.decode(buffer);
                    if (r instanceof FrameResult.Frame f) {
                        frames.accept(f);
                    } else if (r instanceof FrameResult.Invalid inv) {
                        failed = true;
                        throw new ModbusProtocolException(inv.reason());
                    } else {
                        break;
                    }
                }
            } finally {
                buffer.compact();
            }
        }
    }

    /** Bytes of an incomplete frame waiting for the rest. */
    public int buffered() {
        return buffer == null ? 0 : buffer.position();
    }
}
