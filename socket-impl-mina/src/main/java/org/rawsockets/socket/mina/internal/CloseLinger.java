package org.rawsockets.socket.mina.internal;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The close linger of a connection: once a close is requested (the writable side's, or the whole
 * socket's), the close has {@code closeTimeout} to finish (queued bytes sent, close_notify, FIN);
 * past it {@code onTimeout} aborts the connection. One timer at a time; a later close request arms
 * a new one if the earlier one is over (a half-close that finished, then {@code close()}).
 */
final class CloseLinger {

    private final ScheduledExecutorService timer;
    // guarded by this
    private ScheduledFuture<?> task;

    CloseLinger(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Arms the timer unless one is pending; {@code onTimeout} decides whether the close is still due. */
    synchronized void arm(Duration limit, Runnable onTimeout) {
        if (task != null && !task.isDone()) {
            return;
        }
        try {
            task = timer.schedule(onTimeout, Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the engine is stopping: it closes every socket itself
        }
    }

    /** The connection is gone: the timer need not keep it reachable. */
    synchronized void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }
}
