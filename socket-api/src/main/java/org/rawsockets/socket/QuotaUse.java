package org.rawsockets.socket;

import java.util.Objects;

/**
 * What one owner of sockets (a bundle, or a bundle acting for a web origin) uses of its quotas, for
 * operator tools ({@link SocketAdmin#quotaUse()}). A quota the policy does not limit reads
 * {@link Integer#MAX_VALUE} (counts) or {@link Long#MAX_VALUE} (bytes).
 *
 * @param owner as {@link SocketInfo#owner()} names it, e.g. {@code org.rawsockets.modbus [12]}
 * @param openSockets sockets open or opening (accepted connections included)
 * @param maxOpenSockets its maxOpenSockets quota
 * @param pendingOpens opens not completed yet
 * @param maxPendingOpens its maxPendingOpens quota
 * @param bufferedBytes bytes buffered for its sockets (received unread and queued to send)
 * @param maxBufferedBytes its maxBufferedBytes quota
 * @since 1.4
 */
public record QuotaUse(String owner, int openSockets, int maxOpenSockets, int pendingOpens, int maxPendingOpens,
        long bufferedBytes, long maxBufferedBytes) {

    public QuotaUse {
        Objects.requireNonNull(owner, "owner");
    }
}
