package org.rawsockets.mqtt;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An MQTT client of one broker (registered as a service per configured broker, with the service
 * property {@code name}). Every method returns at once; the stages complete on the client's I/O
 * threads (keep continuations short, use the {@code ...Async} variants for blocking work).
 *
 * <p>The client keeps its session: it reconnects with backoff after a lost connection, resumes the
 * session (clean start off) and re-sends the QoS 1/2 messages in flight with DUP set, so nothing
 * acknowledged to the caller is lost and QoS 2 is not duplicated. While disconnected, publications
 * wait in a bounded offline queue; when it is full the configured policy applies (refuse the new
 * message or drop the oldest, each failing with {@link MqttLimitException}).
 */
@ProviderType
public interface MqttClient {

    /** The configured name (service property {@code name}). */
    String name();

    /**
     * Connects if not connected: completes when the broker accepted the session (CONNACK), fails
     * with {@link MqttReasonException} (the broker refused: bad credentials, not authorized...), the
     * socket API's exception (DNS, refused, TLS...) or {@link MqttConnectionException}.
     */
    CompletionStage<Void> connect();

    /**
     * Publishes: completes when QoS 0 is written, QoS 1 acknowledged (PUBACK), QoS 2 completed
     * (PUBCOMP). Fails with {@link MqttReasonException} when the broker refuses it,
     * {@link MqttLimitException} when a bound refuses it, {@link MqttConnectionException} when the
     * client is closed.
     */
    CompletionStage<Void> publish(MqttMessage message);

    /**
     * Publishes as {@link #publish(MqttMessage)}, and gives up after {@code timeout}: the stage then
     * fails with the socket API's {@link org.rawsockets.socket.TimedOutException}. A message still
     * waiting in the queue at that moment is removed and never sent; a QoS 1/2 message already sent
     * stays in the session (the broker may have it; it is re-sent after a reconnect as the protocol
     * requires) and the message says so.
     *
     * <p>Cancelling the stage returned by either method ({@code toCompletableFuture().cancel(..)},
     * or its {@code orTimeout(..)} firing) has the same effect on a message still in the queue: it is
     * removed and never sent. A QoS 1/2 message already sent stays in the session either way.
     *
     * @param timeout at least 1 ms
     * @since 1.1
     */
    CompletionStage<Void> publish(MqttMessage message, java.time.Duration timeout);

    /**
     * Subscribes to one topic filter; completes with the stream of its messages once the broker
     * granted it (SUBACK), or fails with {@link MqttReasonException} when it refused.
     *
     * @param filter topic filter, {@code +} and {@code #} wildcards, {@code $share/group/filter} for a
     *            shared subscription
     * @param options QoS and MQTT 5 options
     * @param bufferSize messages buffered for this subscription, 1..65535
     */
    CompletionStage<MqttSubscription> subscribe(String filter, SubscriptionOptions options, int bufferSize);

    /** A snapshot of the connection and counters. */
    MqttClientStatus status();

    /**
     * Re-authenticates the established connection with the configured enhanced authentication
     * (MQTT 5 AUTH, Re-authenticate): the password is read again, so a rotated secret takes effect
     * without reconnecting, and publications and subscriptions go on meanwhile. Completes when the
     * broker accepted (and, with SCRAM, proved it knows the password). While one is in progress, a
     * second call joins it.
     *
     * <p>Fails with {@link MqttConnectionException} when no enhanced authentication is configured or
     * the client is not connected (a connect authenticates anyway). When the broker refuses it
     * disconnects: the stage fails with {@link MqttReasonException} carrying its reason code (e.g.
     * 0x87 Not authorized). A broker that does not answer within the connect timeout (the socket
     * API's {@link org.rawsockets.socket.TimedOutException}) or fails the exchange loses the
     * connection; the client then reconnects as after any lost connection.
     *
     * @since 1.2
     */
    CompletionStage<Void> reauthenticate();

    /**
     * Disconnects normally (DISCONNECT reason 0, so the broker discards the will) and stops
     * reconnecting; pending publications fail with {@link MqttConnectionException}.
     */
    CompletionStage<Void> disconnect();
}
