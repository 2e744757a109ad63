package org.rawsockets.print.internal;

import java.time.Clock;
import java.time.Instant;

import org.rawsockets.print.PrinterStatus;
import org.rawsockets.socket.admin.DeviceStatus;

/**
 * What one configured printer last said about itself, for operator tools (the web console's Devices
 * page): nothing polls the printer, so the state is the answer to the last {@link
 * org.rawsockets.print.Printer#status()} query (IPP printer-state with reasons and message, the LPD
 * queue, PJL status): {@code UNKNOWN} before the first, e.g. {@code IDLE} or
 * {@code STOPPED, not accepting jobs: media-empty}, or {@code FAILED} (with the last known state) when
 * the last query failed, with its message (printer URIs and messages never hold the password).
 */
final class PrinterActivity {

    private final Clock clock;
    // guarded by this
    private String known;
    private boolean failed;
    private String lastError;
    private Instant lastChange;

    PrinterActivity(Clock clock) {
        this.clock = clock;
    }

    synchronized void answered(PrinterStatus status) {
        String d = status.describe(); // starts with the state's name in lower case
        known = status.state().name() + d.substring(status.state().name().length());
        failed = false;
        lastChange = clock.instant();
    }

    synchronized void failed(Exception failure) {
        failed = true;
        lastError = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        lastChange = clock.instant();
    }

    synchronized DeviceStatus status(String name, String kind, String uri) {
        String state = failed ? "FAILED" + (known == null ? "" : " (last known: " + known + ")")
                : known == null ? "UNKNOWN" : known;
        return new DeviceStatus(name, kind, uri, state, lastError, lastChange);
    }
}
