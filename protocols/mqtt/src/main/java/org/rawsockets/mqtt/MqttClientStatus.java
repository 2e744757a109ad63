package org.rawsockets.mqtt;

import java.time.Instant;

/**
 * A snapshot of one client.
 *
 * @param name configured name
 * @param target where it connects ({@code mqtt 127.0.0.1:1883}, {@code mqtts endpoint broker1})
 * @param version protocol version
 * @param clientId the client identifier in use (the broker's assigned one if it assigned one)
 * @param connected whether a session is established now
 * @param sessionPresent the last CONNACK's session present flag
 * @param connectedSince when the current connection was established, or {@code null}
 * @param inFlight outgoing QoS 1/2 messages sent and not completed
 * @param peakInFlight the most that were in flight at once
 * @param sendQuota the broker's Receive Maximum (how many may be in flight)
 * @param queued messages waiting to be sent (offline queue)
 * @param published messages completed (QoS 0 written, QoS 1 PUBACK, QoS 2 PUBCOMP)
 * @param received messages delivered to subscriptions
 * @param reconnects connections established after the first
 * @param subscriptions active subscriptions
 * @param lastError the last connection failure (what, where, why), or {@code null}
 */
public record MqttClientStatus(String name, String target, MqttVersion version, String clientId, boolean connected,
        boolean sessionPresent, Instant connectedSince, int inFlight, int peakInFlight, int sendQuota, int queued,
        long published, long received, int reconnects, int subscriptions, String lastError) {
}
