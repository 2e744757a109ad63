package org.rawsockets.smtp.internal;

import java.time.Clock;
import java.time.Instant;

import org.rawsockets.socket.admin.DeviceStatus;

/**
 * What one configured mail server has been doing, for operator tools (the web console's Devices
 * page): SMTP opens a connection per send or probe, so the state is the outcome of the last exchange
 * ({@code IDLE} before the first, {@code OK}, {@code FAILED} with its message) with counts, and how
 * many exchanges are under way. The messages are the operations' own (they never hold a password).
 */
final class ServerActivity {

    private final Clock clock;
    // guarded by this
    private int active;
    private long ok;
    private long failed;
    private String lastError;
    private Boolean lastOk;
    private Instant lastChange;

    ServerActivity(Clock clock) {
        this.clock = clock;
    }

    synchronized void begin() {
        active++;
    }

    /** An exchange ended: {@code failure} null when it succeeded. */
    synchronized void end(Throwable failure) {
        active = Math.max(0, active - 1);
        if (failure == null) {
            ok++;
            lastOk = true;
        } else {
            failed++;
            lastOk = false;
            lastError = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        }
        lastChange = clock.instant();
    }

    synchronized DeviceStatus status(String name, String endpoint) {
        String state = lastOk == null ? "IDLE" : lastOk ? "OK" : "FAILED";
        state += " (" + ok + " ok, " + failed + " failed" + (active > 0 ? ", " + active + " under way" : "") + ")";
        return new DeviceStatus(name, "smtp", endpoint, state, lastError, lastChange);
    }
}
