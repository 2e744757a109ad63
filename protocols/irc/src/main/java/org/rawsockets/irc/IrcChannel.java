package org.rawsockets.irc;

import java.util.Map;

/**
 * A snapshot of a joined channel: its name, topic, modes and members.
 *
 * @param name the channel name as the server spells it
 * @param topic the topic, "" without one
 * @param modes the channel modes set (mode letter to its argument, "" for modes without one; list
 *        modes such as bans are not tracked)
 * @param members the members' nicknames to their prefixes, highest first ("@+" for an operator
 *        with voice, "" for none), in the order they were learnt
 */
public record IrcChannel(String name, String topic, Map<Character, String> modes, Map<String, String> members) {
    public IrcChannel {
        modes = Map.copyOf(modes);
        members = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(members));
    }
}
