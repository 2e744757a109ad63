package org.rawsockets.irc;

import java.util.Optional;

/**
 * One WHO reply: RPL_WHOREPLY (352), or RPL_WHOSPCRPL (354) when the server offers WHOX, which adds
 * the account.
 *
 * @param channel the channel the entry was found through, or "*"
 * @param user the user name (ident)
 * @param host the host (possibly cloaked)
 * @param server the server the user is on
 * @param nick the nickname
 * @param flags H (here) or G (gone/away), then * for an IRC operator and channel prefixes (@, +...)
 * @param hops the server hop count (0 when the server hides it)
 * @param account the services account (WHOX only; empty when not logged in or without WHOX)
 * @param realName the real name (gecos)
 */
public record IrcWhoEntry(String channel, String user, String host, String server, String nick, String flags, int hops,
        Optional<String> account, String realName) {

    /** Whether the user is marked away (flag G). */
    public boolean away() {
        return flags.startsWith("G");
    }

    /** Whether the user is an IRC operator (flag *). */
    public boolean operator() {
        return flags.contains("*");
    }
}
