package org.rawsockets.bridge.internal;

import java.time.Duration;

import org.rawsockets.mqtt.Qos;

/**
 * One publication: read {@code count} values of {@code table} from {@code address} on {@code device}
 * every {@code interval}, publish them as JSON to {@code topic} on {@code broker}.
 */
public record BridgeSettings(String name, String device, String broker, String table, int unitId, int address,
        int count, Duration interval, String topic, Qos qos, boolean retain) {

    public BridgeSettings {
        if (!table.equals("holding") && !table.equals("input") && !table.equals("coils") && !table.equals("discrete")) {
            throw new IllegalArgumentException("table must be holding, input, coils or discrete, was '" + table + "'");
        }
        int max = table.equals("holding") || table.equals("input") ? 125 : 2000;
        if (count < 1 || count > max) {
            throw new IllegalArgumentException("count must be 1.." + max + " for " + table + ", was " + count);
        }
        if (address < 0 || address + count > 65536) {
            throw new IllegalArgumentException("address " + address + " + count " + count + " is beyond 65535");
        }
        if (unitId < -1 || unitId > 255) {
            throw new IllegalArgumentException("unitId must be -1 (the device's) or 0..255, was " + unitId);
        }
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException("interval must be at least 10 ms, was " + interval.toMillis());
        }
    }
}
