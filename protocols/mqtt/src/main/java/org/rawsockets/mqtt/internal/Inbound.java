package org.rawsockets.mqtt.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.mqtt.MqttReasonException;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.ReasonCodes;
import org.rawsockets.mqtt.SubscriptionOptions;
import org.rawsockets.mqtt.internal.MqttClientImpl.AckHandler;
import org.rawsockets.mqtt.internal.codec.Packet;
import org.rawsockets.mqtt.internal.codec.Packet.Ack;
import org.rawsockets.mqtt.internal.codec.Packet.Publish;
import org.rawsockets.mqtt.internal.codec.Packet.Suback;
import org.rawsockets.mqtt.internal.codec.Packet.Subscribe;
import org.rawsockets.mqtt.internal.codec.Packet.Subscription;
import org.rawsockets.mqtt.internal.codec.Packet.Unsubscribe;
import org.rawsockets.mqtt.internal.codec.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving half of the client's session: subscriptions (by filter and by subscription
 * identifier), delivery of PUBLISH into their bounded buffers with the acknowledgement sent once every
 * matching subscription took the message, the one message parked while a buffer is full (the
 * connection is not read meanwhile), and the incoming QoS 2 state (ids awaiting PUBREL, ids completed
 * on the last lost connection). Guarded by the client's lock.
 */
final class Inbound {

    private static final Logger LOG = LoggerFactory.getLogger(Inbound.class);

    private final MqttClientImpl client;
    private final Set<Integer> qos2Received = new HashSet<>();
    /** Incoming QoS 2 ids completed (PUBCOMP sent) on the current connection. */
    private final BitSet qos2CompletedHere = new BitSet(65536);
    /** Those of the last lost connection: a DUP PUBLISH with such an id is a re-send of a delivered message. */
    private final BitSet qos2CompletedOnLost = new BitSet(65536);
    private final Map<String, SubscriptionImpl> subscriptions = new LinkedHashMap<>();
    private final Map<Integer, SubscriptionImpl> subscriptionsById = new HashMap<>();
    private int nextSubscriptionId = 1;
    private Parked parked;

    /** A received PUBLISH some subscriptions could not take yet (their buffers were full). */
    private record Parked(Connection conn, Publish publish, MqttMessage message, List<SubscriptionImpl> waiting) {
    }

    Inbound(MqttClientImpl client) {
        this.client = client;
    }

    int size() {
        return subscriptions.size();
    }

    boolean isParked() {
        return parked != null;
    }

    boolean has(String filter) {
        return subscriptions.containsKey(filter);
    }

    /** PUBREL: the QoS 2 exchange ends with PUBCOMP. */
    void pubrel(Connection c, int id) {
        qos2Received.remove(id);
        qos2CompletedHere.set(id);
        c.send(Ack.of(Packet.PUBCOMP, id));
    }

    /** The connection {@code c} ended. */
    void connectionLost(Connection c) {
        if (c.established) { // failed connect attempts in between keep the ids of the last session's connection
            qos2CompletedOnLost.clear();
            qos2CompletedOnLost.or(qos2CompletedHere);
            qos2CompletedHere.clear();
        }
        if (parked != null && parked.conn == c) {
            parked = null;
        }
    }

    /** A new session without state: QoS 2 state discarded, subscriptions made again. */
    void sessionLost(Connection c) {
        qos2Received.clear();
        qos2CompletedOnLost.clear();
        for (SubscriptionImpl s : subscriptions.values()) {
            resubscribe(c, s);
        }
    }

    /** The client closes: every stream ends after its buffered messages. */
    void endAll() {
        for (SubscriptionImpl s : subscriptions.values()) {
            client.deferred.add(s.end());
        }
        subscriptions.clear();
        subscriptionsById.clear();
    }

