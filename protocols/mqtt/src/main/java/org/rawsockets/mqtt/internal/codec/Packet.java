package org.rawsockets.mqtt.internal.codec;

import java.util.List;
import java.util.Objects;

/**
 * The MQTT control packets (specification chapter 3) as values. One type for both versions: MQTT
 * 3.1.1 packets carry no properties (empty) and only the reason codes 3.1.1 knows. Byte arrays are
 * owned by the packet.
 */
public sealed interface Packet {

    /** Packet types (fixed header bits 7-4). */
    int CONNECT = 1, CONNACK = 2, PUBLISH = 3, PUBACK = 4, PUBREC = 5, PUBREL = 6, PUBCOMP = 7, SUBSCRIBE = 8,
            SUBACK = 9, UNSUBSCRIBE = 10, UNSUBACK = 11, PINGREQ = 12, PINGRESP = 13, DISCONNECT = 14, AUTH = 15;

    /** The packet type 1..15. */
    int type();

    /** The name of packet type {@code t}, e.g. {@code PUBLISH}. */
    static String typeName(int t) {
        return switch (t) {
            case CONNECT -> "CONNECT";
            case CONNACK -> "CONNACK";
            case PUBLISH -> "PUBLISH";
            case PUBACK -> "PUBACK";
            case PUBREC -> "PUBREC";
            case PUBREL -> "PUBREL";
            case PUBCOMP -> "PUBCOMP";
            case SUBSCRIBE -> "SUBSCRIBE";
            case SUBACK -> "SUBACK";
            case UNSUBSCRIBE -> "UNSUBSCRIBE";
            case UNSUBACK -> "UNSUBACK";
            case PINGREQ -> "PINGREQ";
            case PINGRESP -> "PINGRESP";
            case DISCONNECT -> "DISCONNECT";
            case AUTH -> "AUTH";
            default -> "reserved packet type " + t;
        };
    }

    /** A will message of CONNECT. */
    record Will(String topic, byte[] payload, int qos, boolean retain, Properties properties) {
        public Will {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(payload, "payload");
            properties = properties == null ? new Properties() : properties;
        }
    }

    /** CONNECT. {@code username}, {@code password} and {@code will} may be {@code null}. */
    record Connect(int protocolLevel, String clientId, boolean cleanStart, int keepAliveSeconds, String username,
            byte[] password, Will will, Properties properties) implements Packet {
        public Connect {
            Objects.requireNonNull(clientId, "clientId");
            properties = properties == null ? new Properties() : properties;
        }

        @Override
        public int type() {
            return CONNECT;
        }
    }

    /** CONNACK: {@code reasonCode} is the MQTT 5 reason code or the 3.1.1 return code. */
    record Connack(boolean sessionPresent, int reasonCode, Properties properties) implements Packet {
        public Connack {
            properties = properties == null ? new Properties() : properties;
        }

        @Override
        public int type() {
            return CONNACK;
        }
    }

    /** PUBLISH; {@code packetId} is 0 for QoS 0. */
    record Publish(boolean dup, int qos, boolean retain, String topic, int packetId, byte[] payload,
            Properties properties) implements Packet {
        public Publish {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(payload, "payload");
            properties = properties == null ? new Properties() : properties;
        }

        @Override
        public int type() {
            return PUBLISH;
        }

        public Publish withDup(boolean d) {
            return new Publish(d, qos, retain, topic, packetId, payload, properties);
        }
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP. */
    record Ack(int type, int packetId, int reasonCode, Properties properties) implements Packet {
        public Ack {
            if (type < PUBACK || type > PUBCOMP) {
                throw new IllegalArgumentException("not an acknowledgement type: " + type);
            }
            properties = properties == null ? new Properties() : properties;
        }

        public static Ack of(int type, int packetId) {
            return new Ack(type, packetId, 0, null);
        }
    }

    /**
     * One topic filter of SUBSCRIBE with its options byte (QoS bits 0-1, No Local bit 2, Retain As
     * Published bit 3, Retain Handling bits 4-5).
     */
    record Subscription(String filter, int options) {
        public Subscription {
            Objects.requireNonNull(filter, "filter");
        }

        public int qos() {
            return options & 3;
        }
    }

    record Subscribe(int packetId, List<Subscription> subscriptions, Properties properties) implements Packet {
        public Subscribe {
            subscriptions = List.copyOf(subscriptions);
            properties = properties == null ? new Properties() : properties;
        }

        @Override
        public int type() {
            return SUBSCRIBE;
        }
    }

    /** SUBACK: one reason code (3.1.1: return code) per filter, in order. */
    record Suback(int packetId, List<Integer> reasonCodes, Properties properties) implements Packet {
        public Suback {
            reasonCodes = List.copyOf(reasonCodes);
            properties = properties == null ? new Properties() : properties;
        }

        @Override
        public int type() {
            return SUBACK;
        }
    }

    record Unsubscribe(int packetId, List<String> filters, Properties properties) implements Packet {
        public Unsubscribe {
            filters = List.copyOf(filters);
            properties = properties == null ? new Properties() : properties;
        }

        @Override
        public int type() {
            return UNSUBSCRIBE;
        }
    }

    /** UNSUBACK: reason codes per filter (MQTT 5; empty with 3.1.1). */
    record Unsuback(int packetId, List<Integer> reasonCodes, Properties properties) implements Packet {
        public Unsuback {
            reasonCodes = List.copyOf(reasonCodes);
            properties = properties == null ? new Properties() : properties;
        }

        @Override
        public int type() {
            return UNSUBACK;
        }
    }

    /** PINGREQ or PINGRESP. */
    record Ping(int type) implements Packet {
        public static final Ping REQ = new Ping(PINGREQ);
        public static final Ping RESP = new Ping(PINGRESP);
    }

    record Disconnect(int reasonCode, Properties properties) implements Packet {
        public Disconnect {
            properties = properties == null ? new Properties() : properties;
        }

        @Override
        public int type() {
            return DISCONNECT;
        }
    }

    /** AUTH (MQTT 5 only). */
    record Auth(int reasonCode, Properties properties) implements Packet {
        public Auth {
            properties = properties == null ? new Properties() : properties;
        }

        @Override
        public int type() {
            return AUTH;
        }
    }
}
