package org.rawsockets.socket.admin;

import java.time.Instant;
import java.util.Objects;

/**
 * One device or server a protocol bundle talks to.
 *
 * @param name the operator's name for it (e.g. the configured device name)
 * @param kind what it is, e.g. {@code modbus-tcp}, {@code smtp}
 * @param endpoint where it is, e.g. {@code 10.0.0.5:502} or {@code endpoint:plc1}
 * @param state e.g. {@code CONNECTED}, {@code CONNECTING}, {@code DISCONNECTED}, {@code FAILED}
 * @param lastError the last failure's message (no secrets), or {@code null}
 * @param lastChange when the state or error last changed, or {@code null}
 */
public record DeviceStatus(String name, String kind, String endpoint, String state, String lastError, Instant lastChange) {
    public DeviceStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(state, "state");
    }
}
