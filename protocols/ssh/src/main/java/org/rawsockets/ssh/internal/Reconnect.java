package org.rawsockets.ssh.internal;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.rawsockets.protocols.config.ReconnectBackoff;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connect with retries for a configured host: a failure that may pass (the network, a time limit, the
 * server going away: {@link #TRANSIENT}) is tried again after a {@link ReconnectBackoff} delay (from
 * {@code reconnectMinMillis} doubling up to {@code reconnectMaxMillis}, ±20 % jitter, as every
 * protocol bundle's reconnects); the others (policy, host key, authentication, key file, configuration) fail
 * at once, since trying again cannot help and may lock an account.
 */
final class Reconnect {

    static final Set<Reason> TRANSIENT = EnumSet.of(Reason.NETWORK, Reason.TIMEOUT, Reason.DISCONNECTED);
    private static final Logger LOG = LoggerFactory.getLogger(Reconnect.class);

    private final String name;
    private final int retries;
    private final Duration reconnectMin;
    private final Duration reconnectMax;
    private final Supplier<ScheduledExecutorService> timer;
    private final AtomicLong failedAttempts = new AtomicLong();

    /**
     * @param retries how many times a transient failure is tried again (0: never)
     * @param reconnectMin the delay before the first retry (before jitter)
     * @param reconnectMax the longest delay (before jitter)
     */
    Reconnect(String name, int retries, Duration reconnectMin, Duration reconnectMax,
            Supplier<ScheduledExecutorService> timer) {
        this.name = name;
        this.retries = retries;
        this.reconnectMin = reconnectMin;
        this.reconnectMax = reconnectMax;
        this.timer = timer;
    }

    /** Attempts that failed with a transient reason, since the host was configured. */
    long failedAttempts() {
        return failedAttempts.get();
    }

    CompletionStage<SshSession> connect(Supplier<CompletionStage<SshSession>> attempt) {
        CompletableFuture<SshSession> result = new CompletableFuture<>();
        attempt(attempt, 0, new ReconnectBackoff(reconnectMin, reconnectMax), result);
        return result;
    }

    private void attempt(Supplier<CompletionStage<SshSession>> attempt, int tried, ReconnectBackoff backoff,
            CompletableFuture<SshSession> result) {
        attempt.get().whenComplete((s, e) -> {
            if (e == null) {
                if (!result.complete(s)) {
                    s.close();
                }
                return;
            }
            SshException f = Failures.find(e, SshException.class);
            if (f == null || !TRANSIENT.contains(f.reason()) || tried >= retries || result.isDone()) {
                result.completeExceptionally(f != null ? f : e);
                return;
            }
            failedAttempts.incrementAndGet();
            long delay = backoff.failed();
            LOG.info("SSH host '{}': attempt {} of {} failed ({}); next in {} ms", name, tried + 1, retries + 1,
                    f.getMessage(), TimeUnit.NANOSECONDS.toMillis(delay));
            try {
                timer.get().schedule(() -> attempt(attempt, tried + 1, backoff, result), delay, TimeUnit.NANOSECONDS);
            } catch (RuntimeException stopped) {
                result.completeExceptionally(f); // the host was removed meanwhile
            }
        });
    }

    /**
     * The longest {@link #connect} can take when each attempt takes at most {@code perAttempt}: every
     * attempt failing transiently at its limit, with every delay between them.
     */
    Duration worstCase(Duration perAttempt) {
        ReconnectBackoff backoff = new ReconnectBackoff(reconnectMin, reconnectMax);
        Duration total = perAttempt;
        for (int tried = 0; tried < retries; tried++) {
            total = total.plus(backoff.longestDelay(tried + 1)).plus(perAttempt);
        }
        return total;
    }
}
