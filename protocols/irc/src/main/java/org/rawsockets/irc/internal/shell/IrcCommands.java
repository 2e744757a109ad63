package org.rawsockets.irc.internal.shell;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.rawsockets.irc.IrcChannel;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcListener;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcSubscription;
import org.rawsockets.irc.IrcText;
import org.rawsockets.irc.IrcUser;
import org.rawsockets.irc.internal.IrcNetworkComponent;
import org.rawsockets.protocols.config.ConfigRegistry;

/**
 * Gogo commands, scope {@code irc}: {@code networks}, {@code connect}, {@code disconnect},
 * {@code join}, {@code part}, {@code say}, {@code notice}, {@code names}, {@code topic}, {@code raw},
 * {@code whois}, {@code who}, {@code user}, {@code tail}. Failures are thrown as one clear line (so {@code gosh -c} exits
 * non-zero); every wait is bounded (the command timeout plus a little).
 */
@Component(service = IrcCommands.class, property = { "osgi.command.scope=irc", "osgi.command.function=networks",
        "osgi.command.function=connect", "osgi.command.function=disconnect", "osgi.command.function=join",
        "osgi.command.function=part", "osgi.command.function=say", "osgi.command.function=notice",
        "osgi.command.function=names", "osgi.command.function=topic", "osgi.command.function=raw",
        "osgi.command.function=whois", "osgi.command.function=who", "osgi.command.function=user",
        "osgi.command.function=tail" })
public final class IrcCommands {

    private static final Duration WAIT = Duration.ofSeconds(35);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Map<String, IrcClient> networks = new ConcurrentHashMap<>();
    private final ConfigRegistry registry;

    public IrcCommands() {
        this(IrcNetworkComponent.REGISTRY);
    }

