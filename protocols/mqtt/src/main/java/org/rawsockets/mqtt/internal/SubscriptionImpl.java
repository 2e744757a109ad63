package org.rawsockets.mqtt.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TimedOutException;

/**
 * One subscription's bounded buffer. The client offers messages under its own lock (lock order:
 * client, then this); a read that frees a slot of a full buffer asks the client to resume reading
 * the connection, outside this lock.
 */
final class SubscriptionImpl implements MqttSubscription {

    final String filter;
    /** The filter to match topics with (without a {@code $share/group/} prefix). */
    final String matchFilter;
    final int subscriptionId;
    final int options;
    private final int capacity;
    private final MqttClientImpl client;
    private final ScheduledExecutorService timer;
    private final ArrayDeque<MqttMessage> buffer;
    private volatile Qos granted;
    private CompletableFuture<ReadResult<MqttMessage>> pending;
    private boolean ended;

    SubscriptionImpl(MqttClientImpl client, ScheduledExecutorService timer, String filter, int subscriptionId,
            int options, int capacity) {
        this.client = client;
        this.timer = timer;
        this.filter = filter;
        this.matchFilter = Topics.matchFilter(filter);
        this.subscriptionId = subscriptionId;
        this.options = options;
        this.capacity = capacity;
        this.buffer = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    void granted(Qos q) {
        granted = q;
    }

    /**
     * Offers a message.
     *
     * @return {@code null} when the buffer is full (nothing taken); otherwise a completion to run
     *         outside every lock (possibly a no-op)
     */
    synchronized Runnable offer(MqttMessage m) {
        if (ended) {
            return () -> { };
        }
        if (pending != null) {
            CompletableFuture<ReadResult<MqttMessage>> f = pending;
            pending = null;
            return () -> f.complete(ReadResult.of(m));
        }
        if (buffer.size() >= capacity) {
            return null;
        }
        buffer.add(m);
        return () -> { };
    }

    /** Ends the stream after what is buffered. */
    Runnable end() {
        synchronized (this) {
            ended = true;
            if (pending != null && buffer.isEmpty()) {
                CompletableFuture<ReadResult<MqttMessage>> f = pending;
                pending = null;
                return () -> f.complete(ReadResult.end());
            }
            return () -> { };
        }
    }

    @Override
    public String filter() {
        return filter;
    }

    @Override
    public Qos grantedQos() {
        return granted;
    }

    @Override
    public CompletionStage<ReadResult<MqttMessage>> read() {
        boolean wasFull;
        MqttMessage m;
        synchronized (this) {
            if (pending != null) {
                throw new IllegalStateException("a read of subscription '" + filter + "' is already pending");
            }
            wasFull = buffer.size() >= capacity;
            m = buffer.poll();
            if (m == null) {
                if (ended) {
                    return CompletableFuture.completedFuture(ReadResult.end());
                }
                pending = new CompletableFuture<>();
                return pending;
            }
        }
        if (wasFull) {
            client.resume();
        }
        return CompletableFuture.completedFuture(ReadResult.of(m));
    }

    @Override
    public CompletionStage<ReadResult<MqttMessage>> read(Duration timeout) {
        CompletableFuture<ReadResult<MqttMessage>> f = read().toCompletableFuture();
        if (!f.isDone()) {
            timer.schedule(() -> {
                boolean mine;
                synchronized (this) {
                    mine = pending == f;
                    if (mine) {
                        pending = null;
                    }
                }
                if (mine) {
                    f.completeExceptionally(new TimedOutException("no message for subscription '" + filter
                            + "' of MQTT client '" + client.name() + "' within " + timeout.toMillis() + " ms"));
                }
            }, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        }
        return f;
    }

    @Override
    public synchronized int buffered() {
        return buffer.size();
    }

    @Override
    public CompletionStage<Void> unsubscribe() {
        return client.unsubscribe(this);
    }

    @Override
    public void close() {
        unsubscribe();
    }
}
