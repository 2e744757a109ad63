package org.rawsockets.webbridge.internal.protocol;

/**
 * The page broke the bridge protocol: the connection is answered with an ERROR frame on id 0 and
 * closed with {@link #closeCode()}.
 */
public final class BridgeProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    /** WebSocket close code 1002: malformed frame, credit overflow, id rules broken. */
    public static final int PROTOCOL_ERROR = 1002;
    /** WebSocket close code 1008: origin, token or a limit of the bridge refused. */
    public static final int POLICY_VIOLATION = 1008;
    /** WebSocket close code 1009: a frame larger than the protocol allows. */
    public static final int TOO_BIG = 1009;

    private final int closeCode;

    public BridgeProtocolException(int closeCode, String message) {
        super(message);
        this.closeCode = closeCode;
    }

    /** The WebSocket close code to close with. */
    public int closeCode() {
        return closeCode;
    }
}
