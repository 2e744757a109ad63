package org.rawsockets.mqtt.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.rawsockets.mqtt.MqttClient;
import org.rawsockets.mqtt.MqttClientStatus;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttProtocolException;
import org.rawsockets.mqtt.MqttReasonException;
import org.rawsockets.mqtt.MqttSubscription;
import org.rawsockets.mqtt.ReasonCodes;
import org.rawsockets.mqtt.SubscriptionOptions;
import org.rawsockets.mqtt.internal.codec.Encoder;
import org.rawsockets.mqtt.internal.codec.Packet;
import org.rawsockets.mqtt.internal.codec.Packet.Ack;
import org.rawsockets.mqtt.internal.codec.Packet.Auth;
import org.rawsockets.mqtt.internal.codec.Packet.Connack;
import org.rawsockets.mqtt.internal.codec.Packet.Disconnect;
import org.rawsockets.mqtt.internal.codec.Packet.Publish;
import org.rawsockets.mqtt.internal.codec.Packet.Suback;
import org.rawsockets.mqtt.internal.codec.Properties;
import org.rawsockets.protocols.config.ReconnectBackoff;
import org.rawsockets.socket.SocketService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT client: one connection at a time ({@link Connection}), the session state that outlives
 * it (outgoing QoS 1/2 in flight by packet id, incoming QoS 2 ids awaiting PUBREL, subscriptions),
 * a bounded queue of publications waiting for a send slot or a connection, keep-alive and
 * reconnect timers.
 *
 * <p>All state is guarded by {@code this}. Callers' stages are never completed under the lock:
 * completions are collected in {@link #deferred} and run by {@link #runDeferred()} after it.
 *
 * <p>Nothing is written to the socket under the lock either. Under it the client only decides
 * (packet id, in-flight map, queue, topic alias, which connection) and checks and encodes the
 * packet's header ({@link org.rawsockets.mqtt.internal.codec.Encoder#prepare}: a refusal, e.g. over
 * the broker's Maximum Packet Size, must be known before the id or alias is given away); the packet
 * goes into the {@link Outbox} in the order of these decisions. {@link #runDeferred()} first drains
 * the outbox: the packet's buffer (the payload copy) is built and written to the socket outside the
 * lock, one drainer at a time, in the decided order. The I/O thread handling a PUBACK therefore
 * never waits for a publisher's encoding or socket write (profiled before: 11-120 ms waits for the
 * lock while a publisher held it through the write).
 */
public final class MqttClientImpl implements MqttClient, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttClientImpl.class);

    final MqttSettings settings;
    private final SocketService sockets;
    final ScheduledThreadPoolExecutor timer;
    private final ReconnectBackoff backoff;

    // Guarded by this.
    final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    /** Packets decided under the lock, written after it in order (its own lock, never held with a write). */
    final Outbox outbox;
    final Map<Integer, AckHandler> acks = new HashMap<>();
    Connection conn;
    private final Inbound inbound = new Inbound(this);
    final Outbound outbound = new Outbound(this);
    private CompletableFuture<Void> connecting;
    private ScheduledFuture<?> reconnectTask;
    private final KeepAlive keepAlive = new KeepAlive(this);
    final ReauthSchedule reauthSchedule = new ReauthSchedule(this);
    boolean closed;
    private boolean everConnected;
    long received;
    private int reconnects;
    String lastError;

    /** Waits for a SUBACK or UNSUBACK. */
    interface AckHandler {
        void acked(Packet p);

        void failed(Throwable e);
    }


    public MqttClientImpl(MqttSettings settings, SocketService sockets) {
        this.settings = settings;
        this.sockets = sockets;
        this.backoff = new ReconnectBackoff(settings.reconnectMin, settings.reconnectMax);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mqtt-" + settings.name + "-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.outbox = new Outbox(timer);
        try {
            outbound.openStore();
        } catch (IllegalStateException e) {
            timer.shutdownNow();
            throw e;
        }
    }

    @Override
    public String name() {
        return settings.name;
    }

    String where() {
        return "MQTT broker '" + settings.name + "' (" + settings.target() + ")";
    }

    // ---------------------------------------------------------------- connection life cycle

    @Override
    public CompletionStage<Void> connect() {
        CompletableFuture<Void> f;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new MqttConnectionException(where() + ": the client is closed"));
            }
            if (conn != null && conn.established) {
                return CompletableFuture.completedFuture(null);
            }
            f = connecting;
            if (f == null) {
                f = connecting = new CompletableFuture<>();
                if (conn == null) {
                    if (reconnectTask != null) {
                        reconnectTask.cancel(false);
                        reconnectTask = null;
                    }
                    open();
                }
            }
        }
        runDeferred();
        return f.copy();
    }

    /** Opens a connection (under the lock). */
    private void open() {
        Connection c = new Connection(this, sockets);
        conn = c;
        c.open();
        timer.schedule(() -> {
            synchronized (this) {
                if (conn != c || c.established) {
                    return;
                }
            }
            lost(c, new MqttConnectionException(where() + ": no CONNACK within the connect timeout of "
                    + settings.connectTimeout.toMillis() + " ms"));
        }, settings.connectTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    /** The socket is open: send CONNECT and start reading (called by the connection, outside the lock). */
    void opened(Connection c) {
        synchronized (this) {
            if (conn != c || closed) {
                c.close();
                return;
            }
            try {
                c.sendConnect();
            } catch (org.rawsockets.mqtt.MqttException e) {
                lostLocked(c, e);
                c = null;
            }
        }
        runDeferred();
        if (c != null) {
            c.readLoop();
        }
    }

    /** CONNACK arrived (under the lock). */
    private void connack(Connection c, Connack ack) {
        if (ack.reasonCode() != 0) {
            String name = settings.v5() ? ReasonCodes.name(ack.reasonCode())
                    : ReasonCodes.v311ConnackName(ack.reasonCode());
            String reason = ack.properties().string(Properties.REASON_STRING);
            lostLocked(c, new MqttReasonException("CONNACK", ack.reasonCode(), where() + " refused the connection: "
                    + name + (reason == null ? "" : " (" + reason + ")")));
            return;
        }
        c.established(ack);
        backoff.reset();
        if (everConnected) {
            reconnects++;
        }
        everConnected = true;
        lastError = null;
        LOG.info("{}: connected, session present {}", where(), ack.sessionPresent());
        outbound.sessionStarted(c, ack.sessionPresent());
        if (!ack.sessionPresent()) {
            inbound.sessionLost(c);
        }
        CompletableFuture<Void> f = connecting;
        connecting = null;
        if (f != null) {
            deferred.add(() -> f.complete(null));
        }
        keepAlive.start(c);
        reauthSchedule.authenticated(c);
        outbound.pump();
    }

    /** The connection failed or ended (outside the lock). */
    void lost(Connection c, Throwable e) {
        synchronized (this) {
            lostLocked(c, e);
        }
        runDeferred();
    }

    void lostLocked(Connection c, Throwable e) {
        if (conn != c) {
            return;
        }
        conn = null;
        EnhancedAuth.ended(this, c, e);
        inbound.connectionLost(c);
        c.close();
        keepAlive.stop();
        reauthSchedule.stop();
        lastError = describe(e);
        if (!closed) {
            LOG.warn("{}: connection lost: {}", where(), lastError);
        }
        List<AckHandler> waiting = new ArrayList<>(acks.values());
        acks.clear();
        MqttConnectionException lostEx = new MqttConnectionException(where() + ": connection lost: " + lastError, e);
        waiting.forEach(h -> deferred.add(() -> h.failed(lostEx)));
        CompletableFuture<Void> f = connecting;
        connecting = null;
        if (f != null) {
            deferred.add(() -> f.completeExceptionally(e));
        }
        if (closed) {
            return;
        }
        if (settings.reconnect) {
            long delay = backoff.failed();
            reconnectTask = timer.schedule(this::reconnect, delay, TimeUnit.NANOSECONDS);
        } else {
            outbound.failAll(lostEx);
        }
    }

    private void reconnect() {
        synchronized (this) {
            reconnectTask = null;
            if (closed || conn != null) {
                return;
            }
            open();
        }
        runDeferred();
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public CompletionStage<Void> reauthenticate() {
        CompletionStage<Void> r;
        synchronized (this) {
            r = EnhancedAuth.reauthenticate(this, conn);
        }
        runDeferred();
        return r;
    }

    @Override
    public CompletionStage<Void> disconnect() {
        Connection c;
        synchronized (this) {
            closed = true;
            c = conn;
            conn = null;
            if (reconnectTask != null) {
                reconnectTask.cancel(false);
            }
            keepAlive.stop();
            reauthSchedule.stop();
            EnhancedAuth.ended(this, c, new MqttConnectionException(where() + ": the client was disconnected"));
            MqttConnectionException e = new MqttConnectionException(where() + ": the client was disconnected"
                    + (outbound.store == null ? "" : "; the publication stays in the offline queue in "
                            + outbound.store.dir() + " and is sent after the next start"));
            outbound.failAll(e, true);
            List<AckHandler> waiting = new ArrayList<>(acks.values());
            acks.clear();
            waiting.forEach(h -> deferred.add(() -> h.failed(e)));
            CompletableFuture<Void> f = connecting;
            connecting = null;
            if (f != null) {
                deferred.add(() -> f.completeExceptionally(e));
            }
            inbound.endAll();
        }
        runDeferred();
        CompletionStage<Void> done = c == null ? CompletableFuture.completedFuture(null) : c.disconnect();
        return done.whenComplete((v, e) -> timer.shutdownNow());
    }

    @Override
    public void close() {
        try {
            disconnect().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("{}: close: {}", where(), describe(e));
        } finally {
            timer.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- publishing

    @Override
    public CompletionStage<Void> publish(MqttMessage message) {
        return publish(message, null);
    }

    @Override
    public CompletionStage<Void> publish(MqttMessage message, java.time.Duration timeout) {
        Encoder.checkTopicName(message.topic());
        if (timeout != null && timeout.compareTo(java.time.Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("timeout must be at least 1 ms, was " + timeout);
        }
        Outbound.Outgoing o = new Outbound.Outgoing(message);
        CompletionStage<Void> refused;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new MqttConnectionException(where()
                        + ": the client is closed; publish to '" + message.topic() + "' refused"));
            }
            refused = outbound.enqueue(o);
        }
        if (refused != null) {
            runDeferred(); // the oldest message a DROP_OLDEST dropped before refusing this one
            return refused;
        }
        // Cancelled by the caller (cancel, or its own orTimeout) while still queued: out of the queue, never sent.
        o.done.whenComplete((v, e) -> {
            if (e instanceof java.util.concurrent.CancellationException
                    || e instanceof java.util.concurrent.TimeoutException) {
                abandoned(o);
            }
        });
        if (timeout != null && !o.done.isDone()) {
            long millis = timeout.toMillis();
            try {
                ScheduledFuture<?> t = timer.schedule(() -> timedOut(o, millis), millis, TimeUnit.MILLISECONDS);
                o.done.whenComplete((v, e) -> t.cancel(false));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // disconnected meanwhile: the publication has failed or will fail with the queue
            }
        }
        runDeferred();
        return o.done;
    }

    /** The caller completed (cancelled) a publication's stage: a queued one is removed (outside the lock). */
    private void abandoned(Outbound.Outgoing o) {
        synchronized (this) {
            outbound.remove(o);
        }
    }

    /** A publication's deadline passed (on the timer). */
    private void timedOut(Outbound.Outgoing o, long millis) {
        org.rawsockets.socket.TimedOutException e;
        synchronized (this) {
            e = outbound.timedOut(o, millis);
        }
        if (e != null) {
            o.done.completeExceptionally(e);
        }
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Handles one packet (called by the connection's read loop, outside the lock).
     *
     * @return whether to read the next packet
     */
    boolean received(Connection c, Packet p) {
        boolean more;
        synchronized (this) {
            more = conn == c && handle(c, p) && conn == c;
        }
        runDeferred();
        return more;
    }

    private boolean handle(Connection c, Packet p) {
        if (!c.established && !(p instanceof Connack) && !(p instanceof Auth && c.auth != null)) {
            lostLocked(c, new MqttProtocolException(MqttProtocolException.PROTOCOL_ERROR, where() + " sent "
                    + Packet.typeName(p.type()) + " before CONNACK"));
            return false;
        }
        switch (p.type()) {
            case Packet.CONNACK -> {
                if (c.established) {
                    return protocolError(c, "a second CONNACK");
                }
                if (!EnhancedAuth.connack(this, c, (Connack) p)) {
                    return false;
                }
                connack(c, (Connack) p);
            }
            case Packet.AUTH -> {
                return EnhancedAuth.auth(this, c, (Auth) p);
            }
            case Packet.PUBLISH -> {
                return inbound.deliver(c, (Publish) p);
            }
            case Packet.PUBACK, Packet.PUBREC, Packet.PUBCOMP -> outbound.ack(c, (Ack) p);
            case Packet.PUBREL -> {
                inbound.pubrel(c, ((Ack) p).packetId());
            }
            case Packet.SUBACK, Packet.UNSUBACK -> {
                int id = p instanceof Suback s ? s.packetId() : ((Packet.Unsuback) p).packetId();
                AckHandler h = acks.remove(id);
                if (h != null) {
                    h.acked(p);
                }
            }
            case Packet.PINGRESP -> c.pingSentAt = 0;
            case Packet.DISCONNECT -> {
                Disconnect d = (Disconnect) p;
                String reason = d.properties().string(Properties.REASON_STRING);
                lostLocked(c, new MqttReasonException("DISCONNECT", d.reasonCode(), where() + " disconnected: "
                        + ReasonCodes.name(d.reasonCode()) + String.format(" (0x%02X)", d.reasonCode())
                        + (reason == null ? "" : ": " + reason)));
                return false;
            }
            default -> {
                return protocolError(c, Packet.typeName(p.type()) + " is not sent to a client");
            }
        }
        return true;
    }

    boolean protocolError(Connection c, String what) {
        MqttProtocolException e = new MqttProtocolException(MqttProtocolException.PROTOCOL_ERROR, where()
                + ": protocol error: " + what);
        c.sendDisconnect(e.reasonCode());
        lostLocked(c, e);
        return false;
    }

    /** A malformed packet or a read failure (outside the lock). */
    void readFailed(Connection c, Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        synchronized (this) {
            if (t instanceof MqttProtocolException pe) {
                c.sendDisconnect(pe.reasonCode());
                t = new MqttProtocolException(pe.reasonCode(), where() + ": " + pe.getMessage());
            }
            lostLocked(c, t);
        }
        runDeferred();
    }

    /** Whether reading is parked for a full subscription buffer (under the lock). */
    boolean readingParked() {
        return inbound.isParked();
    }

    /** A subscription's full buffer has room again: deliver the parked message, read on. */
    void resume() {
        Connection readOn;
        synchronized (this) {
            readOn = inbound.resume();
        }
        runDeferred();
        if (readOn != null) {
            readOn.readLoop();
        }
    }

    @Override
    public CompletionStage<MqttSubscription> subscribe(String filter, SubscriptionOptions options, int bufferSize) {
        Topics.validateFilter(filter);
        if (bufferSize < 1 || bufferSize > 65535) {
            throw new IllegalArgumentException("bufferSize must be 1..65535, was " + bufferSize);
        }
        CompletionStage<MqttSubscription> result;
        synchronized (this) {
            result = inbound.subscribe(filter, options, bufferSize);
        }
        runDeferred();
        return result;
    }

    CompletionStage<Void> unsubscribe(SubscriptionImpl s) {
        CompletionStage<Void> result;
        synchronized (this) {
            result = inbound.unsubscribe(s);
        }
        runDeferred();
        return result;
    }

    // ---------------------------------------------------------------- status, helpers

    @Override
    public synchronized MqttClientStatus status() {
        Connection c = conn;
        boolean up = c != null && c.established;
        return new MqttClientStatus(settings.name, settings.target(), settings.version,
                c != null && c.assignedClientId != null ? c.assignedClientId : settings.clientId, up,
                up && c.sessionPresent, up ? c.since : null, outbound.inFlight(), outbound.peakInFlight,
                up ? Math.min(c.sendQuota, settings.maxInFlight) : 0, outbound.queued(), outbound.published, received, reconnects,
                inbound.size(), lastError);
    }

    /** Queues a completion to run after the lock is released (under the lock). */
    void defer(Runnable r) {
        deferred.add(r);
    }

    /**
     * After the lock: writes the packets decided under it (unless another thread is writing them
     * already, see {@link Outbox#drain()}), then runs the completions collected under it.
     */
    void runDeferred() {
        outbox.drainFromPublisher();
        while (true) {
            Runnable r;
            synchronized (this) {
                r = deferred.poll();
            }
            if (r == null) {
                return;
            }
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: a completion failed: {}", where(), e.toString());
            }
        }
    }

    /** Drops the current connection without DISCONNECT (a network failure: the broker publishes the will). */
    void dropConnection() {
        Connection c;
        synchronized (this) {
            c = conn;
        }
        if (c != null) {
            c.abort();
        }
    }

    /** For tests: sends a packet as is on the current connection (to provoke a broker). */
    void sendRaw(Packet p) {
        synchronized (this) {
            if (conn != null) {
                conn.send(p);
            }
        }
        runDeferred();
    }

    /** For tests: the ids of outgoing QoS 1/2 messages in flight. */
    synchronized Set<Integer> inflightIds() {
        return outbound.inflightIds();
    }
}
