package org.rawsockets.socket.admin;

import java.time.Instant;

/**
 * One audit entry: an open, a refusal, a failure or a close.
 *
 * @param sequence its number since start (1, 2, ...), never reused
 * @param time when
 * @param owner the bundle as {@code symbolicName [id]} (or the web origin it acted for)
 * @param socketId the socket id, 0 when refused before a socket existed
 * @param kind the access kind, e.g. {@code tcp connect}
 * @param destination as asked ({@code host:port} or {@code endpoint:name})
 * @param address the resolved address as {@code ip:port}, or {@code null}
 * @param outcome OPENED, REFUSED, FAILED or CLOSED
 * @param detail the refusal or failure message, or empty
 * @param bytesIn bytes received (CLOSED)
 * @param bytesOut bytes sent (CLOSED)
 * @param suggestion for a refusal an operator can lift: the grant to add; otherwise {@code null}
 */
public record AuditEntry(long sequence, Instant time, String owner, long socketId, String kind, String destination,
        String address, String outcome, String detail, long bytesIn, long bytesOut, GrantSuggestion suggestion) {
}
