package org.rawsockets.mqtt;

/**
 * The broker answered with a failure reason code: a refused CONNECT (CONNACK), a refused PUBLISH
 * (PUBACK/PUBREC), a refused subscription (SUBACK), or a DISCONNECT the broker sent.
 * {@link #reasonCode()} is the code on the wire (MQTT 5 reason code, or the MQTT 3.1.1 CONNACK
 * return code / SUBACK 0x80); {@link #reasonName()} its name in the specification.
 */
public class MqttReasonException extends MqttException {
    private static final long serialVersionUID = 1L;

    private final int reasonCode;
    private final String packet;

    /**
     * @param packet the packet that carried the code (CONNACK, PUBACK, PUBREC, SUBACK, DISCONNECT...)
     * @param reasonCode the code
     * @param message what failed, where and why
     */
    public MqttReasonException(String packet, int reasonCode, String message) {
        super(message);
        this.packet = packet;
        this.reasonCode = reasonCode;
    }

    /** The reason code on the wire. */
    public int reasonCode() {
        return reasonCode;
    }

    /** The packet type that carried it, e.g. {@code DISCONNECT}. */
    public String packet() {
        return packet;
    }

    /** The specification's name of the code (MQTT 5 names; 3.1.1 CONNACK codes are mapped). */
    public String reasonName() {
        return ReasonCodes.name(reasonCode);
    }
}
