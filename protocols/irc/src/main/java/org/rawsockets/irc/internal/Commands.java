package org.rawsockets.irc.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.rawsockets.irc.IrcChannel;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcReplyException;
import org.rawsockets.irc.IrcText;
import org.rawsockets.irc.internal.codec.IrcCodec;

/**
 * The commands with replies (JOIN, PART, NAMES, TOPIC, WHOIS: matched by reply numerics and target)
 * and the messages split at the line limit. Runs on the client's actor.
 */
final class Commands {

    private static final Set<String> JOIN_ERRORS = Set.of("403", "405", "471", "473", "474", "475", "476", "477", "489",
            "437");
    private static final Set<String> WHOIS_END_ERRORS = Set.of("401", "402", "431");

    private final IrcClientImpl c;
    /** The NAMES result of the 366 being handled (set by the client before the replies see it). */
    Map<String, String> lastNames;

    Commands(IrcClientImpl client) {
        this.c = client;
    }

    private boolean same(String a, String b) {
        return c.tracker.fold(a).equals(c.tracker.fold(b));
    }

    private long timeout() {
        return c.settings.commandTimeout().toMillis();
    }

    private static IrcReplyException refused(IrcClientImpl c, String what, IrcMessage m) {
        return new IrcReplyException("IRC network " + c.settings.label() + " refused " + what + ": " + m.command() + " "
                + m.trailing(), m);
    }

    CompletionStage<IrcChannel> join(String channel, String key) {
        check("channel", channel);
        return c.onActor(() -> {
            IrcChannel have = c.tracker.snapshot(channel);
            if (have != null) {
                return CompletableFuture.completedFuture(have);
            }
            CompletableFuture<IrcChannel> f = new CompletableFuture<>();
            String what = "JOIN " + channel;
            boolean[] joined = {false};
            IrcMessage out = expect(key == null || key.isEmpty() ? IrcMessage.of("JOIN", channel)
                    : IrcMessage.of("JOIN", channel, key), m -> {
                if (m.command().equals("JOIN") && c.tracker.isMe(m.nick()) && same(m.param(0), channel)) {
                    joined[0] = true;
                    return false; // complete with the members at the end of NAMES
                }
                if (joined[0] && m.command().equals("366") && same(m.param(1), channel)) {
                    return f.complete(c.tracker.snapshot(channel));
                }
                if (JOIN_ERRORS.contains(m.command()) && same(m.param(1), channel)) {
                    return f.completeExceptionally(refused(c, what, m));
                }
                return false;
            }, f, what);
            if (out != null) {
                if (key != null && !key.isEmpty()) {
                    c.rejoin.put(IrcClientImpl.key(channel), new String[] {channel, key});
                }
                failOnSendError(c.sendLine(out), f);
            }
            return f;
        });
    }

