package org.rawsockets.socket.admin;

/**
 * A grant the policy suggests to allow a refused access: {@code grant.<name> = <line>}.
 *
 * @param name the suggested grant name ({@code <bundle tail>-<kind>-<destination>-<port>})
 * @param line the grant line ({@code <bundle> <kind> <destination> <ports>})
 */
public record GrantSuggestion(String name, String line) {
}
