package org.rawsockets.mqtt.internal;

import org.rawsockets.mqtt.MqttMessage.PublishProperties;
import org.rawsockets.mqtt.internal.codec.Properties;

/** Converts between the API's publish properties and the codec's. */
final class PublishProps {
    private PublishProps() {
    }

    static Properties toProperties(PublishProperties p, boolean v5) {
        Properties out = new Properties();
        if (!v5 || p == PublishProperties.NONE) {
            return out;
        }
        if (p.payloadFormatUtf8()) {
            out.put(Properties.PAYLOAD_FORMAT, 1);
        }
        if (p.messageExpirySeconds() >= 0) {
            out.put(Properties.MESSAGE_EXPIRY, p.messageExpirySeconds());
        }
        if (p.contentType() != null) {
            out.put(Properties.CONTENT_TYPE, p.contentType());
        }
        if (p.responseTopic() != null) {
            out.put(Properties.RESPONSE_TOPIC, p.responseTopic());
        }
        if (p.correlationData() != null) {
            out.put(Properties.CORRELATION_DATA, p.correlationData());
        }
        p.userProperties().forEach(out::addUser);
        return out;
    }

    static PublishProperties fromProperties(Properties p) {
        if (p.isEmpty()) {
            return PublishProperties.NONE;
        }
        return new PublishProperties(p.intValue(Properties.PAYLOAD_FORMAT, 0) == 1,
                p.longValue(Properties.MESSAGE_EXPIRY, -1), p.string(Properties.CONTENT_TYPE),
                p.string(Properties.RESPONSE_TOPIC), p.binary(Properties.CORRELATION_DATA), p.user(),
                p.subscriptionIds());
    }
}
