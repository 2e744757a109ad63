package org.rawsockets.ssh.internal;

import java.time.Clock;
import java.time.Instant;

import org.rawsockets.socket.admin.DeviceStatus;

/**
 * What one configured SSH host has been doing, for operator tools (the web console's Devices page):
 * the outcome of its last connect (retries included) with the failure's message, and when it ended.
 * The messages are the connect's own {@link org.rawsockets.ssh.SshException}s (they never hold a
 * password or passphrase: secrets are read at connect and never put in a message).
 */
final class HostActivity {

    private final Clock clock;
    // guarded by this
    private Boolean lastOk;
    private String lastError;
    private Instant lastChange;

    HostActivity(Clock clock) {
        this.clock = clock;
    }

    /** A connect ended: {@code failure} null when it succeeded. */
    synchronized void connectEnded(Throwable failure) {
        lastOk = failure == null;
        if (failure != null) {
            lastError = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        }
        lastChange = clock.instant();
    }

    /**
     * {@code CONNECTED (n sessions open)} while sessions are open, else {@code FAILED} when the last
     * connect failed, else {@code IDLE} (never connected, or every session closed).
     */
    synchronized DeviceStatus status(String name, String endpoint, int openSessions, Instant sessionsChanged) {
        String state = openSessions > 0 ? "CONNECTED (" + openSessions + (openSessions == 1 ? " session" : " sessions") + " open)"
                : Boolean.FALSE.equals(lastOk) ? "FAILED" : "IDLE";
        Instant changed = lastChange == null || sessionsChanged != null && sessionsChanged.isAfter(lastChange)
                ? sessionsChanged : lastChange;
        return new DeviceStatus(name, "ssh", endpoint, state, lastError, changed);
    }
}
