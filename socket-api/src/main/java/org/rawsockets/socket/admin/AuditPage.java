package org.rawsockets.socket.admin;

import java.util.List;
import java.util.Map;

/**
 * Audit entries and the counts since start.
 *
 * @param entries oldest first
 * @param lastSequence the sequence number of the most recent entry recorded (0: none yet); ask for
 *            entries after it to get only new ones
 * @param counts entries recorded since start per outcome
 * @param capacity how many entries the ring keeps
 */
public record AuditPage(List<AuditEntry> entries, long lastSequence, Map<String, Long> counts, int capacity) {
    public AuditPage {
        entries = List.copyOf(entries);
        counts = Map.copyOf(counts);
    }
}
