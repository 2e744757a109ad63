package org.rawsockets.irc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A client on one IRC network. Created with {@link IrcClients#create}; in OSGi one is registered
 * per configured network (factory PID {@code org.rawsockets.irc.network}) with service property
 * {@code name}.
 *
 * <p>Methods never block. Commands return a {@link CompletionStage}: those with a reply complete
 * with it (JOIN when the server confirms it, WHOIS and NAMES with their replies) or fail with an
 * {@link IrcReplyException} carrying the server's error numeric; the others complete when the line
 * was handed to the socket (after flood control). Every stage settles within the command timeout.
 * Sending fails with {@link IrcDisconnectedException} while not registered.
 */
@ProviderType
public interface IrcClient {

    /** The network's name (from the settings). */
    String network();

    IrcSettings settings();

    /**
     * Connects and registers; completes with the nickname the server accepted. Fails with a socket
     * exception (refused, TLS...), {@link IrcRegistrationException} or {@link IrcProtocolException}.
     * With reconnect on, the client keeps trying after a failure until {@link #disconnect} (the stage
     * reports the first attempt).
     */
    CompletionStage<String> connect();

    /** Sends QUIT, closes the connection and stops reconnecting; completes when closed (bounded time). */
    CompletionStage<Void> disconnect(String quitMessage);

    /** Whether the client is registered on the network now. */
    boolean isConnected();

    /** The current nickname ("" before the first registration). */
    String nick();

    /**
     * The services account this client is logged in to on this connection (SASL's 900 reply, or a
     * later 900/901 from services), if any.
     */
    Optional<String> account();

    /** The capabilities the server acknowledged on this connection. */
    Set<String> capabilities();

    /** The server's ISUPPORT tokens. */
    ISupport isupport();

    /** The last measured round-trip time to the server (PING/PONG), if any. */
    Optional<Duration> lag();

    /** Snapshots of the joined channels. */
    List<IrcChannel> channels();

    /** A snapshot of one joined channel (case-insensitive per CASEMAPPING). */
    Optional<IrcChannel> channel(String name);

    /**
     * What the client knows of a user who shares a joined channel with it, or of itself
     * (case-insensitive per CASEMAPPING); empty for a nick on none of the client's channels.
     */
    Optional<IrcUser> user(String nick);

    /** Joins a channel (key may be null); completes when the server confirms the join. Rejoined after a reconnect. */
    CompletionStage<IrcChannel> join(String channel, String key);

    /** Leaves a channel; completes when the server confirms it. */
    CompletionStage<Void> part(String channel, String reason);

    /**
     * Sends a PRIVMSG to a channel or nick, split into as many lines as the limit needs (at spaces,
     * never inside a character); completes when every line was sent.
     */
    CompletionStage<Void> privmsg(String target, String text);

    /** As {@link #privmsg} with NOTICE. */
    CompletionStage<Void> notice(String target, String text);

    /** Sends a CTCP ACTION ("/me"). */
    CompletionStage<Void> action(String target, String text);

    /** The members of a channel with their prefixes (NAMES). */
    CompletionStage<Map<String, String>> names(String channel);

    /** The topic of a channel (TOPIC query): "" without one. */
    CompletionStage<String> topic(String channel);

    /** Sets the topic; completes when the server confirms it. */
    CompletionStage<Void> setTopic(String channel, String topic);

    /** The WHOIS reply lines for {@code nick}, up to RPL_ENDOFWHOIS. */
    CompletionStage<List<IrcMessage>> whois(String nick);

    /**
     * WHO {@code mask} (a channel, a nick or a mask): one entry per user. With ISUPPORT WHOX the
     * entries carry the services account; with the labeled-response capability the replies are the
     * ones the server labels for this command, otherwise they are matched by numerics (352/354 up to
     * 315). An empty list when nobody matches. The entries also update what {@link #user} knows of
     * the users who share a channel with the client.
     */
    CompletionStage<List<IrcWhoEntry>> who(String mask);

    /**
     * Sends {@code command} with an IRCv3 {@code label} tag and completes with the messages the server
     * labels in reply (one message, none for an ACK, or the messages of its labeled-response batch).
     * Fails with {@link IrcUnsupportedException} when the server did not acknowledge labeled-response
     * and batch (the replies could not be told apart from other traffic).
     */
    CompletionStage<List<IrcMessage>> request(IrcMessage command);

    /** Sends a message as it is (through flood control); completes when sent. */
    CompletionStage<Void> send(IrcMessage message);

    /** Parses and sends a raw line ("MODE #chan +m"); completes when sent. */
    CompletionStage<Void> sendRaw(String line);

    /**
     * Subscribes a listener to the incoming messages with a buffer of {@code bufferSize} messages;
     * when the listener falls behind, messages are dropped for it and counted ({@link IrcListener#onLost}).
     */
    IrcSubscription subscribe(IrcListener listener, int bufferSize);

    /** Closes at once (no QUIT), stops reconnecting and releases the threads. */
    void close();
}
