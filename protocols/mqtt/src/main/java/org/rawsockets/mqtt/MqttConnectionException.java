package org.rawsockets.mqtt;

/**
 * No connection to the broker for this operation: the client is closed, the connection was lost and
 * the client does not reconnect, or a connect attempt failed (the cause is the socket API's
 * {@link org.rawsockets.socket.RawSocketException} or an {@link MqttException}).
 */
public class MqttConnectionException extends MqttException {
    private static final long serialVersionUID = 1L;

    public MqttConnectionException(String message) {
        super(message);
    }

    public MqttConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
