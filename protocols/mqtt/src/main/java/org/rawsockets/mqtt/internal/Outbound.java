package org.rawsockets.mqtt.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttLimitException;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttReasonException;
import org.rawsockets.mqtt.Qos;
import org.rawsockets.mqtt.ReasonCodes;
import org.rawsockets.mqtt.internal.codec.Encoder;
import org.rawsockets.mqtt.internal.codec.Packet;
import org.rawsockets.mqtt.internal.codec.Packet.Ack;
import org.rawsockets.mqtt.internal.codec.Packet.Publish;
import org.rawsockets.mqtt.internal.codec.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending half of the client's session: the bounded queue of publications waiting for a
 * connection or a send slot (with its policy when full), the QoS 1/2 messages in flight by packet id
 * (at most the broker's Receive Maximum and {@code maxInFlight}), their acknowledgements (PUBACK,
 * PUBREC then PUBREL, PUBCOMP) and what happens to them when a session is resumed (re-sent with DUP,
 * PUBREL after a PUBREC) or lost (sent anew). Guarded by the client's lock; what it sends is written
 * after the lock by the client's {@link Outbox}, in the order decided here.
 */
final class Outbound {

    private static final Logger LOG = LoggerFactory.getLogger(Outbound.class);
    /** Writes not yet accepted by the socket after which publications wait in the queue. */
    static final int MAX_UNACCEPTED_WRITES = 64;

    private final MqttClientImpl client;
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private final LinkedHashMap<Integer, Outgoing> inflight = new LinkedHashMap<>();
    private boolean pumping;
    /** The file-backed queue, or {@code null} (memory only). */
    FileQueueStore store;
    private int nextPacketId = 1;
    int peakInFlight;
    long published;

    /** A publication waiting or in flight. */
    static final class Outgoing {
        final MqttMessage message;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        Publish packet;
        boolean pubrecReceived;
        /** Its file in the file-backed queue, or -1. */
        long storeSeq = -1;

        Outgoing(MqttMessage message) {
            this.message = message;
        }
    }

    Outbound(MqttClientImpl client) {
        this.client = client;
    }

    int inFlight() {
        return inflight.size();
    }

    int queued() {
        return queue.size();
    }

    /** For tests: the ids in flight. */
    java.util.Set<Integer> inflightIds() {
        return new java.util.HashSet<>(inflight.keySet());
    }

    /**
     * Queues a publication and sends what the window allows (under the lock).
     *
     * @return {@code null} when queued, else the failed stage to return
     */
    CompletionStage<Void> enqueue(Outgoing o) {
        MqttMessage message = o.message;
        if (client.conn == null && !client.settings.reconnect) {
            return CompletableFuture.failedFuture(new MqttConnectionException(client.where() + ": not connected and"
                    + " the client does not reconnect" + (client.lastError == null ? "" : " (" + client.lastError + ")")
                    + "; publish to '" + message.topic() + "' refused"));
        }
        Connection c = client.conn != null && client.conn.established ? client.conn : null;
        if (c != null && message.qos().value() > c.maximumQos) {
            return CompletableFuture.failedFuture(new MqttLimitException(client.where() + " allows QoS up to "
                    + c.maximumQos + "; publish to '" + message.topic() + "' with QoS " + message.qos().value()
                    + " refused"));
        }
        if (c != null && message.retain() && !c.retainAvailable) {
            return CompletableFuture.failedFuture(new MqttLimitException(client.where()
                    + " does not support retained messages; publish to '" + message.topic() + "' refused"));
        }
        if (queue.size() >= client.settings.maxQueued) {
            MqttLimitException full = new MqttLimitException(client.where() + ": the queue of " + client.settings.maxQueued
                    + " messages waiting for " + (c == null ? "a connection" : "a send slot") + " is full");
            if (client.settings.queuePolicy == MqttSettings.QueuePolicy.REJECT_NEW || queue.isEmpty()) {
                return CompletableFuture.failedFuture(full);
            }
            fail(queue.poll(), new MqttLimitException(full.getMessage() + "; the oldest message was dropped"
                    + " (policy DROP_OLDEST)"));
        }
        if (store != null) {
            CompletionStage<Void> refused = store(o, c);
            if (refused != null) {
                return refused;
            }
        }
        queue.add(o);
        pump();
        return null;
    }

    /** Writes a publication to the file-backed queue, within its bytes (under the lock); {@code null} when stored. */
    private CompletionStage<Void> store(Outgoing o, Connection c) {
        byte[] encoded;
        try {
            encoded = FileQueueStore.encode(o.message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new MqttLimitException(client.where() + ": publish to '"
                    + o.message.topic() + "' cannot be stored in the offline queue: " + e.getMessage()));
        }
        while (!store.fits(encoded.length)) {
            MqttLimitException full = new MqttLimitException(client.where() + ": the offline queue in " + store.dir()
                    + " holds " + store.bytes() + " of its " + store.maxBytes() + " bytes (maxQueuedBytes); a message"
                    + " of " + encoded.length + " bytes waiting for " + (c == null ? "a connection" : "a send slot")
                    + " does not fit");
            if (client.settings.queuePolicy == MqttSettings.QueuePolicy.REJECT_NEW || queue.isEmpty()) {
                return CompletableFuture.failedFuture(full);
            }
            fail(queue.poll(), new MqttLimitException(full.getMessage() + "; the oldest message was dropped"
                    + " (policy DROP_OLDEST)"));
        }
        try {
            o.storeSeq = store.add(encoded);
        } catch (java.io.IOException e) {
            return CompletableFuture.failedFuture(new org.rawsockets.mqtt.MqttException(client.where()
                    + ": the offline queue directory " + store.dir() + " cannot be written (" + e
                    + "); publish to '" + o.message.topic() + "' refused", e));
        }
        return null;
    }

