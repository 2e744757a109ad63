package org.rawsockets.mqtt;

import java.io.IOException;

/**
 * An MQTT operation failed. The subclass says why: the bytes broke the protocol
 * ({@link MqttProtocolException}), the broker refused or ended the session with a reason code
 * ({@link MqttReasonException}), a local limit was reached ({@link MqttLimitException}) or there is
 * no connection ({@link MqttConnectionException}). Messages name the broker, the operation and the
 * cause.
 */
public class MqttException extends IOException {
    private static final long serialVersionUID = 1L;

    public MqttException(String message) {
        super(message);
    }

    public MqttException(String message, Throwable cause) {
        super(message, cause);
    }
}
