package org.rawsockets.mqtt;

/** Quality of service of a PUBLISH. */
public enum Qos {
    /** 0: at most once, fire and forget. */
    AT_MOST_ONCE,
    /** 1: at least once (PUBACK). */
    AT_LEAST_ONCE,
    /** 2: exactly once (PUBREC, PUBREL, PUBCOMP). */
    EXACTLY_ONCE;

    /** The wire value 0..2. */
    public int value() {
        return ordinal();
    }

    /** @throws IllegalArgumentException when {@code v} is not 0, 1 or 2 */
    public static Qos of(int v) {
        if (v < 0 || v > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, was " + v);
        }
        return values()[v];
    }
}
