package org.rawsockets.modbus.internal.codec;

/**
 * The outcome of one framing step over received bytes: the state of the parser after looking at
 * what is buffered. Nothing is consumed unless a whole {@link Frame} is returned.
 */
public sealed interface FrameResult {

    /** Not a whole frame yet; at least {@code needed} bytes in total must be buffered. Nothing consumed. */
    record NeedMore(int needed) implements FrameResult {
    }

    /**
     * A whole frame, consumed from the buffer.
     *
     * @param transactionId the MBAP transaction id, {@code -1} for RTU
     * @param unitId unit id (MBAP) or device address (RTU)
     * @param pdu the PDU (function code + data), a fresh array
     */
    record Frame(int transactionId, int unitId, byte[] pdu) implements FrameResult {
    }

    /** The bytes cannot be a valid frame; the stream is out of sync. Nothing consumed. */
    record Invalid(String reason) implements FrameResult {
    }
}
