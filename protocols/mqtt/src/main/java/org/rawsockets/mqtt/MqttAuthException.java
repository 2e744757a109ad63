package org.rawsockets.mqtt;

/**
 * MQTT 5 enhanced authentication failed on the client's side: the broker did not prove itself (a
 * wrong SCRAM server signature, an exchange it did not finish), its data was refused by the method,
 * or the configured method is not available (no bundle provides it). The client closes the
 * connection (DISCONNECT 0x80). A broker that refuses the client answers with a reason code instead:
 * {@link MqttReasonException} (0x87 Not authorized, 0x8C Bad authentication method).
 *
 * <p>An {@link MqttAuthMethod} throws it with the reason alone ("the server's nonce does not extend
 * this client's nonce"); the client's exception then names the broker, the method and the step.
 *
 * @since 1.2
 */
public class MqttAuthException extends MqttConnectionException {
    private static final long serialVersionUID = 1L;

    public MqttAuthException(String message) {
        super(message);
    }

    public MqttAuthException(String message, Throwable cause) {
        super(message, cause);
    }
}