    boolean deliver(Connection c, Publish p) {
        String topic = p.topic();
        if (client.settings.v5() && p.properties().has(Properties.TOPIC_ALIAS)) {
            int alias = p.properties().intValue(Properties.TOPIC_ALIAS, 0);
            if (alias > client.settings.topicAliasMaximum) {
                MqttProtocolException e = new MqttProtocolException(0x94, client.where() + " used topic alias " + alias
                        + " above the maximum " + client.settings.topicAliasMaximum + " this client announced");
                c.sendDisconnect(0x94);
                client.lostLocked(c, e);
                return false;
            }
            if (topic.isEmpty()) {
                topic = c.aliases.get(alias);
                if (topic == null) {
                    return client.protocolError(c, "PUBLISH with unknown topic alias " + alias);
                }
            } else {
                c.aliases.put(alias, topic);
            }
        }
        if (p.qos() == 2) {
            int id = p.packetId();
            if (qos2Received.contains(id) || (p.dup() && qos2CompletedOnLost.get(id))) {
                // A re-sent QoS 2 message, delivered already. The second case: we sent PUBCOMP on the lost
                // connection, the broker did not get it and re-sends the PUBLISH (DUP) instead of the PUBREL
                // (Mosquitto 2.0.11 after a restart with persistence does this).
                qos2CompletedOnLost.clear(id);
                qos2Received.add(id);
                c.send(Ack.of(Packet.PUBREC, id));
                return true;
            }
            qos2CompletedOnLost.clear(id); // a new message (DUP 0) with this id: the old exchange is over
        }
        MqttMessage m = new MqttMessage(topic, p.payload(), Qos.of(p.qos()), p.retain(),
                PublishProps.fromProperties(p.properties()));
        List<SubscriptionImpl> targets = new ArrayList<>(1);
        if (!p.properties().subscriptionIds().isEmpty()) {
            for (int id : p.properties().subscriptionIds()) {
                SubscriptionImpl s = subscriptionsById.get(id);
                if (s != null) {
                    targets.add(s);
                }
            }
        } else {
            for (SubscriptionImpl s : subscriptions.values()) {
                if (Topics.matches(s.matchFilter, topic)) {
                    targets.add(s);
                }
            }
        }
        Parked park = new Parked(c, p, m, targets);
        if (offer(park)) {
            return true;
        }
        parked = park;
        return false;
    }

    /** Offers a parked message to the subscriptions still waiting; acknowledges it once all took it. */
    private boolean offer(Parked park) {
        var it = park.waiting().iterator();
        while (it.hasNext()) {
            Runnable r = it.next().offer(park.message());
            if (r == null) {
                return false;
            }
            client.deferred.add(r);
            it.remove();
        }
        client.received++;
        Publish p = park.publish();
        if (p.qos() == 1) {
            park.conn().send(Ack.of(Packet.PUBACK, p.packetId()));
        } else if (p.qos() == 2) {
            qos2Received.add(p.packetId());
            park.conn().send(Ack.of(Packet.PUBREC, p.packetId()));
        }
        return true;
    }

    /**
     * A subscription's full buffer has room again: delivers the parked message (under the lock).
     *
     * @return the connection to read on, or {@code null}
     */
    Connection resume() {
        // offer() acknowledges; a write failing at once loses the connection, which clears parked
        Parked p = parked;
        if (p != null && client.conn == p.conn() && offer(p)) {
            if (parked == p) {
                parked = null;
            }
            return client.conn == p.conn() ? p.conn() : null;
        }
        return null;
    }

