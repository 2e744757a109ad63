package org.rawsockets.socket.mina.internal.policy;

import java.net.InetSocketAddress;
import java.time.Instant;

/** Receives one entry per open, refusal and close; implemented by the policy engine. Must not block. */
public interface AuditLog {

    /** What happened. */
    enum Outcome {
        OPENED, REFUSED, FAILED, CLOSED
    }

    /**
     * One audit entry.
     *
     * @param time when
     * @param owner whose socket
     * @param socketId the socket id, 0 when refused before one existed
     * @param kind access kind
     * @param destination as requested ({@code host:port} or {@code endpoint:name})
     * @param address the resolved address, {@code null} when resolution failed
     * @param outcome what happened
     * @param detail the refusal or failure message, or empty
     * @param bytesIn bytes received (for CLOSED)
     * @param bytesOut bytes sent (for CLOSED)
     */
    record Entry(Instant time, Owner owner, long socketId, AccessKind kind, String destination,
            InetSocketAddress address, Outcome outcome, String detail, long bytesIn, long bytesOut) {

        /**
         * The owner is kept {@linkplain Owner#detached() without its Bundle object}: the ring outlives
         * bundles, and a kept Bundle of an uninstalled bundle keeps its revision and jar index (issue 21's
         * churn: one uninstalled bundle kept per redeploy, up to the ring's size).
         */
        public Entry {
            owner = owner == null ? null : owner.detached();
        }
    }

    void record(Entry entry);

    /** The most recent entries, oldest first, at most {@code max} (empty when nothing is kept). */
    default java.util.List<Entry> recent(int max) {
        return java.util.List.of();
    }

    AuditLog NONE = entry -> {
    };
}
