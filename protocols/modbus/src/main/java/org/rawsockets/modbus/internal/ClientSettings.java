package org.rawsockets.modbus.internal;

import java.time.Duration;
import java.util.Objects;

import org.rawsockets.modbus.ModbusTransport;

/**
 * Validated settings of one device client.
 *
 * @param name device name
 * @param host host name or IP; empty when {@code endpoint} is used
 * @param endpoint socket endpoint name configured by the operator; empty when {@code host} is used
 * @param port 1..65535 (ignored with an endpoint)
 * @param transport framing
 * @param unitId default unit id
 * @param timeout per-request timeout (queue wait + round trip)
 * @param connectTimeout TCP connect timeout
 * @param maxInFlight requests sent and not answered, at most (1 for RTU)
 * @param maxQueued requests waiting for a slot, at most
 * @param reconnectMin first back-off delay after a failed connect
 * @param reconnectMax largest back-off delay
 * @param reconnectAfterTimeouts requests in a row without an answer after which a TCP connection is
 *        closed and opened again; 0: never
 * @param connectOnStart connect as soon as the client exists (and keep reconnecting), so its state is
 *        watched from the start; {@code false}: the first request opens the connection
 */
public record ClientSettings(String name, String host, String endpoint, int port, ModbusTransport transport,
        int unitId, Duration timeout, Duration connectTimeout, int maxInFlight, int maxQueued, Duration reconnectMin,
        Duration reconnectMax, int reconnectAfterTimeouts, boolean connectOnStart) {

    public ClientSettings {
        Objects.requireNonNull(name, "name");
        host = host == null ? "" : host.strip();
        endpoint = endpoint == null ? "" : endpoint.strip();
        Objects.requireNonNull(transport, "transport");
        if (name.isBlank()) {
            throw new IllegalArgumentException("modbus device name must not be blank");
        }
        if (host.isEmpty() == endpoint.isEmpty()) {
            throw new IllegalArgumentException("modbus device '" + name
                    + "': set exactly one of host (with port) or endpoint (a socket endpoint name)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("modbus device '" + name + "': port must be 1..65535, was " + port);
        }
        int minUnit = transport == ModbusTransport.RTU_OVER_TCP ? 1 : 0;
        int maxUnit = transport == ModbusTransport.RTU_OVER_TCP ? 247 : 255;
        if (unitId < minUnit || unitId > maxUnit) {
            throw new IllegalArgumentException("modbus device '" + name + "': unitId must be " + minUnit + ".."
                    + maxUnit + " for " + transport + ", was " + unitId);
        }
        positive(name, "timeout", timeout);
        positive(name, "connectTimeout", connectTimeout);
        positive(name, "reconnectMin", reconnectMin);
        positive(name, "reconnectMax", reconnectMax);
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("modbus device '" + name + "': reconnectMax (" + reconnectMax
                    + ") must be at least reconnectMin (" + reconnectMin + ")");
        }
        if (maxInFlight < 1 || maxInFlight > 65535) {
            throw new IllegalArgumentException("modbus device '" + name + "': maxInFlight must be 1..65535, was "
                    + maxInFlight);
        }
        if (transport == ModbusTransport.RTU_OVER_TCP) {
            maxInFlight = 1; // RTU has no transaction id: strictly one request at a time
        }
        if (maxQueued < 0 || maxQueued > 1_000_000) {
            throw new IllegalArgumentException("modbus device '" + name + "': maxQueued must be 0..1000000, was "
                    + maxQueued);
        }
        if (reconnectAfterTimeouts < 0 || reconnectAfterTimeouts > 65535) {
            throw new IllegalArgumentException("modbus device '" + name + "': reconnectAfterTimeouts must be 0..65535,"
                    + " was " + reconnectAfterTimeouts);
        }
    }

    private static void positive(String name, String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("modbus device '" + name + "': " + what + " must be > 0, was " + d);
        }
    }

    /**
     * Defaults for a TCP device at host:port (timeout 2 s, 16 in flight, back-off 250 ms..30 s,
     * reconnect after 3 timeouts in a row, connect at once).
     */
    public static ClientSettings tcp(String name, String host, int port) {
        return new ClientSettings(name, host, "", port, ModbusTransport.TCP, 1, Duration.ofSeconds(2),
                Duration.ofSeconds(5), 16, 4096, Duration.ofMillis(250), Duration.ofSeconds(30), 3, true);
    }

    public ClientSettings withTransport(ModbusTransport t) {
        return new ClientSettings(name, host, endpoint, port, t, unitId, timeout, connectTimeout, maxInFlight,
                maxQueued, reconnectMin, reconnectMax, reconnectAfterTimeouts, connectOnStart);
    }

    public ClientSettings withTimeout(Duration t) {
        return new ClientSettings(name, host, endpoint, port, transport, unitId, t, connectTimeout, maxInFlight,
                maxQueued, reconnectMin, reconnectMax, reconnectAfterTimeouts, connectOnStart);
    }

    public ClientSettings withMaxInFlight(int n) {
        return new ClientSettings(name, host, endpoint, port, transport, unitId, timeout, connectTimeout, n,
                maxQueued, reconnectMin, reconnectMax, reconnectAfterTimeouts, connectOnStart);
    }

    public ClientSettings withMaxQueued(int n) {
        return new ClientSettings(name, host, endpoint, port, transport, unitId, timeout, connectTimeout,
                maxInFlight, n, reconnectMin, reconnectMax, reconnectAfterTimeouts, connectOnStart);
    }

    public ClientSettings withReconnect(Duration min, Duration max) {
        return new ClientSettings(name, host, endpoint, port, transport, unitId, timeout, connectTimeout,
                maxInFlight, maxQueued, min, max, reconnectAfterTimeouts, connectOnStart);
    }

    public ClientSettings withReconnectAfterTimeouts(int n) {
        return new ClientSettings(name, host, endpoint, port, transport, unitId, timeout, connectTimeout,
                maxInFlight, maxQueued, reconnectMin, reconnectMax, n, connectOnStart);
    }

    public ClientSettings withConnectOnStart(boolean connect) {
        return new ClientSettings(name, host, endpoint, port, transport, unitId, timeout, connectTimeout,
                maxInFlight, maxQueued, reconnectMin, reconnectMax, reconnectAfterTimeouts, connect);
    }

    public ClientSettings withUnitId(int unit) {
        return new ClientSettings(name, host, endpoint, port, transport, unit, timeout, connectTimeout,
                maxInFlight, maxQueued, reconnectMin, reconnectMax, reconnectAfterTimeouts, connectOnStart);
    }

    /** {@code tcp 127.0.0.1:502}, {@code rtu-over-tcp gw:4001}, {@code udp endpoint plc1}. */
    public String target() {
        String t = switch (transport) {
            case TCP -> "tcp";
            case RTU_OVER_TCP -> "rtu-over-tcp";
            case UDP -> "udp";
        };
        return t + " " + (endpoint.isEmpty() ? (host.contains(":") ? "[" + host + "]" : host) + ":" + port
                : "endpoint " + endpoint);
    }
}
