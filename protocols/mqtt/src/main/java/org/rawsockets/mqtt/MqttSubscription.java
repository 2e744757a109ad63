package org.rawsockets.mqtt;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;
import org.rawsockets.socket.ReadResult;

/**
 * The messages of one subscription, as a bounded stream. The client holds at most
 * {@code bufferSize} messages for it; when the buffer is full the client stops reading the
 * connection, so the broker's unacknowledged QoS 1/2 messages reach this client's Receive Maximum and
 * TCP flow control stops the broker (a slow consumer never grows memory; it delays every
 * subscription of the connection). QoS 1 and 2 messages are acknowledged when they enter the buffer.
 *
 * <p>One read pending at a time, as for a socket's readable.
 */
@ProviderType
public interface MqttSubscription extends AutoCloseable {

    /** The topic filter as subscribed (with a {@code $share/group/} prefix for a shared subscription). */
    String filter();

    /** The QoS the broker granted. */
    Qos grantedQos();

    /**
     * The next message; {@link ReadResult#end()} once the subscription was closed (or the client
     * closed) and the buffered messages were read.
     */
    CompletionStage<ReadResult<MqttMessage>> read();

    /** {@link #read()} with a time limit: fails with {@link org.rawsockets.socket.TimedOutException} after it. */
    CompletionStage<ReadResult<MqttMessage>> read(Duration timeout);

    /** Messages buffered and not read yet. */
    int buffered();

    /** Unsubscribes (UNSUBSCRIBE) and ends the stream after the buffered messages. */
    CompletionStage<Void> unsubscribe();

    /** {@link #unsubscribe()} without waiting. */
    @Override
    void close();
}
