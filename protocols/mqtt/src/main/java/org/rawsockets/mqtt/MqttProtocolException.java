package org.rawsockets.mqtt;

/**
 * Bytes that break the MQTT protocol: a malformed packet (remaining length overflow, bad UTF-8, a
 * property repeated or not allowed in the packet, packet id 0 where forbidden, ...), or a packet
 * larger than the maximum packet size. {@link #reasonCode()} is the MQTT 5 reason code the
 * receiver reports for it ({@code 0x81} malformed packet, {@code 0x82} protocol error, {@code 0x95}
 * packet too large). On a connection the client disconnects, because framing can no longer be
 * trusted.
 */
public class MqttProtocolException extends MqttException {
    private static final long serialVersionUID = 1L;

    /** Malformed Packet. */
    public static final int MALFORMED = 0x81;
    /** Protocol Error. */
    public static final int PROTOCOL_ERROR = 0x82;
    /** Packet too large. */
    public static final int PACKET_TOO_LARGE = 0x95;
    /** Topic Name invalid. */
    public static final int TOPIC_NAME_INVALID = 0x90;

    private final int reasonCode;

    public MqttProtocolException(int reasonCode, String message) {
        super(message);
        this.reasonCode = reasonCode;
    }

    /** The MQTT 5 reason code for this failure. */
    public int reasonCode() {
        return reasonCode;
    }
}
