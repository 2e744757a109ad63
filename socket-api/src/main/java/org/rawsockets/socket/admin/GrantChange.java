package org.rawsockets.socket.admin;

/**
 * A grant added, replaced or revoked.
 *
 * @param name the grant name (without {@code grant.})
 * @param line the grant line now in force (added/replaced), or the one removed (revoked)
 * @param previousLine the line it replaced, or {@code null}
 * @param note where the change is kept and what replaces it at the next start
 */
public record GrantChange(String name, String line, String previousLine, String note) {
}
