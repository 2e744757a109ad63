package org.rawsockets.mqtt.internal;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttLimitException;
import org.rawsockets.mqtt.internal.codec.Encoder;
import org.rawsockets.mqtt.internal.codec.Packet;
import org.rawsockets.mqtt.internal.codec.Packet.Connack;
import org.rawsockets.mqtt.internal.codec.Packet.Connect;
import org.rawsockets.mqtt.internal.codec.PacketReader;
import org.rawsockets.mqtt.internal.codec.Properties;
import org.rawsockets.mqtt.internal.ws.WsTransport;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP (or TLS) connection to the broker: the socket, the packet reader over the socket API's
 * {@link FrameReader} (its buffer is the maximum packet size this client accepts), what CONNACK
 * negotiated, and the inbound topic aliases. Fields are guarded by the client's lock. Packets are
 * decided and checked under the lock ({@link #send}, {@link #write}) and written to the socket by the
 * client's {@link Outbox} after it ({@link #writeNow}, {@link #closeNow}), in the same order.
 */
final class Connection {

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final MqttClientImpl client;
    private final SocketService sockets;
    private final MqttSettings s;
    // set under the client's lock when opening; replaced by the TLS socket inside an HTTP proxy's tunnel,
    // before the connection counts as opened
    private volatile TcpSocket socket;
    private volatile PacketReader reader;
    static final long WS_CLOSE_WAIT_MS = 2000;
    /** Completes when the read loop saw the end of the stream or a read failure. */
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** The WebSocket framing when the broker is a ws:// or wss:// URI, else {@code null}. */
    private volatile WsTransport ws;

    boolean established;
    boolean sessionPresent;
    Instant since;
    String assignedClientId;
    int sendQuota = 65535;
    long maximumPacketSize = 1L + 4 + Encoder.MAX_REMAINING_LENGTH;
    int maximumQos = 2;
    boolean retainAvailable = true;
    boolean subscriptionIdsAvailable = true;
    int keepAliveSeconds;
    long lastSentAt = System.nanoTime();
    long pingSentAt;
    int unacceptedWrites;
    final Map<Integer, String> aliases = new HashMap<>();
    /** Outgoing topic aliases; none until CONNACK told the broker's Topic Alias Maximum. */
    OutgoingAliases aliasesOut = new OutgoingAliases(0);
    /** This connection's enhanced authentication (MQTT 5 AUTH), {@code null} when none is configured. */
    EnhancedAuth auth;

    Connection(MqttClientImpl client, SocketService sockets) {
        this.client = client;
        this.sockets = sockets;
        this.s = client.settings;
        this.keepAliveSeconds = s.keepAliveSeconds;
    }

    /** Opens the socket (under the client's lock; the outcome is reported outside it). */
    void open() {
        TcpSocketOptions.Builder options = TcpSocketOptions.builder().noDelay(true).connectTimeout(s.connectTimeout);
        CompletionStage<?> ready;
        if (s.httpProxyHost != null) {
            ready = openThroughProxy(options);
        } else {
            if (s.endpoint.isEmpty()) {
                socket = sockets.openTcp(s.host, s.port, options.tls(s.tls).build());
            } else {
                socket = sockets.openTcpEndpoint(s.endpoint, options.tls(TlsOptions.off()).build());
            }
            ready = socket.opened().thenCompose(info -> overSocket());
        }
        ready.whenComplete((info, e) -> {
            if (e != null) {
                client.lost(this, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            } else {
                client.opened(this);
            }
        });
    }

    /**
     * Through the HTTP proxy: a plain connection to the proxy (a STARTTLS one when the broker is TLS), the
     * CONNECT tunnel, then TLS with the broker's name inside it, then what a direct connection does. A
     * proxy that closes its connection after asking for credentials is connected to again (the tunnel
     * bounds its requests).
     */
    private CompletionStage<Void> openThroughProxy(TcpSocketOptions.Builder options) {
        boolean tlsOn = s.tls.mode() == TlsMode.ON;
        TlsOptions tunnelTls = tlsOn ? s.tls.toBuilder().mode(TlsMode.STARTTLS)
                .serverName(s.tls.serverName().orElse(s.host)).build() : TlsOptions.off();
        TcpSocketOptions toProxy = options.tls(tunnelTls).build();
        HttpTunnel tunnel = new HttpTunnel(s, client.where());
        TcpSocket plain = sockets.openTcp(s.httpProxyHost, s.httpProxyPort, toProxy);
        socket = plain;
        return tunnelOn(plain, tunnel, toProxy).thenCompose(tunnelled -> {
            if (!tlsOn) {
                return overSocket();
            }
            TcpSocket secure = tunnelled.startTls();
            socket = secure;
            return secure.opened().thenCompose(info -> overSocket());
        });
    }

    /** The tunnel on {@code plain}, or on a new connection to the proxy when it closed this one after a challenge. */
    private CompletionStage<TcpSocket> tunnelOn(TcpSocket plain, HttpTunnel tunnel, TcpSocketOptions toProxy) {
        return plain.opened().thenCompose(info -> tunnel.open(plain)).thenCompose(open -> {
            if (open) {
                return CompletableFuture.completedFuture(plain);
            }
            TcpSocket again;
            synchronized (client) { // as open(): a close meanwhile closes this socket, or this one is not opened
                if (client.conn != this) {
                    return CompletableFuture.failedFuture(new MqttConnectionException(
                            client.where() + ": closed while authenticating to the HTTP proxy " + s.httpProxy()));
                }
                again = sockets.openTcp(s.httpProxyHost, s.httpProxyPort, toProxy);
                socket = again;
            }
            return tunnelOn(again, tunnel, toProxy);
        });
    }

    /** The packet reader over the socket (and the WebSocket upgrade when the broker is a ws:// or wss:// URI). */
    private CompletionStage<Void> overSocket() {
        if (s.webSocketPath == null) {
            reader = new PacketReader(new FrameReader(socket.readable(), s.maxPacketSize), s.v5(), s.maxPacketSize);
            return java.util.concurrent.CompletableFuture.completedFuture((Void) null);
        }
        ws = new WsTransport(socket, s.maxPacketSize);
        reader = new PacketReader(ws, s.v5(), s.maxPacketSize);
        return ws.handshake(s.webSocketHost(), s.webSocketPath, client.where());
    }

    /**
     * Sends CONNECT (under the lock).
     *
     * @throws org.rawsockets.mqtt.MqttException when the password cannot be read
     */
    void sendConnect() throws org.rawsockets.mqtt.MqttException {
        byte[] password = s.password == null ? null : s.password.get();
        String username = s.username;
        Properties props = new Properties();
        Packet.Will will = null;
        if (s.authMethod != null) {
            // the method is given the user and the password (SCRAM proves it in AUTH packets, never
            // sends it): CONNECT carries neither
            try {
                auth = EnhancedAuth.start(s, password, client.where());
            } finally {
                if (password != null) {
                    java.util.Arrays.fill(password, (byte) 0);
                }
            }
            password = null;
            username = null;
            props.put(Properties.AUTH_METHOD, auth.method());
            if (auth.initial != null) {
                props.put(Properties.AUTH_DATA, auth.initial);
            }
        }
        if (s.v5()) {
            if (s.sessionExpirySeconds != 0) {
                props.put(Properties.SESSION_EXPIRY, s.sessionExpirySeconds);
            }
            if (s.receiveMaximum != 65535) {
                props.put(Properties.RECEIVE_MAXIMUM, s.receiveMaximum);
            }
            props.put(Properties.MAXIMUM_PACKET_SIZE, (long) s.maxPacketSize);
            if (s.topicAliasMaximum != 0) {
                props.put(Properties.TOPIC_ALIAS_MAXIMUM, s.topicAliasMaximum);
            }
        }
        if (s.will != null) {
            Properties wp = PublishProps.toProperties(s.will.properties(), s.v5());
            if (s.v5() && s.willDelaySeconds > 0) {
                wp.put(Properties.WILL_DELAY, s.willDelaySeconds);
            }
            will = new Packet.Will(s.will.topic(), s.will.payload(), s.will.qos().value(), s.will.retain(), wp);
        }
        // 3.1.1 has no session expiry: a persistent session is "clean session" 0
        send(new Connect(s.version.level(), s.clientId, s.cleanStart, s.keepAliveSeconds, username, password,
                will, props));
        if (password != null) {
            java.util.Arrays.fill(password, (byte) 0);
        }
    }

    /** Applies what CONNACK negotiated (under the lock). */
    void established(Connack ack) {
        Properties p = ack.properties();
        established = true;
        sessionPresent = ack.sessionPresent();
        since = Instant.now();
        sendQuota = p.intValue(Properties.RECEIVE_MAXIMUM, 65535);
        maximumPacketSize = p.longValue(Properties.MAXIMUM_PACKET_SIZE, maximumPacketSize);
        maximumQos = p.intValue(Properties.MAXIMUM_QOS, 2);
        retainAvailable = p.intValue(Properties.RETAIN_AVAILABLE, 1) == 1;
        subscriptionIdsAvailable = p.intValue(Properties.SUB_ID_AVAILABLE, 1) == 1;
        keepAliveSeconds = p.intValue(Properties.SERVER_KEEP_ALIVE, s.keepAliveSeconds);
        assignedClientId = p.string(Properties.ASSIGNED_CLIENT_ID);
        // absent: the broker accepts no topic alias (MQTT 5 3.2.2.3.8)
        aliasesOut = new OutgoingAliases(s.v5() ? Math.min(s.outgoingTopicAliasMaximum,
                p.intValue(Properties.TOPIC_ALIAS_MAXIMUM, 0)) : 0);
    }

    /**
     * Checks and encodes a control packet and queues it for the socket behind the packets decided
     * before it (under the lock; written by {@link Outbox#drain()} after it).
     */
    void send(Packet p) {
        Encoder.Prepared packet;
        try {
            packet = Encoder.prepare(p, s.v5(), maximumPacketSize);
        } catch (MqttLimitException e) {
            LOG.warn("{}: {} not sent: {}", client.where(), Packet.typeName(p.type()), e.getMessage());
            return;
        }
        write(packet, null);
    }

    /**
     * Queues a checked packet for the socket; {@code qos0} is completed once the socket accepted it
     * (under the lock: the order of these calls is the order on the wire). Counted in
     * {@link #unacceptedWrites} from here until the socket accepted it.
     */
    void write(Encoder.Prepared packet, Outbound.Outgoing qos0) {
        unacceptedWrites++;
        lastSentAt = System.nanoTime();
        // pipelined: besides a QoS 1/2 publication's own entry, another one waits for its acknowledgement
        client.outbox.add(this, packet, qos0, client.outbound.inFlight() > 1);
    }

    /** Whether several packets may go to the socket in one write (not over WebSocket: a frame per packet). */
    boolean coalesces() {
        return ws == null;
    }

    /**
     * Builds the packets' buffer and writes it to the socket in one write (by the outbox's drainer,
     * no client lock held); {@code qos0[i]} belongs to {@code packets[i]}. More than one packet only
     * when {@link #coalesces()}.
     */
    void writeNow(Encoder.Prepared[] packets, Outbound.Outgoing[] qos0) {
        CompletionStage<Void> accepted;
        try {
            ByteBuffer wire;
            if (packets.length == 1) {
                wire = packets[0].buffer();
            } else {
                int total = 0;
                for (Encoder.Prepared p : packets) {
                    total += p.size();
                }
                wire = ByteBuffer.allocate(total);
                for (Encoder.Prepared p : packets) {
                    p.putInto(wire);
                }
                wire.flip();
            }
            if (ws != null) {
                wire = ws.frame(wire);
            }
            accepted = socket.writable().write(wire);
        } catch (RuntimeException e) {
            accepted = CompletableFuture.failedFuture(e);
        }
        accepted.whenComplete((v, e) -> {
            synchronized (client) {
                unacceptedWrites -= packets.length;
                for (Outbound.Outgoing o : qos0) {
                    if (e == null) {
                        client.outbound.written(this, o);
                    } else if (o != null) {
                        client.outbound.fail(o, e);
                    }
                }
            }
            if (e != null) {
                client.lost(this, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            } else if (!Thread.holdsLock(client)) {
                client.runDeferred();
            }
        });
    }

    /** DISCONNECT with a reason code (MQTT 5) before closing after a protocol error (under the lock). */
    void sendDisconnect(int reasonCode) {
        if (s.v5() && socket != null) {
            send(new Packet.Disconnect(reasonCode, null));
        }
    }

    /**
     * A normal DISCONNECT, then close. Over WebSocket the broker is given up to
     * {@link #WS_CLOSE_WAIT_MS} to close the connection first, then a Close frame is sent: Mosquitto
     * 2.0.11 (libwebsockets) handling a Close frame that arrives with the DISCONNECT may end the
     * connection before the DISCONNECT ("closed its connection", so the will would be published).
     */
    CompletionStage<Void> disconnect() {
        boolean sent = false;
        synchronized (client) {
            if (established) {
                send(new Packet.Disconnect(0, null));
                sent = true;
            }
        }
        client.outbox.drain(); // the DISCONNECT goes out now, before a WebSocket Close frame
        if (ws == null || socket == null) {
            return close().exceptionally(e -> null);
        }
        CompletableFuture<Void> wait = sent ? ended.copy().completeOnTimeout(null, WS_CLOSE_WAIT_MS,
                java.util.concurrent.TimeUnit.MILLISECONDS) : CompletableFuture.completedFuture(null);
        return wait.exceptionally(e -> null).thenCompose(v -> {
            if (!ended.isDone()) {
                ws.sendClose();
            }
            return close();
        }).exceptionally(e -> null);
    }

    /** Drops the connection without DISCONNECT, as a network failure would (TCP reset). */
    void abort() {
        if (socket != null) {
            socket.writable().abort(new java.io.IOException("connection dropped"));
        }
    }

    /**
     * Closes after the packets decided before (queued in the {@link Outbox}) and what the socket
     * holds (bounded by the socket's close timeout). Under the client's lock only queued: the
     * caller's {@code runDeferred()} closes it.
     */
    CompletionStage<Void> close() {
        if (socket == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<Void> closed = client.outbox.addClose(this);
        if (!Thread.holdsLock(client)) {
            client.outbox.drain();
        }
        return closed;
    }

    /** Closes the socket after what it holds (by the outbox's drainer). */
    CompletionStage<Void> closeNow() {
        try {
            return socket.close();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Reads packets until the stream ends, fails, or the client stops reading (a full subscription
     * buffer): handles those already buffered, then waits for the network with a callback that goes
     * on the same way. While it handles them, the client's packets wait in the outbox and go out
     * together when it returns (see {@link Outbox#readerBusy()}): the answers and publications caused
     * by a burst of incoming packets cost one socket write, not one each.
     */
    void readLoop() {
        client.outbox.readerBusy();
        try {
            readBuffered();
        } finally {
            client.outbox.readerDone();
        }
    }

    private void readBuffered() {
        while (true) {
            CompletableFuture<ReadResult<Packet>> f;
            try {
                f = reader.next().toCompletableFuture();
            } catch (IllegalStateException e) {
                return; // closed under us
            }
            if (!f.isDone()) {
                f.whenComplete((r, e) -> {
                    client.outbox.readerBusy(); // the packet that completed the read is part of the batch
                    try {
                        if (handle(r, e)) {
                            readBuffered();
                        }
                    } catch (RuntimeException x) {
                        LOG.error("{}: reading failed", client.where(), x);
                        client.lost(this, x);
                    } finally {
                        client.outbox.readerDone();
                    }
                });
                return;
            }
            ReadResult<Packet> r;
            try {
                r = f.join();
            } catch (RuntimeException e) {
                handle(null, e);
                return;
            }
            if (!handle(r, null)) {
                return;
            }
        }
    }

    private boolean handle(ReadResult<Packet> r, Throwable e) {
        if (e != null || r.done()) {
            ended.complete(null);
        }
        if (e != null) {
            client.readFailed(this, e);
            return false;
        }
        if (r.done()) {
            String close = ws == null ? null : ws.closeReceived();
            client.lost(this, new MqttConnectionException(client.where() + " closed the connection"
                    + (close == null ? "" : " (WebSocket Close " + close + ")")));
            return false;
        }
        return client.received(this, r.value());
    }
}
