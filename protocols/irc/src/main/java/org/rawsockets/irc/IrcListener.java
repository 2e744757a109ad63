package org.rawsockets.irc;

/**
 * Receives a client's incoming messages (see {@link IrcClient#subscribe(IrcListener, int)}). Calls
 * come from one delivery thread per subscription, in order, never concurrently; a slow listener
 * holds up only itself: when its buffer is full, messages are dropped for it and it is told how
 * many with {@link #onLost(long)}.
 */
@FunctionalInterface
public interface IrcListener {

    /** A message from the server (every command and numeric, own messages echoed with echo-message). */
    void onMessage(IrcClient client, IrcMessage message);

    /** {@code count} messages were dropped since the last call because this listener's buffer was full. */
    default void onLost(IrcClient client, long count) {
    }

    /** The client registered on the network (after a connect or a reconnect) with nickname {@code nick}. */
    default void onConnected(IrcClient client, String nick) {
    }

    /** The connection ended; {@code reason} says why (an {@link IrcException} or a socket exception). */
    default void onDisconnected(IrcClient client, Throwable reason) {
    }
}
