package org.rawsockets.webbridge.internal.session;

import org.rawsockets.webbridge.internal.protocol.Frame;

/**
 * The bounds of one bridge connection.
 *
 * @param maxSockets sockets open or opening at once on one connection (accepted ones included)
 * @param sendWindow bytes the page may send to one socket before the gateway grants more (the
 *            gateway grants them back as the socket accepts the writes)
 * @param maxCredit the most receive credit a page may have granted to one socket and not used
 * @param outboundHigh bytes queued towards the WebSocket above which no socket is read
 */
public record Limits(int maxSockets, int sendWindow, int maxCredit, int outboundHigh) {

    public static final Limits DEFAULTS = new Limits(64, 256 * 1024, 16 << 20, 1 << 20);

    public Limits {
        if (maxSockets < 1 || sendWindow < Frame.MAX_DATA || maxCredit < Frame.MAX_DATA || outboundHigh < Frame.MAX_DATA) {
            throw new IllegalArgumentException("bridge limits too small: maxSockets >= 1, sendWindow, maxCredit and"
                    + " outboundHigh >= " + Frame.MAX_DATA + " (one data frame), were " + maxSockets + ", " + sendWindow
                    + ", " + maxCredit + ", " + outboundHigh);
        }
    }

    /**
     * The hard bound of bytes queued towards the WebSocket: below the high mark every socket may add
     * one data frame, plus room for control frames. A page whose WebSocket does not take frames beyond
     * it is disconnected.
     */
    public long outboundMax() {
        return outboundHigh + (long) maxSockets * (Frame.HEADER + Frame.maxPayload(Frame.DATAGRAM)) + (1 << 20);
    }
}
