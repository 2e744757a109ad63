package org.rawsockets.webbridge.internal.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.webbridge.internal.protocol.BridgeProtocolException;
import org.rawsockets.webbridge.internal.protocol.Frame;

/**
 * A bridged TCP server socket. Its credit counts connections: the gateway accepts one connection
 * per unit the page granted, gives it a gateway id ({@link Frame#GATEWAY_ID_BIT} set) and announces it
 * with ACCEPTED ({@code childId:u32} then the connection's info text); the connection is then a
 * TCP socket like any other.
 */
final class ServerChannel extends Channel {

    private final TcpServerSocket server;
    private boolean opened;
    private boolean accepting;
    private long acceptCredit;

    ServerChannel(BridgeSession session, int id, TcpServerSocket server) {
        super(session, id);
        this.server = server;
    }

    @Override
    void start() {
        server.opened().whenComplete((info, error) -> {
            if (error != null) {
                server.close();
                finish(error);
                return;
            }
            synchronized (this) {
                opened = true;
            }
            StringBuilder sb = new StringBuilder();
            TcpChannel.address(sb, "local", info.localAddress());
            session.out().send(Frame.encode(Frame.OPENED, id, sb.toString()));
            server.closed().whenComplete((v, e) -> finish(e));
            pump();
        });
    }

    private void pump() {
        synchronized (this) {
            if (!opened || accepting || acceptCredit <= 0 || finished()) {
                return;
            }
            accepting = true;
        }
        server.readable().read().whenComplete((r, error) -> {
            synchronized (this) {
                accepting = false;
            }
            if (error != null || r.done()) {
                server.close();
                finish(error);
                return;
            }
            TcpSocket socket = r.value();
            int childId = session.adoptAccepted(socket);
            if (childId == 0) {
                // the connection's socket limit is reached: refuse this one, keep listening
                socket.close();
            } else {
                synchronized (this) {
                    acceptCredit--;
                }
                socket.opened().thenAccept(info -> {
                    byte[] text = TcpChannel.infoText(info).getBytes(StandardCharsets.UTF_8);
                    ByteBuffer f = Frame.allocate(Frame.ACCEPTED, id, 4 + text.length);
                    session.out().send(f.putInt(childId).put(text).flip());
                    session.startAccepted(childId);
                });
            }
            pump();
        });
    }

    @Override
    void data(Frame frame) throws BridgeProtocolException {
        throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                "socket " + id + " is a TCP server socket: it takes no " + Frame.typeName(frame.type()));
    }

    @Override
    void credit(int amount) throws BridgeProtocolException {
        synchronized (this) {
            if (amount <= 0 || acceptCredit + amount > session.limits().maxSockets()) {
                throw creditOverflow(id, "the page granted (connections)", acceptCredit, amount);
            }
            acceptCredit += amount;
        }
        pump();
    }

    @Override
    void end() throws BridgeProtocolException {
        throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                "socket " + id + " is a TCP server socket: END is for TCP connections; send CLOSE");
    }

    @Override
    void close() {
        server.close().whenComplete((v, e) -> finish(null));
    }

    @Override
    void abort() {
        server.close();
    }

    @Override
    String describe() {
        return "tcp server socket " + id + " " + server.info().destination();
    }
}