    CompletionStage<Void> part(String channel, String reason) {
        check("channel", channel);
        return c.onActor(() -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            String what = "PART " + channel;
            IrcMessage out = expect(reason == null || reason.isEmpty() ? IrcMessage.of("PART", channel)
                    : IrcMessage.of("PART", channel, reason), m -> {
                if (m.command().equals("PART") && c.tracker.isMe(m.nick()) && same(m.param(0), channel)) {
                    return f.complete(null);
                }
                if ((m.command().equals("403") || m.command().equals("442")) && same(m.param(1), channel)) {
                    return f.completeExceptionally(refused(c, what, m));
                }
                return false;
            }, f, what);
            if (out != null) {
                c.rejoin.remove(IrcClientImpl.key(channel));
                failOnSendError(c.sendLine(out), f);
            }
            return f;
        });
    }

    CompletionStage<Void> message(String command, String target, String text) {
        check("target", target);
        return c.onActor(() -> {
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (String part : IrcCodec.split(text, maxText(command, target))) {
                sent.add(c.sendLine(IrcMessage.of(command, target, part)));
            }
            return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
        });
    }

    CompletionStage<Void> action(String target, String text) {
        check("target", target);
        return c.onActor(() -> {
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (String part : IrcCodec.split(text, maxText("PRIVMSG", target) - 9)) {
                sent.add(c.sendLine(IrcMessage.of("PRIVMSG", target, IrcText.ctcp("ACTION", part))));
            }
            return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
        });
    }

    /**
     * The bytes of text that fit in one line as the server relays it: the limit minus CR LF, the
     * source the server prefixes (nick!user@host, the host at most 63 bytes) and "COMMAND target :".
     */
    int maxText(String command, String target) {
        int line = c.tracker.isupport.lineLength();
        int source = 1 + c.tracker.nick.getBytes(UTF_8).length + 1 + 11 + 1 + 63 + 1;
        int head = command.length() + 1 + target.getBytes(UTF_8).length + 2;
        return Math.max(32, line - 2 - source - head);
    }

    CompletionStage<Map<String, String>> names(String channel) {
        check("channel", channel);
        return c.onActor(() -> {
            CompletableFuture<Map<String, String>> f = new CompletableFuture<>();
            String what = "NAMES " + channel;
            IrcMessage out = expect(IrcMessage.of("NAMES", channel), m -> {
                if (m.command().equals("366") && same(m.param(1), channel)) {
                    return f.complete(lastNames == null ? Map.of() : Map.copyOf(lastNames));
                }
                if (m.command().equals("403") && same(m.param(1), channel)) {
                    return f.completeExceptionally(refused(c, what, m));
                }
                return false;
            }, f, what);
            if (out != null) {
                failOnSendError(c.sendLine(out), f);
            }
            return f;
        });
    }

    CompletionStage<String> topic(String channel) {
        check("channel", channel);
        return c.onActor(() -> {
            CompletableFuture<String> f = new CompletableFuture<>();
            String what = "TOPIC " + channel;
            IrcMessage out = expect(IrcMessage.of("TOPIC", channel), m -> {
                if (m.command().equals("332") && same(m.param(1), channel)) {
                    return f.complete(m.param(2));
                }
                if (m.command().equals("331") && same(m.param(1), channel)) {
                    return f.complete("");
                }
                if (Set.of("403", "442").contains(m.command()) && same(m.param(1), channel)) {
                    return f.completeExceptionally(refused(c, what, m));
                }
                return false;
            }, f, what);
            if (out != null) {
                failOnSendError(c.sendLine(out), f);
            }
            return f;
        });
    }

    CompletionStage<Void> setTopic(String channel, String topic) {
        check("channel", channel);
        return c.onActor(() -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            String what = "TOPIC " + channel + " :" + topic;
            IrcMessage out = expect(IrcMessage.of("TOPIC", channel, topic), m -> {
                if (m.command().equals("TOPIC") && c.tracker.isMe(m.nick()) && same(m.param(0), channel)) {
                    return f.complete(null);
                }
                if (Set.of("403", "442", "482", "477").contains(m.command()) && same(m.param(1), channel)) {
                    return f.completeExceptionally(refused(c, what, m));
                }
                return false;
            }, f, what);
            if (out != null) {
                failOnSendError(c.sendLine(out), f);
            }
            return f;
        });
    }

    CompletionStage<List<IrcMessage>> whois(String nick) {
        check("nick", nick);
        return c.onActor(() -> {
            CompletableFuture<List<IrcMessage>> f = new CompletableFuture<>();
            List<IrcMessage> lines = new ArrayList<>();
            String what = "WHOIS " + nick;
            IrcMessage out = expect(IrcMessage.of("WHOIS", nick), m -> {
                if (!m.isNumeric() || !same(m.param(1), nick)) {
                    return false;
                }
                if (WHOIS_END_ERRORS.contains(m.command())) {
                    return f.completeExceptionally(refused(c, what, m));
                }
                if (m.command().equals("318")) {
                    return f.complete(List.copyOf(lines));
                }
                if (lines.size() < 100) {
                    lines.add(m);
                }
                return false;
            }, f, what);
            if (out != null) {
                failOnSendError(c.sendLine(out), f);
            }
            return f;
        });
    }

    /**
     * Registers the command's reply matcher and returns the line to send, or null when refused (then
     * {@code f} has failed). With labeled-response the line carries a label and only the messages the
     * server labels for it reach {@code matcher} ({@link LabeledReplies}); otherwise every incoming
     * message does, and the matcher tells its replies by numerics and target.
     */
    private IrcMessage expect(IrcMessage command, Replies.Matcher matcher, CompletableFuture<?> f, String what) {
        String desc = "IRC network " + c.settings.label() + ": " + what;
        IrcMessage out = command;
        Replies.Matcher m = matcher;
        if (c.queries.labeled()) {
            LabeledReplies l = new LabeledReplies(c.queries.label(), matcher, f, desc);
            out = command.withTags(Map.of("label", l.label()));
            m = l;
        }
        return c.replies.add(m, f, timeout(), desc) ? out : null;
    }

    private static void failOnSendError(CompletableFuture<Void> sent, CompletableFuture<?> f) {
        sent.whenComplete((v, t) -> {
            if (t != null) {
                f.completeExceptionally(t);
            }
        });
    }

    private static void check(String what, String v) {
        if (v == null || v.isEmpty() || v.chars().anyMatch(ch -> ch == ' ' || ch == '\r' || ch == '\n' || ch == 0)) {
            throw new IllegalArgumentException(what + " must be one word without spaces, CR, LF or NUL, was '" + v + "'");
        }
    }
}
