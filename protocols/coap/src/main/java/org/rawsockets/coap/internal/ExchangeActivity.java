package org.rawsockets.coap.internal;

import java.time.Clock;
import java.time.Instant;

import org.rawsockets.coap.CoapTimeoutException;
import org.rawsockets.socket.admin.DeviceStatus;

/**
 * The outcome of one device client's last request, for operator tools (the web console's Devices
 * page): {@code UNKNOWN} before the first, {@code REACHABLE} with the response code and how long after
 * sending the (last block of the) response came, {@code TIMEOUT}, or {@code FAILED} (rejected, not
 * sent, bad response, socket refused), with the last failure's message. Observations are not counted.
 */
final class ExchangeActivity {

    private final Clock clock;
    // guarded by this
    private String state = "UNKNOWN";
    private String lastError;
    private Instant lastChange;

    ExchangeActivity(Clock clock) {
        this.clock = clock;
    }

    synchronized void answered(String code, long millis) {
        state = "REACHABLE (" + code + " in " + millis + " ms)";
        lastChange = clock.instant();
    }

    synchronized void failed(Throwable failure) {
        state = failure instanceof CoapTimeoutException ? "TIMEOUT" : "FAILED";
        lastError = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        lastChange = clock.instant();
    }

    synchronized DeviceStatus status(String name, String endpoint) {
        return new DeviceStatus(name, "coap", endpoint, state, lastError, lastChange);
    }
}
