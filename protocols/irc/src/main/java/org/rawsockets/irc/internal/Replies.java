package org.rawsockets.irc.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.rawsockets.irc.IrcLimitException;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcTimeoutException;

/**
 * Commands waiting for their replies, matched by reply numerics (and the command's target) in the
 * order they were sent; each has a deadline. Bounded. Used on the client's actor.
 */
final class Replies {

    static final int MAX_PENDING = 1_000;

    /** Looks at each incoming message; returns true once the command is settled. */
    interface Matcher {
        boolean offer(IrcMessage m);
    }

    private record Pending(Matcher matcher, CompletableFuture<?> future, ScheduledFuture<?> timeout) {
    }

    private final Actor actor;
    private final List<Pending> pending = new ArrayList<>();

    Replies(Actor actor) {
        this.actor = actor;
    }

    /** Waits for the reply; fails {@code future} with IrcTimeoutException after {@code timeoutMillis}. */
    boolean add(Matcher matcher, CompletableFuture<?> future, long timeoutMillis, String what) {
        if (pending.size() >= MAX_PENDING) {
            future.completeExceptionally(new IrcLimitException(what + ": " + MAX_PENDING
                    + " commands already wait for their replies; try again later"));
            return false;
        }
        ScheduledFuture<?> t = actor.schedule(() -> {
            pending.removeIf(p -> p.future() == future);
            future.completeExceptionally(new IrcTimeoutException(what + ": no reply within " + timeoutMillis
                    + " ms (setting commandTimeout)"));
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        pending.add(new Pending(matcher, future, t));
        return true;
    }

    void offer(IrcMessage m) {
        if (pending.isEmpty()) {
            return;
        }
        for (Iterator<Pending> it = pending.iterator(); it.hasNext();) {
            Pending p = it.next();
            boolean done;
            try {
                done = p.matcher().offer(m) || p.future().isDone();
            } catch (RuntimeException e) {
                p.future().completeExceptionally(e);
                done = true;
            }
            if (done) {
                p.timeout().cancel(false);
                it.remove();
            }
        }
    }

    void failAll(Throwable reason) {
        for (Pending p : pending) {
            p.timeout().cancel(false);
            p.future().completeExceptionally(reason);
        }
        pending.clear();
    }
}
