package org.rawsockets.mqtt;

/**
 * A local or negotiated bound refused the operation: the offline queue is full (policy
 * {@code REJECT_NEW}), a message was dropped from it (policy {@code DROP_OLDEST}), a packet would
 * exceed the broker's maximum packet size, or the QoS / retain is above what the broker allows.
 * Nothing was sent for it.
 */
public class MqttLimitException extends MqttException {
    private static final long serialVersionUID = 1L;

    public MqttLimitException(String message) {
        super(message);
    }
}
