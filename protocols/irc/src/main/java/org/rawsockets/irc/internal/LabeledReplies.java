package org.rawsockets.irc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.rawsockets.irc.IrcLimitException;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcProtocolException;

/**
 * The replies of one command sent with an IRCv3 {@code label} (labeled-response): only the messages
 * the server labels for it reach the command's own matcher, in order: a single labeled message, or
 * the messages of its labeled-response batch (nested batches included). A reply to another command
 * with the same numerics and target (another caller's, or one sent raw) can no longer settle it.
 * When the labeled replies end (the batch closes, an ACK, or the single message) and the matcher
 * has not settled the command, it fails: the server answered, but not as the command expects; or,
 * for {@link #collecting} (WHO, {@code request}), it completes with every labeled reply.
 */
final class LabeledReplies implements Replies.Matcher {

    private final String label;
    private final Replies.Matcher inner;
    /** Called with how the labeled replies ended when {@code inner} did not settle the command; true: settled. */
    private final Function<String, Boolean> ended;
    private final List<String> refs = new ArrayList<>();

    /** The command's own matcher; the labeled replies ending without settling it fail {@code f}. */
    LabeledReplies(String label, Replies.Matcher inner, CompletableFuture<?> f, String what) {
        this(label, inner, how -> f.completeExceptionally(new IrcProtocolException(what + ": the server answered ("
                + how + ") without the reply this command waits for; the command's effect is unknown, check the"
                + " channel or nick state")));
    }

    private LabeledReplies(String label, Replies.Matcher inner, Function<String, Boolean> ended) {
        this.label = label;
        this.inner = inner;
        this.ended = ended;
    }

    /**
     * Completes {@code f} with all the labeled replies (none for an ACK), at most {@code max}
     * ({@link IrcLimitException} beyond), for commands whose caller interprets them.
     */
    static LabeledReplies collecting(String label, CompletableFuture<List<IrcMessage>> f, int max) {
        List<IrcMessage> got = new ArrayList<>();
        return new LabeledReplies(label, m -> {
            if (got.size() >= max) {
                return f.completeExceptionally(new IrcLimitException("more than " + max + " replies to one command"));
            }
            got.add(m);
            return false;
        }, how -> f.complete(List.copyOf(got)));
    }

    String label() {
        return label;
    }

    @Override
    public boolean offer(IrcMessage m) {
        if (refs.isEmpty()) {
            if (!label.equals(m.tag("label").orElse(null))) {
                return false;
            }
            if (m.command().equals("BATCH") && m.param(0).startsWith("+")) {
                refs.add(m.param(0).substring(1));
                return false;
            }
            if (m.command().equals("ACK")) {
                return ended("an ACK without any reply");
            }
            return inner.offer(m) || ended("only " + m.command());
        }
        if (m.command().equals("BATCH") && m.param(0).equals("-" + refs.get(0))) {
            return ended("its labeled batch ended");
        }
        String batch = m.tag("batch").orElse(null);
        if (batch == null || !refs.contains(batch)) {
            return false;
        }
        if (m.command().equals("BATCH")) {
            if (m.param(0).startsWith("+")) {
                refs.add(m.param(0).substring(1)); // a batch nested in the labeled one
            }
            return false;
        }
        return inner.offer(m);
    }

    private boolean ended(String how) {
        return ended.apply(how);
    }
}
