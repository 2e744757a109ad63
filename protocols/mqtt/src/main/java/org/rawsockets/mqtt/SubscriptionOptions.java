package org.rawsockets.mqtt;

import java.util.Objects;

/**
 * The options of one subscription (MQTT 5 subscription options; with 3.1.1 only the QoS is sent).
 *
 * @param qos the maximum QoS the broker delivers with
 * @param noLocal do not receive this client's own publications
 * @param retainAsPublished keep the publisher's retain flag on forwarded messages
 * @param retainHandling when the broker sends retained messages for this subscription
 */
public record SubscriptionOptions(Qos qos, boolean noLocal, boolean retainAsPublished, RetainHandling retainHandling) {

    /** When retained messages are sent at subscribe time. */
    public enum RetainHandling {
        /** 0: at every subscribe. */
        SEND,
        /** 1: only when the subscription did not exist yet. */
        SEND_IF_NEW,
        /** 2: never. */
        DO_NOT_SEND
    }

    public SubscriptionOptions {
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(retainHandling, "retainHandling");
    }

    /** QoS {@code qos}, the other options at their defaults (local messages, retained sent at subscribe). */
    public static SubscriptionOptions of(Qos qos) {
        return new SubscriptionOptions(qos, false, false, RetainHandling.SEND);
    }

    /** The options byte of SUBSCRIBE. */
    public int toByte(boolean v5) {
        if (!v5) {
            return qos.value();
        }
        return qos.value() | (noLocal ? 4 : 0) | (retainAsPublished ? 8 : 0) | retainHandling.ordinal() << 4;
    }
}
