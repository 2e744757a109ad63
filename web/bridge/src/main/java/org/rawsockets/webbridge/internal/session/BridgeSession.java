package org.rawsockets.webbridge.internal.session;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.webbridge.internal.protocol.BridgeProtocolException;
import org.rawsockets.webbridge.internal.protocol.ErrorName;
import org.rawsockets.webbridge.internal.protocol.Frame;
import org.rawsockets.webbridge.internal.protocol.FrameDecoder;
import org.rawsockets.webbridge.internal.protocol.OpenRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One page's bridge connection: the sockets it opened through one WebSocket, multiplexed by id
 * (docs/direct-sockets-bridge.md). Transport-free: the WebSocket endpoint feeds it the received
 * messages ({@link #received}) and tells it when the WebSocket ends ({@link #ended}); it answers
 * through a {@link Transport}.
 *
 * <p>Memory is bounded per connection: the decoder holds at most one frame, the queue towards the
 * WebSocket is bounded ({@link Limits#outboundMax()}), each socket holds at most
 * {@link Limits#sendWindow()} bytes of the page's writes, and at most {@link Limits#maxSockets()}
 * sockets are open.
 */
public final class BridgeSession {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeSession.class);

    private final SocketService sockets;
    private final Transport transport;
    private final Limits limits;
    private final String who;
    private final FrameDecoder decoder = new FrameDecoder();
    private final Outbound out;
    private final Map<Integer, Channel> channels = new ConcurrentHashMap<>();
    private int highestPageId;
    private int gatewayIds;
    private volatile boolean ended;

    /**
     * @param sockets the socket service the page's sockets are opened with (in the gateway: the one
     *            acting for the page's origin)
     * @param who the page for log lines, e.g. its origin and client
     */
    public BridgeSession(SocketService sockets, Transport transport, Limits limits, String who) {
        this.sockets = sockets;
        this.transport = transport;
        this.limits = limits;
        this.who = who;
        this.out = new Outbound(transport, limits, this::outboundFailed);
    }

    Limits limits() {
        return limits;
    }

    Outbound out() {
        return out;
    }

    /** Sockets open or opening now. */
    public int openSockets() {
        return channels.size();
    }

    /** Bytes queued towards the WebSocket now. */
    public long outboundQueued() {
        return out.queued();
    }

    /** The most bytes ever queued towards the WebSocket. */
    public long outboundPeak() {
        return out.peak();
    }

    /** Bytes of an incomplete frame the decoder holds. */
    public int inboundBuffered() {
        return decoder.buffered();
    }

    /** Whether the session ended (WebSocket closed or protocol error). */
    public boolean isEnded() {
        return ended;
    }

    /**
     * A binary WebSocket message (or part of one) from the page. On a protocol error the page gets an
     * ERROR frame on id 0 and the WebSocket is closed with the error's close code.
     */
    public void received(ByteBuffer bytes) {
        if (ended) {
            return;
        }
        try {
            decoder.feed(bytes, this::handle);
        } catch (BridgeProtocolException e) {
            fail(e);
        }
    }

    /** A text message: the protocol has none. */
    public void receivedText(String text) {
        fail(new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                "the bridge protocol is binary: text message refused"));
    }

    /** The WebSocket ended: closes every socket of this page. Idempotent. */
    public void ended() {
        if (ended) {
            return;
        }
        ended = true;
        out.close();
        for (Channel c : new ArrayList<>(channels.values())) {
            c.abort();
        }
        channels.clear();
    }

    /** Ends the connection with an ERROR frame on id 0 and a close code. */
    public void fail(BridgeProtocolException e) {
        if (ended) {
            return;
        }
        LOG.info("bridge connection of {} closed: {}", who, e.getMessage());
        ByteBuffer frame = Frame.error(0, ErrorName.ProtocolError, "", e.getMessage());
        transport.send(frame, x -> transport.close(e.closeCode(), e.getMessage()));
        ended();
    }

    private void outboundFailed(String why) {
        fail(new BridgeProtocolException(BridgeProtocolException.POLICY_VIOLATION, why));
    }

    private void handle(Frame f) throws BridgeProtocolException {
        switch (f.type()) {
            case Frame.OPEN_TCP, Frame.OPEN_UDP, Frame.OPEN_TCP_SERVER -> open(f);
            case Frame.DATA, Frame.DATAGRAM -> {
                Channel c = channel(f);
                if (c != null) {
                    c.data(f);
                }
            }
            case Frame.CREDIT -> {
                if (f.payload().remaining() != 4) {
                    throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                            "malformed CREDIT frame on socket " + f.id() + ": 4 bytes expected, got " + f.payload().remaining());
                }
                int amount = f.payload().getInt(f.payload().position());
                Channel c = channel(f);
                if (c != null) {
                    c.credit(amount);
                }
            }
            case Frame.END -> {
                Channel c = channel(f);
                if (c != null) {
                    c.end();
                }
            }
            case Frame.CLOSE -> {
                Channel c = channel(f);
                if (c != null) {
                    c.close();
                }
            }
            case Frame.STARTTLS -> {
                Channel c = channel(f);
                if (c != null) {
                    c.startTls(f);
                }
            }
            default -> throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                    "frame type " + Frame.typeName(f.type()) + " is sent by the gateway only");
        }
    }

    /**
     * The channel a frame is for; {@code null} (after telling the page with an ERROR frame) for an id
     * never opened. A frame for a socket that already ended is ignored: the page may not have seen its
     * CLOSE yet.
     */
    private Channel channel(Frame f) {
        Channel c = channels.get(f.id());
        if (c != null) {
            return c;
        }
        boolean gatewayId = (f.id() & Frame.GATEWAY_ID_BIT) != 0;
        boolean known = f.id() != 0 && (gatewayId ? (f.id() & ~Frame.GATEWAY_ID_BIT) <= gatewayIds : f.id() <= highestPageId);
        if (!known) {
            out.send(Frame.error(f.id(), ErrorName.InvalidStateError, "", "socket " + Integer.toUnsignedString(f.id())
                    + " was never opened on this connection: a " + Frame.typeName(f.type()) + " frame needs an OPEN first"));
        }
        return null;
    }

    private void open(Frame f) throws BridgeProtocolException {
        int id = f.id();
        if (id <= 0) {
            throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR, "socket id "
                    + Integer.toUnsignedString(id) + " is not a page id: the page opens ids 1..2147483647");
        }
        if (id <= highestPageId) {
            throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR, "socket id " + id
                    + " was already used on this connection: ids increase (the last was " + highestPageId + ")");
        }
        highestPageId = id;
        if (channels.size() >= limits.maxSockets()) {
            out.send(Frame.error(id, ErrorName.NotAllowedError, "", "this bridge connection has "
                    + channels.size() + " sockets open, at most " + limits.maxSockets() + ": close sockets first"));
            return;
        }
        Channel c;
        try {
            OpenRequest r = OpenRequest.parse(f.type(), f.text());
            c = switch (f.type()) {
                case Frame.OPEN_TCP -> {
                    TcpSocketOptions o = r.tcpOptions();
                    yield new TcpChannel(this, id, r.endpoint() != null ? openTcpEndpoint(r.endpoint(), o)
                            : sockets.openTcp(r.remoteAddress(), r.remotePort(), o), false, o.tls());
                }
                case Frame.OPEN_UDP -> {
                    UdpSocketOptions o = r.udpOptions();
                    yield new UdpChannel(this, id, r.endpoint() != null ? openUdpEndpoint(r.endpoint(), o)
                            : sockets.openUdp(o));
                }
                default -> new ServerChannel(this, id, sockets.listenTcp(r.serverOptions()));
            };
        } catch (UnknownEndpoint e) {
            out.send(Frame.error(id, ErrorName.NotFoundError, "", e.getMessage()));
            return;
        } catch (IllegalArgumentException e) {
            out.send(Frame.error(id, ErrorName.TypeError, "", e.getMessage()));
            return;
        } catch (IllegalStateException e) {
            out.send(Frame.error(id, ErrorName.InvalidStateError, "", e.getMessage()));
            return;
        }
        channels.put(id, c);
        if (ended) {
            c.abort();
            return;
        }
        c.start();
    }

    private TcpSocket openTcpEndpoint(String endpoint, TcpSocketOptions o) {
        requireConfigured(endpoint);
        try {
            return sockets.openTcpEndpoint(endpoint, o);
        } catch (IllegalArgumentException e) {
            requireConfigured(endpoint); // removed by the operator between the check and the open
            throw e;
        }
    }

    private UdpSocket openUdpEndpoint(String endpoint, UdpSocketOptions o) {
        requireConfigured(endpoint);
        try {
            return sockets.openUdpEndpoint(endpoint, o);
        } catch (IllegalArgumentException e) {
            requireConfigured(endpoint);
            throw e;
        }
    }

    private void requireConfigured(String endpoint) {
        if (!configured(endpoint)) {
            throw new UnknownEndpoint(endpoint);
        }
    }

    /** Whether the operator configured an endpoint of that name (the origin's grants decide the rest). */
    private boolean configured(String endpoint) {
        return sockets.endpoints().stream().anyMatch(e -> e.name().equals(endpoint));
    }

    /**
     * An OPEN frame named an endpoint that is not configured. The page is not told which endpoints
     * exist (the socket service's own message lists them): only the name it asked for and the fix.
     */
    private static final class UnknownEndpoint extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownEndpoint(String endpoint) {
            super("no endpoint named '" + endpoint + "' is configured on this gateway: the operator adds it"
                    + " (etc/org.rawsockets.socket.endpoint-" + endpoint.replaceAll("[^A-Za-z0-9_.-]", "_")
                    + ".cfg with name, host, port) and grants its destination to this page's origin", null, false, false);
        }
    }

    /** Registers an accepted connection; its id, or 0 when the connection's socket limit is reached. */
    int adoptAccepted(TcpSocket socket) {
        synchronized (this) {
            if (ended || channels.size() >= limits.maxSockets()) {
                return 0;
            }
            int id = ++gatewayIds | Frame.GATEWAY_ID_BIT;
            channels.put(id, new TcpChannel(this, id, socket, true, null));
            return id;
        }
    }

    /** Starts an adopted connection once the page knows its id. */
    void startAccepted(int id) {
        Channel c = channels.get(id);
        if (c != null) {
            c.start();
        }
    }

    void remove(Channel c) {
        channels.remove(c.id, c);
    }

    @Override
    public String toString() {
        return "bridge connection of " + who;
    }
}
