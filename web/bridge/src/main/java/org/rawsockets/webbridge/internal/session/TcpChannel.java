package org.rawsockets.webbridge.internal.session;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.webbridge.internal.protocol.BridgeProtocolException;
import org.rawsockets.webbridge.internal.protocol.Frame;

/**
 * A bridged TCP connection. Device to page: read with {@code readInto} only while the page has granted
 * credit and the WebSocket queue has room, so a page that stops reading stops the reads from the
 * device. Page to device: the page may send {@link Limits#sendWindow()} bytes; the gateway grants them
 * back as the socket accepts the writes, so a device that stops reading stalls the page's writes.
 */
final class TcpChannel extends Channel {

    private final TcpSocket socket;
    private final boolean accepted;
    private final int window;
    private long readCredit;
    private boolean reading;
    private boolean readEnded;
    private boolean opened;
    private boolean closedSeen;
    private Throwable closedError;
    private boolean closeRequested;
    private boolean writeEnded;
    private int sendCredit;
    private int pendingGrant;
    private int writesInFlight;

    TcpChannel(BridgeSession session, int id, TcpSocket socket, boolean accepted) {
        super(session, id);
        this.socket = socket;
        this.accepted = accepted;
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
            if (!accepted) {
                session.out().send(Frame.encode(Frame.OPENED, id, infoText(info)));
            }
            session.out().send(Frame.credit(id, window));
            socket.closed().whenComplete((v, e) -> closed(e));
            pump();
        });
    }

    /** The OPENED/ACCEPTED text of a connection. */
    static String infoText(TcpOpenInfo info) {
        StringBuilder sb = new StringBuilder();
        address(sb, "remote", info.remoteAddress());
        address(sb, "local", info.localAddress());
        info.tls().ifPresent(t -> sb.append("tlsProtocol=").append(t.protocol()).append('\n'));
        return sb.toString();
    }

    static void address(StringBuilder sb, String prefix, InetSocketAddress a) {
        if (a == null) {
            return;
        }
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        int pct = host.indexOf('%');
        sb.append(prefix).append("Address=").append(pct < 0 ? host : host.substring(0, pct)).append('\n');
        sb.append(prefix).append("Port=").append(a.getPort()).append('\n');
    }

    private void pump() {
        int want;
        synchronized (this) {
            if (reading || readEnded || finished() || !opened || readCredit <= 0) {
                return;
            }
            if (!session.out().hasRoom()) {
                session.out().whenRoom(this::pump);
                return;
            }
            reading = true;
            want = (int) Math.min(readCredit, Frame.MAX_DATA);
        }
        ByteBuffer frame = Frame.allocate(Frame.DATA, id, want);
        socket.readable().readInto(frame, 1).whenComplete((n, error) -> {
            if (error != null) {
                synchronized (this) {
                    reading = false;
                    readEnded = true;
                }
                socket.close();
                finish(closeRequested() ? null : error);
                return;
            }
            if (n < 0) {
                boolean done;
                synchronized (this) {
                    reading = false;
                    readEnded = true;
                    done = closedSeen || closeRequested;
                }
                session.out().send(Frame.empty(Frame.END, id));
                if (done) {
                    finish(closeRequested() ? null : closedError);
                }
                return;
            }
            synchronized (this) {
                reading = false;
                readCredit -= n;
            }
            ByteBuffer out;
            if (n * 2 < want) { // keep what waits in the queue close to what it weighs
                out = Frame.allocate(Frame.DATA, id, n);
                out.put(frame.array(), Frame.HEADER, n);
            } else {
                out = frame.putInt(5, n);
            }
            session.out().send(out.flip());
            pump();
        });
    }

    private synchronized boolean closeRequested() {
        return closeRequested;
    }

    private void closed(Throwable error) {
        boolean done;
        synchronized (this) {
            closedSeen = true;
            closedError = error;
            done = readEnded || closeRequested || error != null;
        }
        if (done) {
            finish(closeRequested() ? null : error);
        }
    }

    @Override
    void data(Frame frame) throws BridgeProtocolException {
        if (frame.type() != Frame.DATA) {
            throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                    "socket " + id + " is TCP: send DATA frames, not " + Frame.typeName(frame.type()));
        }
        int n = frame.payload().remaining();
        synchronized (this) {
            if (writeEnded) {
                throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR,
                        "socket " + id + " got DATA after its END (the page half-closed it)");
            }
            if (n > sendCredit) {
                throw creditOverflow(id, "the page sent", sendCredit, n);
            }
            if (n == 0) {
                return;
            }
            sendCredit -= n;
            writesInFlight++;
        }
        byte[] copy = new byte[n];
        frame.payload().get(copy);
        socket.writable().write(ByteBuffer.wrap(copy)).whenComplete((v, error) -> {
            int grant = 0;
            synchronized (this) {
                writesInFlight--;
                if (error != null) {
                    return; // the socket failed: closed() tells the page
                }
                pendingGrant += n;
                if (pendingGrant >= window / 4 || writesInFlight == 0) {
                    grant = pendingGrant;
                    pendingGrant = 0;
                    sendCredit += grant;
                }
            }
            if (grant > 0) {
                session.out().send(Frame.credit(id, grant));
            }
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
        synchronized (this) {
            if (writeEnded) {
                throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR, "socket " + id + " got END twice");
            }
            writeEnded = true;
        }
        socket.writable().close();
    }

    @Override
    void close() {
        synchronized (this) {
            closeRequested = true;
        }
        socket.close().whenComplete((v, e) -> finish(null));
    }

    @Override
    void abort() {
        socket.close();
    }

    @Override
    String describe() {
        return "tcp socket " + id + " " + socket.info().destination();
    }
}
