package org.rawsockets.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * An application message, published or received.
 *
 * @param topic the topic name (no wildcards)
 * @param payload the payload; ownership passes with the message, do not modify it afterwards
 * @param qos quality of service
 * @param retain the retain flag (received: set when the broker sends a retained message, or the
 *        publisher's flag with retain-as-published)
 * @param properties MQTT 5 publish properties ({@link PublishProperties#NONE} for none; ignored
 *        with MQTT 3.1.1)
 */
public record MqttMessage(String topic, byte[] payload, Qos qos, boolean retain, PublishProperties properties) {

    public MqttMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(qos, "qos");
        properties = properties == null ? PublishProperties.NONE : properties;
    }

    /** A message without MQTT 5 properties, not retained. */
    public static MqttMessage of(String topic, byte[] payload, Qos qos) {
        return new MqttMessage(topic, payload, qos, false, PublishProperties.NONE);
    }

    /** A UTF-8 text message without MQTT 5 properties, not retained. */
    public static MqttMessage of(String topic, String payload, Qos qos) {
        return of(topic, payload.getBytes(StandardCharsets.UTF_8), qos);
    }

    /** This message with the retain flag set as given. */
    public MqttMessage withRetain(boolean r) {
        return new MqttMessage(topic, payload, qos, r, properties);
    }

    /** This message with the given properties. */
    public MqttMessage withProperties(PublishProperties p) {
        return new MqttMessage(topic, payload, qos, retain, p);
    }

    /** The payload decoded as UTF-8 (malformed bytes replaced). */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "MqttMessage[" + topic + ", " + payload.length + " bytes, QoS " + qos.value()
                + (retain ? ", retained" : "") + "]";
    }

    /**
     * The MQTT 5 properties of a PUBLISH that the application sees.
     *
     * @param payloadFormatUtf8 payload format indicator 1 (UTF-8 text)
     * @param messageExpirySeconds message expiry interval, or -1 for none
     * @param contentType content type, or {@code null}
     * @param responseTopic response topic, or {@code null}
     * @param correlationData correlation data, or {@code null}
     * @param userProperties user properties in order
     * @param subscriptionIdentifiers (received only) the identifiers of the matching subscriptions
     */
    public record PublishProperties(boolean payloadFormatUtf8, long messageExpirySeconds, String contentType,
            String responseTopic, byte[] correlationData, List<UserProperty> userProperties,
            List<Integer> subscriptionIdentifiers) {

        /** No properties. */
        public static final PublishProperties NONE = new PublishProperties(false, -1, null, null, null, List.of(),
                List.of());

        public PublishProperties {
            userProperties = List.copyOf(userProperties == null ? List.of() : userProperties);
            subscriptionIdentifiers = List.copyOf(subscriptionIdentifiers == null ? List.of()
                    : subscriptionIdentifiers);
            if (messageExpirySeconds < -1 || messageExpirySeconds > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("messageExpirySeconds must be -1 (none) or 0..4294967295, was "
                        + messageExpirySeconds);
            }
        }
    }
}
