package org.rawsockets.socket.admin;

/**
 * The policy's decision for one resolved address.
 *
 * @param allowed whether it is allowed
 * @param message why, as the shell prints it (and a refusal's exception says)
 * @param suggestion the grant that would allow it, or {@code null} (allowed, or only the developer
 *            can fix it by declaring the access)
 */
public record Explanation(boolean allowed, String message, GrantSuggestion suggestion) {
}