    /** Sends SUBSCRIBE; the subscription is registered when SUBACK arrives (under the lock). */
    CompletionStage<MqttSubscription> subscribe(String filter, SubscriptionOptions options, int bufferSize) {
        CompletableFuture<MqttSubscription> result = new CompletableFuture<>();
        {
            Connection c = client.conn;
            if (client.closed || c == null || !c.established) {
                return CompletableFuture.failedFuture(new MqttConnectionException(client.where() + ": not connected"
                        + (client.lastError == null ? "" : " (" + client.lastError + ")") + "; subscribe to '" + filter
                        + "' refused"));
            }
            if (subscriptions.containsKey(filter)) {
                throw new IllegalStateException("'" + filter + "' is already subscribed by this client");
            }
            int subId = client.settings.v5() && c.subscriptionIdsAvailable ? nextSubscriptionId++ : 0;
            SubscriptionImpl s = new SubscriptionImpl(client, client.timer, filter, subId, options.toByte(client.settings.v5()),
                    bufferSize);
            int id = client.outbound.nextPacketId();
            client.acks.put(id, new AckHandler() {
                @Override
                public void acked(Packet p) {
                    int code = ((Suback) p).reasonCodes().get(0);
                    if (code >= 0x80) {
                        String reason = ((Suback) p).properties().string(Properties.REASON_STRING);
                        client.deferred.add(() -> result.completeExceptionally(new MqttReasonException("SUBACK", code,
                                client.where() + " refused the subscription to '" + filter + "': "
                                        + (client.settings.v5() ? ReasonCodes.name(code) : "Failure")
                                        + (reason == null ? "" : " (" + reason + ")"))));
                        return;
                    }
                    s.granted(Qos.of(code));
                    subscriptions.put(filter, s);
                    if (subId != 0) {
                        subscriptionsById.put(subId, s);
                    }
                    client.deferred.add(() -> result.complete(s));
                }

                @Override
                public void failed(Throwable e) {
                    client.deferred.add(() -> result.completeExceptionally(e));
                }
            });
            c.send(subscribePacket(id, s));
        }
        return result;
    }

    private Subscribe subscribePacket(int id, SubscriptionImpl s) {
        Properties props = new Properties();
        if (s.subscriptionId != 0) {
            props.put(Properties.SUBSCRIPTION_ID, s.subscriptionId);
        }
        return new Subscribe(id, List.of(new Subscription(s.filter, s.options)), props);
    }

    /** Subscribes again after the broker lost the session (under the lock). */
    void resubscribe(Connection c, SubscriptionImpl s) {
        int id = client.outbound.nextPacketId();
        client.acks.put(id, new AckHandler() {
            @Override
            public void acked(Packet p) {
                int code = ((Suback) p).reasonCodes().get(0);
                if (code >= 0x80) {
                    LOG.error("{}: re-subscribing '{}' after a lost session was refused: {}", client.where(), s.filter,
                            ReasonCodes.name(code));
                }
            }

            @Override
            public void failed(Throwable e) {
                // the next session will try again
            }
        });
        c.send(subscribePacket(id, s));
    }

    /** Removes the subscription at once and sends UNSUBSCRIBE (under the lock). */
    CompletionStage<Void> unsubscribe(SubscriptionImpl s) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        {
            if (subscriptions.get(s.filter) != s) {
                return CompletableFuture.completedFuture(null);
            }
            subscriptions.remove(s.filter);
            subscriptionsById.remove(s.subscriptionId);
            client.deferred.add(s.end());
            Parked p = parked;
            if (p != null) {
                p.waiting().remove(s);
                Connection c = p.conn();
                if (client.conn == c && offer(p)) {
                    if (parked == p) {
                        parked = null;
                    }
                    if (client.conn == c) {
                        client.deferred.add(c::readLoop);
                    }
                }
            }
            Connection c = client.conn;
            if (c == null || !c.established) {
                client.deferred.add(() -> result.complete(null));
            } else {
                int id = client.outbound.nextPacketId();
                client.acks.put(id, new AckHandler() {
                    @Override
                    public void acked(Packet p) {
                        client.deferred.add(() -> result.complete(null));
                    }

                    @Override
                    public void failed(Throwable e) {
                        client.deferred.add(() -> result.complete(null)); // the subscription is gone locally anyway
                    }
                });
                c.send(new Unsubscribe(id, List.of(s.filter), null));
            }
        }
        return result;
    }
}
