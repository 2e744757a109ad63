package org.rawsockets.socket.mina.internal.policy;

/**
 * Per-bundle limits, enforced by the socket engine. Exceeding one fails that bundle's operation
 * with {@link org.rawsockets.socket.NotAllowedException} naming the quota, and never disturbs other
 * bundles.
 *
 * @param maxOpenSockets sockets open or opening at once (accepted connections included)
 * @param maxPendingOpens opens not yet completed at once
 * @param maxBufferedBytes bytes buffered for the bundle's sockets (received unread + queued to send)
 */
public record Quotas(int maxOpenSockets, int maxPendingOpens, long maxBufferedBytes) {

    public static final Quotas UNLIMITED = new Quotas(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);
}
