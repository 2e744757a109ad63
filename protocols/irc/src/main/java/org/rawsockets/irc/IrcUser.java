package org.rawsockets.irc;

import java.util.Optional;

/**
 * What the client knows of a user who shares a joined channel with it (or of itself), kept up to
 * date from the messages it receives: the source of JOIN and of the user's messages (user and host),
 * {@code extended-join} (account and real name), {@code userhost-in-names} (NAMES), WHO/WHOX replies
 * to {@link IrcClient#who} (user, host, real name, away and, with WHOX, the account), and the
 * {@code account-notify}, {@code away-notify}, {@code chghost}, {@code setname} and {@code account-tag}
 * capabilities where the server offers them. What was not learnt yet is "" (or empty): without those
 * capabilities call {@link IrcClient#who} with the channel once to fill it in.
 *
 * @param nick the current nickname
 * @param user the user name (ident), "" while not known
 * @param host the host (possibly cloaked), "" while not known
 * @param account the services account; empty when not logged in or not known (a bot that trusts
 *        accounts treats both alike)
 * @param realName the real name (gecos), "" while not known
 * @param away whether the user is marked away (AWAY, away-notify, or the G flag of WHO)
 */
public record IrcUser(String nick, String user, String host, Optional<String> account, String realName,
        boolean away) {
}