    /** Queues the publications read back from the file-backed queue at start, oldest first (under the lock). */
    void restore(FileQueueStore s, java.util.List<FileQueueStore.Stored> stored) {
        store = s;
        for (FileQueueStore.Stored st : stored) {
            Outgoing o = new Outgoing(st.message());
            o.storeSeq = st.seq();
            queue.add(o);
        }
    }

    /**
     * Opens the file-backed queue when one is configured and queues what it holds (at start).
     *
     * @throws IllegalStateException when the directory cannot be used
     */
    void openStore() {
        MqttSettings settings = client.settings;
        if (settings.queueDirectory == null) {
            return;
        }
        FileQueueStore s = new FileQueueStore(settings.queueDirectory, settings.maxQueuedBytes, settings.queueFsync);
        List<FileQueueStore.Stored> stored;
        try {
            stored = s.load();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("MQTT broker '" + settings.name + "': the offline queue directory "
                    + settings.queueDirectory + " cannot be used (" + e + "); check that it is a directory the"
                    + " gateway may write", e);
        }
        synchronized (client) {
            restore(s, stored);
        }
        if (!stored.isEmpty()) {
            LOG.info("{}: {} publication(s) of the offline queue in {} read back", client.where(), stored.size(),
                    settings.queueDirectory);
        }
    }

    /**
     * A publication's deadline passed: removes it when still queued (under the lock).
     *
     * @return the failure to complete its stage with, or {@code null} when it is done already
     */
    org.rawsockets.socket.TimedOutException timedOut(Outgoing o, long millis) {
        if (o.done.isDone()) {
            return null;
        }
        String state;
        if (remove(o)) {
            Connection c = client.conn;
            state = "not sent within " + millis + " ms (waiting for " + (c != null && c.established
                    ? "a send slot" : "a connection") + "); removed from the queue, it will not be sent";
        } else if (o.message.qos() == Qos.AT_MOST_ONCE) {
            state = "handed to the socket but not written within " + millis + " ms";
        } else {
            state = "sent but not acknowledged within " + millis + " ms; it stays in the session (QoS "
                    + o.message.qos().value() + "): re-sent after a reconnect while the broker keeps the session";
        }
        return new org.rawsockets.socket.TimedOutException(client.where() + ": publish to '" + o.message.topic()
                + "' " + state);
    }

    /** Deletes a publication's file once it is done or given up (under the lock). */
    private void release(Outgoing o) {
        if (o.storeSeq >= 0 && store != null) {
            store.remove(o.storeSeq);
            o.storeSeq = -1;
        }
    }

    /**
     * Removes a publication from the queue (its stage was completed by the caller or timed out)
     * (under the lock).
     *
     * @return whether it was queued
     */
    boolean remove(Outgoing o) {
        if (queue.removeFirstOccurrence(o)) {
            release(o);
            return true;
        }
        return false;
    }

    /** A session was established: resume what is in flight, or queue it anew (under the lock). */
    void sessionStarted(Connection c, boolean sessionPresent) {
        if (sessionPresent) {
            // Resume: re-send what is in flight, in order, with DUP (PUBREL after a PUBREC).
            // (a snapshot: a write that completes at once may run pump(), which adds to inflight)
            for (Outgoing o : new ArrayList<>(inflight.values())) {
                if (o.pubrecReceived) {
                    c.send(Ack.of(Packet.PUBREL, o.packet.packetId()));
                } else {
                    // with its topic name: the alias belonged to the lost connection
                    Publish p = o.packet;
                    o.packet = new Publish(true, p.qos(), p.retain(), o.message.topic(), p.packetId(), p.payload(),
                            p.properties().has(Properties.TOPIC_ALIAS) ? p.properties().without(Properties.TOPIC_ALIAS)
                                    : p.properties());
                    c.send(o.packet);
                }
            }
        } else {
            // The broker has no session: what it acknowledged with PUBREC it owns; the rest is sent anew.
            List<Outgoing> again = new ArrayList<>();
            for (Outgoing o : inflight.values()) {
                if (o.pubrecReceived) {
                    complete(o, null);
                } else {
                    again.add(o);
                }
            }
            inflight.clear();
            for (int i = again.size() - 1; i >= 0; i--) {
                again.get(i).packet = null;
                queue.addFirst(again.get(i));
            }
        }
        pump();
    }

