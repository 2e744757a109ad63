package org.rawsockets.irc.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.rawsockets.irc.ISupport;
import org.rawsockets.irc.IrcChannel;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcDisconnectedException;
import org.rawsockets.irc.IrcException;
import org.rawsockets.irc.IrcListener;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcProtocolException;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.IrcSubscription;
import org.rawsockets.irc.IrcText;
import org.rawsockets.irc.IrcUser;
import org.rawsockets.protocols.config.ReconnectBackoff;
import org.rawsockets.socket.SocketService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client: one {@link Actor} owns every piece of state (the current {@link Session}, its
 * {@link Registration}, the {@link ChannelTracker}, the {@link Replies}); public methods give work to
 * it (run on the caller's thread when the actor is idle, queued otherwise) and return stages; what
 * the socket completes is handed to the actor's own thread. Reconnects with exponential backoff and rejoins the channels (with keys).
 * Commands are in {@link Commands}.
 */
public final class IrcClientImpl implements IrcClient {

    private static final Logger LOG = LoggerFactory.getLogger(IrcClientImpl.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    final IrcSettings settings;
    private final SocketService sockets;
    final Actor actor;
    private final ExecutorService delivery;
    private final Subscribers subscribers;
    final ChannelTracker tracker = new ChannelTracker();
    final Replies replies;
    private final Commands commands;
    final Queries queries;

    Session session;
    private Registration registration;
    private CompletableFuture<String> connecting;
    private CompletableFuture<Void> disconnecting;
    private boolean wanted;
    /** Used on the actor only. */
    private final ReconnectBackoff backoff;
    private ScheduledFuture<?> reconnectTask;
    private ScheduledFuture<?> registrationTimer;
    /** The channels to rejoin after a reconnect: folded name to {name, key}. */
    final Map<String, String[]> rejoin = new LinkedHashMap<>();

    private volatile boolean connected;
    private volatile Set<String> caps = Set.of();
    private volatile String account;
    private final Sts sts;
    private volatile Duration lag;
    private volatile boolean closed;

    public IrcClientImpl(SocketService sockets, IrcSettings settings) {
        this.sockets = sockets;
        this.settings = settings;
        int id = IDS.incrementAndGet();
        this.backoff = new ReconnectBackoff(settings.reconnectMinDelay(), settings.reconnectMaxDelay());
        this.actor = new Actor(r -> daemon(r, "irc-" + settings.name() + "-" + id), settings.label());
        this.delivery = new ThreadPoolExecutor(0, 256, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, "irc-" + settings.name() + "-" + id + "-deliver"));
        this.subscribers = new Subscribers(this, delivery);
        this.replies = new Replies(actor);
        this.commands = new Commands(this);
        this.queries = new Queries(this);
        this.sts = new Sts(settings);
        settings.channels().forEach((c, k) -> rejoin.put(key(c), new String[] {c, k}));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ------------------------------------------------------------------ actor helpers

    /**
     * Runs {@code work} on the actor (on the calling thread when the actor is idle, see {@link Actor});
     * its stage, or a failed one if the client is closed.
     */
    <T> CompletableFuture<T> onActor(Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            actor.runHere(() -> {
                try {
                    work.get().whenComplete((v, t) -> {
                        if (t != null) {
                            out.completeExceptionally(t instanceof java.util.concurrent.CompletionException
                                    && t.getCause() != null ? t.getCause() : t);
                        } else {
                            out.complete(v);
                        }
                    });
                } catch (RuntimeException e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            out.completeExceptionally(new IrcDisconnectedException("IRC network " + settings.label() + ": the client is"
                    + " closed"));
        }
        return out;
    }

    /** Reads state on the actor (at most 5 s); {@code fallback} if the client is closed or busy. */
    private <T> T read(Supplier<T> reader, T fallback) {
        if (actor.inActor()) {
            return reader.get();
        }
        try {
            return onActor(() -> CompletableFuture.completedFuture(reader.get())).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return fallback;
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public CompletionStage<String> connect() {
        return onActor(() -> {
            wanted = true;
            if (connected) {
                return CompletableFuture.completedFuture(tracker.nick);
            }
            if (connecting == null || connecting.isDone()) {
                connecting = new CompletableFuture<>();
            }
            if (session == null && (reconnectTask == null || reconnectTask.isDone())) {
                open();
            }
            return connecting;
        });
    }

    private void open() {
        Sts.Target t = sts.target();
        Session s = new Session(this, settings, actor, t.tls(), t.port(), t.bySts());
        session = s;
        registration = new Registration(this, s, settings);
        registrationTimer = actor.schedule(() -> {
            if (session == s && !connected) {
                s.end(new org.rawsockets.irc.IrcRegistrationException(s.where + " did not complete registration within "
                        + settings.registrationTimeout().toSeconds() + " s (setting registrationTimeout); last step: "
                        + registration.step));
            }
        }, settings.registrationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        s.open(sockets);
    }

    void sessionOpened(Session s) {
        if (s == session) {
            registration.start();
        }
    }

    void sessionEnded(Session s, Throwable reason) {
        if (s != session) {
            return;
        }
        if (sts.isUpgrade(reason)) {
            // The plaintext connection was only the way to learn the policy: reconnect with TLS at once.
            session = null;
            if (registrationTimer != null) {
                registrationTimer.cancel(false);
            }
            tracker.reset();
            if (!closed) {
                open();
            }
            return;
        }
        session = null;
        boolean was = connected;
        connected = false;
        caps = Set.of();
        account = null;
        if (registrationTimer != null) {
            registrationTimer.cancel(false);
        }
        IrcDisconnectedException gone = reason instanceof IrcDisconnectedException d ? d
                : new IrcDisconnectedException(s.where + ": connection ended: " + reason.getMessage(), s.serverError, reason);
        replies.failAll(gone);
        tracker.reset();
        if (connecting != null && !connecting.isDone()) {
            connecting.completeExceptionally(reason);
        }
        if (was || disconnecting == null) {
            subscribers.disconnected(reason);
        }
        if (disconnecting != null) {
            CompletableFuture<Void> d = disconnecting;
            s.closed.whenComplete((v, t) -> d.complete(null));
            return;
        }
        LOG.info("IRC network {}: connection ended: {}", settings.name(), reason.getMessage());
        if (wanted && settings.reconnect() && !closed) {
            reconnectTask = actor.schedule(() -> {
                if (wanted && session == null && !closed) {
                    open();
                }
            }, backoff.failed(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public CompletionStage<Void> disconnect(String quitMessage) {
        return onActor(() -> {
            wanted = false;
            if (reconnectTask != null) {
                reconnectTask.cancel(false);
            }
            Session s = session;
            if (s == null) {
                return CompletableFuture.completedFuture(null);
            }
            disconnecting = new CompletableFuture<>();
            CompletableFuture<Void> d = disconnecting;
            s.send(IrcMessage.of("QUIT", quitMessage == null || quitMessage.isEmpty() ? "Leaving" : quitMessage), true);
            // The server answers QUIT with ERROR and closes; if it does not within 3 s, close anyway.
            actor.schedule(() -> s.end(new IrcDisconnectedException(s.where + ": disconnected (QUIT)")), 3,
                    TimeUnit.SECONDS);
            return d.thenRun(() -> disconnecting = null);
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CompletableFuture<Void> done = onActor(() -> {
            wanted = false;
            if (reconnectTask != null) {
                reconnectTask.cancel(false);
            }
            Session s = session;
            if (s != null) {
                s.end(new IrcDisconnectedException("IRC network " + settings.label() + ": the client was closed"));
                return s.closed;
            }
            return CompletableFuture.completedFuture(null);
        });
        try {
            done.get(6, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        subscribers.closeAll();
        actor.shutdownNow();
        delivery.shutdownNow();
    }

    // ------------------------------------------------------------------ incoming

    /** One message from the server (on the actor). */
    void handle(Session s, IrcMessage m) {
        if (s != session) {
            return;
        }
        tracker.onMessage(m);
        try {
            switch (m.command()) {
                case "PING" -> s.send(new IrcMessage(null, null, "PONG", m.params()), true);
                case "ERROR" -> {
                    s.serverError = m.trailing();
                    s.end(new IrcDisconnectedException(s.where + " closed the link: " + m.trailing(), m.trailing(), null));
                }
                case "KILL" -> {
                    if (tracker.isMe(m.param(0))) {
                        s.serverError = "killed by " + m.nick() + ": " + m.trailing();
                    }
                }
                case "001" -> registered(s, m);
                case "005" -> {
                    s.reader.lineLength(tracker.isupport.lineLength());
                    monitorOwnNick(s);
                }
                case "JOIN" -> {
                    if (tracker.isMe(m.nick())) {
                        String[] old = rejoin.get(key(m.param(0)));
                        rejoin.put(key(m.param(0)), new String[] {m.param(0), old == null ? "" : old[1]});
                    }
                }
                case "PART" -> {
                    if (tracker.isMe(m.nick())) {
                        rejoin.remove(key(m.param(0)));
                    }
                }
                case "KICK" -> {
                    if (tracker.isMe(m.param(1))) {
                        rejoin.remove(key(m.param(0)));
                    }
                }
                case "PRIVMSG" -> ctcpReply(s, m);
                case "731" -> regainNick(s, m);
                case "900" -> account(m.param(2));
                case "901" -> account(null);
                default -> {
                    // no client action
                }
            }
            if (registration != null && (!registration.registered || m.command().equals("CAP"))) {
                registration.onMessage(m);
            }
        } catch (IrcException e) {
            s.end(e);
        }
        if (m.command().equals("366")) {
            commands.lastNames = tracker.takeNames(m.param(1));
        }
        replies.offer(m);
        subscribers.message(m);
    }

    /** The key of a channel in {@link #rejoin}. */
    static String key(String channel) {
        return channel.toLowerCase(java.util.Locale.ROOT);
    }

    private void registered(Session s, IrcMessage m) {
        registration.welcomed();
        if (registrationTimer != null) {
            registrationTimer.cancel(false);
        }
        connected = true;
        backoff.reset();
        String nick = m.param(0);
        LOG.info("IRC network {}: registered as {}", settings.name(), nick);
        if (connecting != null) {
            connecting.complete(nick);
        }
        subscribers.connected(nick);
        s.ping(); // the first lag measurement
        // Rejoin (keys first in each JOIN, as servers pair keys with the first channels).
        for (String[] v : List.copyOf(rejoin.values())) {
            s.send(v[1].isEmpty() ? IrcMessage.of("JOIN", v[0]) : IrcMessage.of("JOIN", v[0], v[1]), false);
        }
        monitorOwnNick(s);
    }

    /**
     * With an alternate nick, asks the server (once per connection, when its ISUPPORT, which comes
     * after 001, announces MONITOR) to say when the configured nick goes offline.
     */
    private void monitorOwnNick(Session s) {
        if (connected && !s.monitoring && !tracker.isMe(settings.nick()) && tracker.isupport.monitor() != 0) {
            s.monitoring = true;
            s.send(IrcMessage.of("MONITOR", "+", settings.nick()), false);
        }
    }

    /** MONITOR: the nick we wanted went offline: take it. */
    private void regainNick(Session s, IrcMessage m) {
        for (String target : m.trailing().split(",")) {
            int bang = target.indexOf('!');
            String n = bang < 0 ? target : target.substring(0, bang);
            if (tracker.fold(n).equals(tracker.fold(settings.nick())) && !tracker.isMe(n)) {
                s.send(IrcMessage.of("NICK", settings.nick()), false);
            }
        }
    }

    private void ctcpReply(Session s, IrcMessage m) {
        Optional<IrcText.Ctcp> c = IrcText.ctcp(m.trailing());
        if (c.isEmpty() || m.nick() == null || tracker.isMe(m.nick()) || s.queued() > settings.floodBurst()) {
            return; // not CTCP, our own echo, or too busy to answer (CTCP floods must not fill the queue)
        }
        String reply = switch (c.get().command()) {
            case "VERSION" -> settings.version();
            case "PING" -> c.get().argument();
            case "TIME" -> Instant.now().toString();
            default -> null;
        };
        if (reply != null) {
            s.send(IrcMessage.of("NOTICE", m.nick(), IrcText.ctcp(c.get().command(), reply)), false);
        }
    }

    // ------------------------------------------------------------------ state for the session and registration

    /** The server advertised the {@code sts} capability (see {@link Sts#advertised}). */
    void stsAdvertised(Session s, String value) {
        if (s == session) {
            sts.advertised(s, value);
        }
    }

    void lag(Duration d) {
        lag = d;
    }

    void capabilities(Set<String> enabled) {
        caps = Set.copyOf(enabled);
    }

    void account(String account) {
        this.account = account;
        if (account != null) {
            LOG.info("IRC network {}: logged in as account {}", settings.name(), account);
        }
    }

    /** Sends on the current connection, or fails when not registered. */
    CompletableFuture<Void> sendLine(IrcMessage m) {
        Session s = session;
        if (s == null || !connected) {
            return CompletableFuture.failedFuture(new IrcDisconnectedException("IRC network " + settings.label()
                    + " is not connected; " + m.command() + " not sent"));
        }
        return s.send(m, false);
    }

    // ------------------------------------------------------------------ public API

    @Override
    public String network() {
        return settings.name();
    }

    @Override
    public IrcSettings settings() {
        return settings;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public String nick() {
        return tracker.nick;
    }

    @Override
    public Optional<String> account() {
        return Optional.ofNullable(account);
    }

    @Override
    public Set<String> capabilities() {
        return caps;
    }

    @Override
    public ISupport isupport() {
        return tracker.isupport;
    }

    @Override
    public Optional<Duration> lag() {
        return Optional.ofNullable(lag);
    }

    @Override
    public List<IrcChannel> channels() {
        return read(tracker::snapshots, List.of());
    }

    @Override
    public Optional<IrcChannel> channel(String name) {
        return Optional.ofNullable(read(() -> tracker.snapshot(name), null));
    }

    @Override
    public Optional<IrcUser> user(String nick) {
        return Optional.ofNullable(read(() -> tracker.user(nick), null));
    }

    @Override
    public CompletionStage<IrcChannel> join(String channel, String key) {
        return commands.join(channel, key);
    }

    @Override
    public CompletionStage<Void> part(String channel, String reason) {
        return commands.part(channel, reason);
    }

    @Override
    public CompletionStage<Void> privmsg(String target, String text) {
        return commands.message("PRIVMSG", target, text);
    }

    @Override
    public CompletionStage<Void> notice(String target, String text) {
        return commands.message("NOTICE", target, text);
    }

    @Override
    public CompletionStage<Void> action(String target, String text) {
        return commands.action(target, text);
    }

    @Override
    public CompletionStage<Map<String, String>> names(String channel) {
        return commands.names(channel);
    }

    @Override
    public CompletionStage<String> topic(String channel) {
        return commands.topic(channel);
    }

    @Override
    public CompletionStage<Void> setTopic(String channel, String topic) {
        return commands.setTopic(channel, topic);
    }

    @Override
    public CompletionStage<List<IrcMessage>> whois(String nick) {
        return commands.whois(nick);
    }

    @Override
    public CompletionStage<List<org.rawsockets.irc.IrcWhoEntry>> who(String mask) {
        return queries.who(mask);
    }

    @Override
    public CompletionStage<List<IrcMessage>> request(IrcMessage command) {
        return queries.request(command);
    }

    @Override
    public CompletionStage<Void> send(IrcMessage message) {
        return onActor(() -> sendLine(message));
    }

    @Override
    public CompletionStage<Void> sendRaw(String line) {
        IrcMessage m;
        try {
            m = IrcMessage.parse(line);
        } catch (IrcProtocolException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not an IRC line: " + e.getMessage(), e));
        }
        if (m == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("an empty line is not an IRC command"));
        }
        return onActor(() -> sendLine(m));
    }

    @Override
    public IrcSubscription subscribe(IrcListener listener, int bufferSize) {
        return subscribers.add(listener, bufferSize);
    }

    @Override
    public String toString() {
        return "IrcClient[" + settings.label() + ", " + (connected ? "connected as " + tracker.nick : "not connected") + "]";
    }
}