    IrcCommands(ConfigRegistry registry) {
        this.registry = registry;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addNetwork(IrcClient client) {
        networks.put(client.network(), client);
    }

    void removeNetwork(IrcClient client) {
        networks.remove(client.network(), client);
    }

    @Descriptor("list the configured IRC networks (factory PID org.rawsockets.irc.network)")
    public String networks() {
        StringBuilder sb = new StringBuilder();
        if (networks.isEmpty()) {
            sb.append("no IRC networks configured (add a factory configuration " + IrcNetworkComponent.PID + ")\n");
        }
        new TreeMap<>(networks).forEach((n, c) -> {
            sb.append(n).append(": ").append(c.settings().label()).append(", ")
                    .append(c.isConnected() ? "connected as " + c.nick() : "not connected");
            c.lag().ifPresent(l -> sb.append(", lag ").append(l.toMillis()).append(" ms"));
            List<IrcChannel> chans = c.isConnected() ? c.channels() : List.of();
            if (!chans.isEmpty()) {
                sb.append(", channels ");
                chans.forEach(ch -> sb.append(ch.name()).append('(').append(ch.members().size()).append(") "));
            }
            sb.append('\n');
        });
        for (ConfigRegistry.Rejection r : registry.rejections()) {
            sb.append("rejected: ").append(r.describe()).append('\n');
        }
        return sb.toString();
    }

    @Descriptor("connect a network (it reconnects on its own afterwards)")
    public String connect(@Descriptor("network name") String network) throws Exception {
        return "connected to " + network + " as " + await(network(network).connect(), "connect " + network);
    }

    @Descriptor("disconnect a network (QUIT; no reconnect until irc:connect)")
    public String disconnect(
            @Descriptor("quit message") @Parameter(names = {"-m", "--message"}, absentValue = "Leaving") String message,
            @Descriptor("network name") String network)
            throws Exception {
        await(network(network).disconnect(message), "disconnect " + network);
        return "disconnected from " + network;
    }

    @Descriptor("join a channel (rejoined after reconnects)")
    public String join(@Descriptor("channel key") @Parameter(names = {"-k", "--key"}, absentValue = "") String key,
            @Descriptor("network name") String network, @Descriptor("channel") String channel) throws Exception {
        IrcChannel c = await(network(network).join(channel, key), "join " + channel);
        return "joined " + c.name() + " (" + c.members().size() + " members)";
    }

    @Descriptor("leave a channel")
    public String part(@Descriptor("network name") String network, @Descriptor("channel") String channel)
            throws Exception {
        await(network(network).part(channel, null), "part " + channel);
        return "left " + channel;
    }

    @Descriptor("send a message (PRIVMSG) to a channel or nick; long texts are split")
    public String say(@Descriptor("network name") String network, @Descriptor("channel or nick") String target,
            @Descriptor("the text (quote it)") String... words) throws Exception {
        await(network(network).privmsg(target, String.join(" ", words)), "send to " + target);
        return "sent to " + target;
    }

    @Descriptor("send a NOTICE to a channel or nick")
    public String notice(@Descriptor("network name") String network, @Descriptor("channel or nick") String target,
            @Descriptor("the text (quote it)") String... words) throws Exception {
        await(network(network).notice(target, String.join(" ", words)), "send to " + target);
        return "sent to " + target;
    }

    @Descriptor("the members of a channel with their prefixes")
    public String names(@Descriptor("network name") String network, @Descriptor("channel") String channel)
            throws Exception {
        Map<String, String> m = await(network(network).names(channel), "NAMES " + channel);
        StringBuilder sb = new StringBuilder(channel + ": " + m.size() + " members\n");
        new TreeMap<>(m).forEach((n, p) -> sb.append("  ").append(p).append(n).append('\n'));
        return sb.toString();
    }

    @Descriptor("show a channel's topic, or set it")
    public String topic(@Descriptor("network name") String network, @Descriptor("channel") String channel,
            @Descriptor("new topic (omit to show it)") String... words) throws Exception {
        IrcClient c = network(network);
        if (words.length == 0) {
            String t = await(c.topic(channel), "TOPIC " + channel);
            return channel + ": " + (t.isEmpty() ? "(no topic)" : t);
        }
        await(c.setTopic(channel, String.join(" ", words)), "set the topic of " + channel);
        return "topic of " + channel + " set";
    }

    @Descriptor("send a raw IRC line (e.g. \"MODE #chan +m\")")
    public String raw(@Descriptor("network name") String network, @Descriptor("the line (quote it)") String... words)
            throws Exception {
        await(network(network).sendRaw(String.join(" ", words)), "send the line");
        return "sent";
    }

    @Descriptor("WHOIS a nick")
    public String whois(@Descriptor("network name") String network, @Descriptor("nick") String nick) throws Exception {
        List<IrcMessage> lines = await(network(network).whois(nick), "WHOIS " + nick);
        StringBuilder sb = new StringBuilder();
        for (IrcMessage m : lines) {
            sb.append(m.command()).append(' ').append(String.join(" ", m.params().subList(Math.min(1, m.params().size()),
                    m.params().size()))).append('\n');
        }
        return sb.toString();
    }

    @Descriptor("WHO a channel, nick or mask: one line per user (nick user@host flags account realname)")
    public String who(@Descriptor("network name") String network, @Descriptor("channel, nick or mask") String mask)
            throws Exception {
        StringBuilder sb = new StringBuilder();
        for (org.rawsockets.irc.IrcWhoEntry e : await(network(network).who(mask), "WHO " + mask)) {
            sb.append(e.nick()).append(' ').append(e.user()).append('@').append(e.host()).append(' ').append(e.flags())
                    .append(' ').append(e.account().orElse("-")).append(' ').append(e.realName()).append('\n');
        }
        return sb.length() == 0 ? "nobody matches " + mask : sb.toString();
    }

    @Descriptor("what the client knows of a user on its channels, without asking the server (nick user@host"
            + " here|away account realname)")
    public String user(@Descriptor("network name") String network, @Descriptor("nick") String nick) {
        IrcClient c = network(network);
        IrcUser u = c.user(nick).orElseThrow(() -> new IllegalArgumentException(nick + " is on none of the channels"
                + " of IRC network '" + network + "' (irc:who " + network + " " + nick + " asks the server)"));
        return u.nick() + ' ' + (u.user().isEmpty() ? "?" : u.user()) + '@' + (u.host().isEmpty() ? "?" : u.host())
                + ' ' + (u.away() ? "away" : "here") + ' ' + u.account().orElse("-") + ' '
                + (u.realName().isEmpty() ? "?" : u.realName());
    }

    @Descriptor("print live messages (all, or one channel's) until interrupted (Ctrl-C) or for -s seconds")
    public void tail(
            @Descriptor("stop after this many seconds (0: until interrupted)") @Parameter(names = {"-s", "--seconds"},
                    absentValue = "0") long seconds,
            @Descriptor("network name") String network,
            @Descriptor("channel or nick (omit for everything)") String... channel) throws Exception {
        IrcClient c = network(network);
        String only = channel.length == 0 ? null : c.isupport().caseMapping().fold(channel[0]);
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(1000);
        AtomicLong dropped = new AtomicLong();
        PrintStream out = System.out;
        IrcSubscription s = c.subscribe(new IrcListener() {
            @Override
            public void onMessage(IrcClient client, IrcMessage m) {
                if (only != null && !only.equals(client.isupport().caseMapping().fold(m.param(0)))) {
                    return;
                }
                if (!lines.offer(format(m))) {
                    dropped.incrementAndGet();
                }
            }

            @Override
            public void onLost(IrcClient client, long count) {
                dropped.addAndGet(count);
            }

            @Override
            public void onDisconnected(IrcClient client, Throwable reason) {
                lines.offer("-- disconnected: " + reason.getMessage());
            }

            @Override
            public void onConnected(IrcClient client, String nick) {
                lines.offer("-- connected as " + nick);
            }
        }, 1000);
        long until = seconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
        try {
            while (System.nanoTime() - until < 0) {
                String l = lines.poll(200, TimeUnit.MILLISECONDS);
                long d = dropped.getAndSet(0);
                if (d > 0) {
                    out.println("-- " + d + " messages dropped (the terminal is slower than the channel)");
                }
                if (l != null) {
                    out.println(l);
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            s.close();
        }
    }

    static String format(IrcMessage m) {
        String time = LocalTime.now().format(TIME);
        return switch (m.command()) {
            case "PRIVMSG" -> time + " " + m.param(0) + " <" + m.nick() + "> " + IrcText.plain(m.nick(), m.trailing());
            case "NOTICE" -> time + " " + m.param(0) + " -" + m.nick() + "- " + IrcText.plain(m.nick(), m.trailing());
            default -> time + " " + m;
        };
    }

    private IrcClient network(String name) {
        IrcClient c = networks.get(name);
        if (c == null) {
            String why = registry.rejection(name).map(r -> "; its configuration was rejected: " + r.describe()).orElse("");
            throw new IllegalArgumentException("no IRC network '" + name + "' (configured: " + new TreeMap<>(networks)
                    .keySet() + ")" + why);
        }
        return c;
    }

    private static <T> T await(CompletionStage<T> stage, String what) throws Exception {
        try {
            return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new IllegalStateException("could not " + what + ": " + c.getMessage(), c);
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not " + what + ": no answer within " + WAIT.toSeconds() + " s");
        }
    }
}
