package org.rawsockets.modbus;

import java.util.Optional;

/**
 * A snapshot of a client's connection and counters.
 *
 * @param name device name
 * @param target where it connects, e.g. {@code tcp://127.0.0.1:502} or {@code endpoint plc1}
 * @param transport the framing in use
 * @param state connection state
 * @param inFlight requests sent and not answered
 * @param queued requests waiting for a free slot or for the connection
 * @param completed requests answered (including exception responses)
 * @param failed requests that failed (timeouts, connection loss, protocol errors, exception responses)
 * @param timeouts requests that timed out
 * @param connects successful connections so far
 * @param unmatchedResponses responses dropped because no request waited for them (e.g. late after a timeout)
 * @param lastError the last connection or protocol error, {@code null} if none
 */
public record ModbusClientStatus(String name, String target, ModbusTransport transport, State state, int inFlight,
        int queued, long completed, long failed, long timeouts, long connects, long unmatchedResponses,
        String lastError) {

    /** Connection state. */
    public enum State {
        /** Not connected and no attempt running (nothing to do yet). */
        IDLE,
        CONNECTING,
        CONNECTED,
        /** The last connect failed; waiting before the next attempt. Requests fail at once. */
        BACKOFF,
        CLOSED
    }

    public Optional<String> error() {
        return Optional.ofNullable(lastError);
    }
}
