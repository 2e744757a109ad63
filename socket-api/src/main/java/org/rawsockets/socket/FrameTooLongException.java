package org.rawsockets.socket;

/**
 * A frame the peer sent is longer than the caller allows: {@link FrameReader#readUntil} found no
 * delimiter within the maximum length. A protocol error of the peer (or a limit set too low); the
 * stream is no longer at a frame boundary, so the protocol closes the connection. The message
 * names the stream, the limit and the delimiter.
 *
 * @since 1.1
 */
public class FrameTooLongException extends RawSocketException {
    private static final long serialVersionUID = 1L;

    private final int maxLength;

    public FrameTooLongException(String message, int maxLength) {
        super(message, null);
        this.maxLength = maxLength;
    }

    /** The maximum frame length (without the delimiter) that was exceeded. */
    public int maxLength() {
        return maxLength;
    }
}
