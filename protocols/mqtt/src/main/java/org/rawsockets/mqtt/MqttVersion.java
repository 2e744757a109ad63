package org.rawsockets.mqtt;

/** The protocol version spoken with the broker. */
public enum MqttVersion {
    /** MQTT 3.1.1 (protocol level 4). */
    V3_1_1(4),
    /** MQTT 5.0 (protocol level 5). */
    V5(5);

    private final int level;

    MqttVersion(int level) {
        this.level = level;
    }

    /** The protocol level byte of CONNECT. */
    public int level() {
        return level;
    }
}
