package org.rawsockets.webbridge.internal.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpOpenInfo;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.webbridge.internal.protocol.BridgeProtocolException;
import org.rawsockets.webbridge.internal.protocol.Frame;

/**
 * A bridged UDP socket, connected or bound. DATAGRAM payload: {@code hostLength:u8 host port:u16
 * data} (host and port empty/0 on a connected socket). Credit counts the data bytes of each
 * datagram (at least 1 per datagram) in both directions; a received datagram waits (one at a time)
 * until the page's credit covers it.
 */
final class UdpChannel extends Channel {

    private final UdpSocket socket;
    private final int window;
    private long readCredit;
    private boolean reading;
    private UdpMessage held;
    private boolean opened;
    private int sendCredit;

    UdpChannel(BridgeSession session, int id, UdpSocket socket) {
        super(session, id);
        this.socket = socket;
        this.window = session.limits().sendWindow();
    }

    @Override
    void start() {
        socket.opened().whenComplete((info, error) -> {
            if (error != null) {
                socket.close();
                finish(error);
                return;
            }
            synchronized (this) {
                opened = true;
                sendCredit = window;
            }
            session.out().send(Frame.encode(Frame.OPENED, id, infoText(info)));
            session.out().send(Frame.credit(id, window));
            socket.closed().whenComplete((v, e) -> finish(e));
            pump();
        });
    }

    private static String infoText(UdpOpenInfo info) {
        StringBuilder sb = new StringBuilder();
        TcpChannel.address(sb, "remote", info.remoteAddress());
        TcpChannel.address(sb, "local", info.localAddress());
        return sb.toString();
    }

    private static int cost(int length) {
        return Math.max(1, length);
    }

    private void pump() {
        UdpMessage deliver = null;
        synchronized (this) {
            if (!opened || finished()) {
                return;
            }
            if (held != null) {
                if (readCredit < cost(held.data().remaining())) {
                    return;
                }
                if (!session.out().hasRoom()) {
                    session.out().whenRoom(this::pump);
                    return;
                }
                deliver = held;
                held = null;
                readCredit -= cost(deliver.data().remaining());
            } else if (reading || readCredit <= 0) {
                return;
            } else if (!session.out().hasRoom()) {
                session.out().whenRoom(this::pump);
                return;
            } else {
                reading = true;
            }
        }
        if (deliver != null) {
            session.out().send(encode(id, deliver));
            pump();
            return;
        }
        socket.readable().read().whenComplete((r, error) -> {
            synchronized (this) {
                reading = false;
            }
            if (error != null || r.done()) {
                socket.close();
                finish(error);
                return;
            }
            synchronized (this) {
                held = r.value();
            }
            pump();
        });
    }

    static ByteBuffer encode(int id, UdpMessage m) {
        byte[] host = m.remoteAddress() == null ? new byte[0] : m.remoteAddress().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer data = m.data();
        ByteBuffer f = Frame.allocate(Frame.DATAGRAM, id, 3 + host.length + data.remaining());
        f.put((byte) host.length).put(host).putShort((short) m.remotePort()).put(data.duplicate());
        return f.flip();
    }

    @Override
    void data(Frame frame) throws BridgeProtocolException {
        if (frame.type() != Frame.DATAGRAM) {
            throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                    "socket " + id + " is UDP: send DATAGRAM frames, not " + Frame.typeName(frame.type()));
        }
        ByteBuffer p = frame.payload();
        if (p.remaining() < 3 || p.remaining() < 3 + (p.get(p.position()) & 0xff)) {
            throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                    "malformed DATAGRAM on socket " + id + ": hostLength:u8 host port:u16 data expected");
        }
        int hostLength = p.get() & 0xff;
        byte[] host = new byte[hostLength];
        p.get(host);
        int port = p.getShort() & 0xffff;
        byte[] data = new byte[p.remaining()];
        p.get(data);
        int cost = cost(data.length);
        UdpMessage message;
        try {
            message = hostLength == 0 ? UdpMessage.of(data)
                    : UdpMessage.to(new String(host, StandardCharsets.US_ASCII), port, data);
        } catch (IllegalArgumentException e) {
            throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                    "malformed DATAGRAM on socket " + id + ": " + e.getMessage());
        }
        synchronized (this) {
            if (cost > sendCredit) {
                throw creditOverflow(id, "the page sent", sendCredit, cost);
            }
            sendCredit -= cost;
        }
        socket.writable().write(message).whenComplete((v, error) -> {
            if (error != null) {
                // a datagram that could not be sent (e.g. a refused destination of a bound socket)
                // errors the writable side, as in Direct Sockets: the socket ends with that error
                socket.close();
                finish(error);
                return;
            }
            synchronized (this) {
                sendCredit += cost;
            }
            session.out().send(Frame.credit(id, cost));
        });
    }

    @Override
    void credit(int amount) throws BridgeProtocolException {
        synchronized (this) {
            if (amount <= 0 || readCredit + amount > session.limits().maxCredit()) {
                throw creditOverflow(id, "the page granted", readCredit, amount);
            }
            readCredit += amount;
        }
        pump();
    }

    @Override
    void end() throws BridgeProtocolException {
        throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                "socket " + id + " is UDP: END (half-close) is for TCP; send CLOSE");
    }

    @Override
    void close() {
        socket.close().whenComplete((v, e) -> finish(null));
    }

    @Override
    void abort() {
        socket.close();
    }

    @Override
    String describe() {
        return "udp socket " + id + " " + socket.info().destination();
    }
}
