package org.rawsockets.smtp.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.rawsockets.socket.TimedOutException;

/**
 * A queued operation of a session with its deadline. Its stage is completed by the session
 * ({@link #succeed}, {@link #fail}); completed by anyone else (the caller cancelled it or gave up
 * waiting), it aborts the session.
 */
abstract class Operation<T> implements Runnable {

    /** The work of an operation, on the worker; any failure fails the operation. */
    interface IoCallable<T> {
        T call() throws Exception;
    }

    final CompletableFuture<T> future = new CompletableFuture<>();
    final SmtpSessionImpl session;
    final String what;
    final long deadline;
    final Duration limit;
    private volatile boolean settled;

    Operation(SmtpSessionImpl session, String what, long deadline, Duration limit) {
        this.session = session;
        this.what = what;
        this.deadline = deadline;
        this.limit = limit;
        future.whenComplete((v, t) -> {
            if (!settled) {
                session.abort(); // the caller gave up: close the connection now, not at the next limit
            }
        });
    }

    /** Makes this the running operation (on the worker). */
    void start() {
        session.connection().startOperation(deadline, limit, what);
    }

    /**
     * Fails it when its deadline passed while it waited in the queue; the connection, which it has
     * not touched, stays as it is.
     */
    boolean expiredInQueue() {
        if (System.nanoTime() - deadline >= 0) {
            fail(new TimedOutException("SMTP session to " + session.label() + ": " + what + " did not start within "
                    + SmtpConnection.seconds(limit)
                    + " (setting timeout): it waited behind the operations queued before it"));
            return true;
        }
        return false;
    }

    boolean succeed(T value) {
        settled = true;
        return future.complete(value);
    }

    boolean fail(Throwable reason) {
        settled = true;
        return future.completeExceptionally(reason);
    }

    /** An operation that runs one piece of work (open, RSET, NOOP). */
    static final class Call<T> extends Operation<T> {
        private final IoCallable<T> task;

        Call(SmtpSessionImpl session, String what, long deadline, Duration limit, IoCallable<T> task) {
            super(session, what, deadline, limit);
            this.task = task;
        }

        @Override
        public void run() {
            start();
            if (expiredInQueue()) {
                return;
            }
            try {
                succeed(task.call());
            } catch (Throwable t) {
                fail(t);
            }
        }
    }
}
