package org.rawsockets.irc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.rawsockets.irc.IrcUnsupportedException;
import org.rawsockets.irc.IrcLimitException;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcReplyException;
import org.rawsockets.irc.IrcWhoEntry;

/**
 * WHO (WHOX when ISUPPORT announces it) and IRCv3 labeled-response: with the {@code labeled-response}
 * capability a command carries a {@code label} tag and its replies are exactly the messages the
 * server labels (one message, an ACK, or a {@code labeled-response} batch); without it WHO replies
 * are matched by numerics (352/354 up to 315 for the mask). Runs on the client's actor.
 */
final class Queries {

    /** The most WHO entries or labeled replies one command collects. */
    static final int MAX_REPLIES = 100_000;
    /** The WHOX fields asked for: token, channel, user, host, server, nick, flags, hops, account, real name. */
    static final String WHOX_FIELDS = "%tcuhsnfdar";

    private final IrcClientImpl c;
    private int nextLabel;
    private int nextToken;

    Queries(IrcClientImpl client) {
        this.c = client;
    }

    /** Whether commands can carry a label (labeled-response and batch acknowledged). */
    boolean labeled() {
        return c.capabilities().contains("labeled-response") && c.capabilities().contains("batch");
    }

    /** Sends {@code command} with a label; completes with the server's labeled replies. */
    CompletionStage<List<IrcMessage>> request(IrcMessage command) {
        return c.onActor(() -> {
            CompletableFuture<List<IrcMessage>> f = new CompletableFuture<>();
            if (!labeled()) {
                f.completeExceptionally(new IrcUnsupportedException("IRC network " + c.settings.label() + ": "
                        + (c.isConnected() ? "the server did not acknowledge labeled-response and batch, so the replies"
                                + " to " + command.command() + " cannot be told apart; use send" : "not connected")));
                return f;
            }
            send(command, f, LabeledReplies.collecting(label(), f, MAX_REPLIES));
            return f;
        });
    }

    /** A label not used by a pending command (on the actor). */
    String label() {
        nextLabel = nextLabel == Integer.MAX_VALUE ? 1 : nextLabel + 1;
        return "rs" + nextLabel;
    }

    private void send(IrcMessage command, CompletableFuture<?> f, Replies.Matcher matcher) {
        IrcMessage out = matcher instanceof LabeledReplies l ? command.withTags(java.util.Map.of("label", l.label()))
                : command;
        if (c.replies.add(matcher, f, c.settings.commandTimeout().toMillis(), "IRC network " + c.settings.label() + ": "
                + command.command() + " " + String.join(" ", command.params()))) {
            c.sendLine(out).whenComplete((v, t) -> {
                if (t != null) {
                    f.completeExceptionally(t);
                }
            });
        }
    }

    /** WHO {@code mask}: WHOX when offered, labeled when offered. */
    CompletionStage<List<IrcWhoEntry>> who(String mask) {
        if (mask == null || mask.isEmpty() || mask.chars().anyMatch(ch -> ch == ' ' || ch == '\r' || ch == '\n'
                || ch == 0)) {
            throw new IllegalArgumentException("mask must be one word without spaces, CR, LF or NUL, was '" + mask + "'");
        }
        return c.onActor(() -> {
            CompletableFuture<List<IrcWhoEntry>> result = new CompletableFuture<>();
            boolean whox = c.tracker.isupport.token("WHOX").isPresent();
            nextToken = nextToken % 999 + 1;
            String token = String.valueOf(nextToken);
            IrcMessage command = whox ? IrcMessage.of("WHO", mask, WHOX_FIELDS + "," + token) : IrcMessage.of("WHO", mask);
            CompletableFuture<List<IrcMessage>> replies = new CompletableFuture<>();
            Replies.Matcher matcher;
            if (labeled()) {
                matcher = LabeledReplies.collecting(label(), replies, MAX_REPLIES);
            } else {
                List<IrcMessage> got = new ArrayList<>();
                matcher = m -> {
                    if (m.command().equals("315") && c.tracker.fold(m.param(1)).equals(c.tracker.fold(mask))) {
                        return replies.complete(List.copyOf(got));
                    }
                    if (m.command().equals("352") || m.command().equals("354") && m.param(1).equals(token)) {
                        if (got.size() >= MAX_REPLIES) {
                            return replies.completeExceptionally(new IrcLimitException("WHO " + mask + ": more than "
                                    + MAX_REPLIES + " entries"));
                        }
                        got.add(m);
                    } else if (m.isNumeric() && (m.command().equals("403") || m.command().equals("401")
                            || m.command().equals("416")) && m.param(1).equals(mask)) {
                        return replies.completeExceptionally(new IrcReplyException("IRC network " + c.settings.label()
                                + " refused WHO " + mask + ": " + m.command() + " " + m.trailing(), m));
                    }
                    return false;
                };
            }
            send(command, replies, matcher);
            replies.whenComplete((list, t) -> {
                if (t != null) {
                    result.completeExceptionally(t);
                    return;
                }
                List<IrcWhoEntry> entries = new ArrayList<>();
                boolean accounts = whox; // WHOX replies (354) say whether each user is logged in; 352 does not
                for (IrcMessage m : list) {
                    IrcWhoEntry e = entry(m, token);
                    if (e != null) {
                        entries.add(e);
                        accounts &= m.command().equals("354");
                    } else if (m.isNumeric() && m.numeric() >= 400 && m.numeric() < 600) {
                        result.completeExceptionally(new IrcReplyException("IRC network " + c.settings.label()
                                + " refused WHO " + mask + ": " + m.command() + " " + m.trailing(), m));
                        return;
                    }
                }
                List<IrcWhoEntry> done = List.copyOf(entries);
                boolean withAccounts = accounts;
                if (c.actor.inActor()) {
                    c.tracker.who(done, withAccounts);
                } else {
                    c.actor.execute(() -> c.tracker.who(done, withAccounts));
                }
                result.complete(done);
            });
            return result;
        });
    }

    /** The entry of a 352 or (our token's) 354 reply, else null. */
    static IrcWhoEntry entry(IrcMessage m, String token) {
        List<String> p = m.params();
        if (m.command().equals("352") && p.size() >= 8) {
            String last = p.get(7);
            int sp = last.indexOf(' ');
            return new IrcWhoEntry(p.get(1), p.get(2), p.get(3), p.get(4), p.get(5), p.get(6), hops(sp < 0 ? last
                    : last.substring(0, sp)), Optional.empty(), sp < 0 ? "" : last.substring(sp + 1));
        }
        if (m.command().equals("354") && p.size() >= 11 && p.get(1).equals(token)) {
            String account = p.get(9);
            return new IrcWhoEntry(p.get(2), p.get(3), p.get(4), p.get(5), p.get(6), p.get(7), hops(p.get(8)),
                    account.equals("0") || account.isEmpty() ? Optional.empty() : Optional.of(account), p.get(10));
        }
        return null;
    }

    private static int hops(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