    /**
     * Decides which queued publications go out while the window and the socket allow: packet id,
     * in-flight map, topic alias, checks; the packets are queued in the client's {@link Outbox} in
     * that order and written after the lock (under the lock).
     */
    void pump() {
        Connection c = client.conn;
        if (c == null || !c.established || pumping) {
            return;
        }
        pumping = true;
        try {
            int window = Math.min(c.sendQuota, client.settings.maxInFlight);
            while (!queue.isEmpty() && c.unacceptedWrites < MAX_UNACCEPTED_WRITES && client.conn == c) {
                Outgoing o = queue.peek();
                int qos = o.message.qos().value();
                if (qos > 0 && inflight.size() >= window) {
                    break;
                }
                queue.poll();
                if (o.done.isDone()) {
                    release(o);
                    continue; // cancelled by the caller; abandoned() will find it gone
                }
                int id = qos == 0 ? 0 : nextPacketId();
                Publish p = new Publish(false, qos, o.message.retain(), o.message.topic(), id, o.message.payload(),
                        PublishProps.toProperties(o.message.properties(), client.settings.v5()));
                // The connection's topic alias, if any (a re-send after a reconnect drops it again: the alias
                // belonged to the lost connection).
                int alias = c.aliasesOut.lookup(p.topic());
                Publish onWire = alias == 0 ? p : new Publish(false, qos, p.retain(), alias > 0 ? "" : p.topic(), id,
                        p.payload(), p.properties().put(Properties.TOPIC_ALIAS, Math.abs(alias)));
                // Checked and its header encoded here (a refusal must not leave an alias or an id behind); the
                // buffer with the payload is built and written by the outbox after the lock, in this order.
                Encoder.Prepared wire;
                try {
                    wire = Encoder.prepare(onWire, client.settings.v5(), c.maximumPacketSize);
                } catch (MqttLimitException | IllegalArgumentException e) {
                    if (alias < 0) {
                        c.aliasesOut.unassign(p.topic());
                    }
                    fail(o, e instanceof MqttLimitException ? e : new MqttLimitException(client.where()
                            + ": publish to '" + o.message.topic() + "' refused: " + e.getMessage()));
                    continue;
                }
                o.packet = onWire;
                if (qos > 0) {
                    inflight.put(id, o);
                    peakInFlight = Math.max(peakInFlight, inflight.size());
                    c.write(wire, null);
                } else {
                    c.write(wire, o);
                }
            }
        } finally {
            pumping = false;
        }
    }

    /** A write was accepted by the socket (under the lock). */
    void written(Connection c, Outgoing qos0) {
        if (qos0 != null) {
            complete(qos0, null);
        }
        pump();
    }

    int nextPacketId() {
        for (int i = 0; i < 65535; i++) {
            int id = nextPacketId;
            nextPacketId = id == 65535 ? 1 : id + 1;
            if (!inflight.containsKey(id) && !client.acks.containsKey(id)) {
                return id;
            }
        }
        throw new IllegalStateException("no free packet identifier");
    }

    void complete(Outgoing o, Throwable e) {
        if (e == null) {
            release(o);
            published++;
            client.deferred.add(() -> o.done.complete(null));
        } else {
            fail(o, e);
        }
    }

    void fail(Outgoing o, Throwable e) {
        release(o);
        client.deferred.add(() -> o.done.completeExceptionally(e));
    }

    void ack(Connection c, Ack a) {
        Outgoing o = inflight.get(a.packetId());
        String name = Packet.typeName(a.type());
        if (o == null || (a.type() == Packet.PUBACK) != (o.message.qos() == Qos.AT_LEAST_ONCE)) {
            if (a.type() == Packet.PUBREC) {
                c.send(new Ack(Packet.PUBREL, a.packetId(), client.settings.v5() ? 0x92 : 0, null));
            }
            LOG.debug("{}: {} for packet id {} that is not in flight", client.where(), name, a.packetId());
            return;
        }
        if (a.type() == Packet.PUBREC && a.reasonCode() < 0x80) {
            o.pubrecReceived = true;
            c.send(Ack.of(Packet.PUBREL, a.packetId()));
            return;
        }
        inflight.remove(a.packetId());
        if (a.reasonCode() >= 0x80) {
            String reason = a.properties().string(Properties.REASON_STRING);
            fail(o, new MqttReasonException(name, a.reasonCode(), client.where() + " refused the publish to '"
                    + o.message.topic() + "': " + ReasonCodes.name(a.reasonCode())
                    + (reason == null ? "" : " (" + reason + ")")));
        } else {
            complete(o, null);
        }
        pump();
    }

    void failAll(Throwable e) {
        failAll(e, false);
    }

    /**
     * Fails every publication waiting or in flight; with {@code keepFiles} (the client closes) their
     * files stay in the file-backed queue and are sent after the next start (under the lock).
     */
    void failAll(Throwable e, boolean keepFiles) {
        List<Outgoing> all = new ArrayList<>(inflight.values());
        all.addAll(queue);
        inflight.clear();
        queue.clear();
        for (Outgoing o : all) {
            if (keepFiles) {
                o.storeSeq = -1;
            }
            fail(o, e);
        }
    }
}
