package org.rawsockets.webbridge.internal.session;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.webbridge.internal.protocol.BridgeProtocolException;
import org.rawsockets.webbridge.internal.protocol.Frame;
import org.rawsockets.webbridge.internal.protocol.OpenRequest;

/**
 * A bridged TCP connection. Device to page: read with {@code readInto} only while the page has granted
 * credit and the WebSocket queue has room, so a page that stops reading stops the reads from the
 * device. Page to device: the page may send {@link Limits#sendWindow()} bytes; the gateway grants them
 * back as the socket accepts the writes, so a device that stops reading stalls the page's writes.
 *
 * <p>STARTTLS (a connection opened with {@code tls=starttls}): on the page's STARTTLS frame the channel
 * stops reading and takes no more DATA; once the plain writes are flushed it calls
 * {@link TcpSocket#startTls(TlsOptions)} (the socket service refuses when plain bytes are waiting
 * unread) and answers TLS_STARTED after the handshake, then carries on over TLS with the credit both
 * sides had. Plain bytes read after the page asked are an error (NetworkError TLS_PROTOCOL): they
 * arrived behind the server's go-ahead, a possible STARTTLS command injection.
 */
final class TcpChannel extends Channel {

    private enum Upgrade { NONE, REQUESTED, HANDSHAKE, DONE }

    private TcpSocket socket;
    private final TlsOptions tls;
    private Upgrade upgrade = Upgrade.NONE;
    private String upgradeServerName;
    private final boolean accepted;
    private final int window;
    private long readCredit;
    // the last read's frame when its few bytes were copied into a frame of their size: the next read
    // reuses it, so a chatty connection (many small reads) does not allocate up to 64 KiB per read
    // (BridgeBenchIT's 64-byte round trips: three young GCs of ~5 ms in 2,000 trips otherwise)
    private ByteBuffer spare;
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

    TcpChannel(BridgeSession session, int id, TcpSocket socket, boolean accepted, TlsOptions tls) {
        super(session, id);
        this.socket = socket;
        this.tls = tls;
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
        info.tls().ifPresent(t -> {
            sb.append("tlsProtocol=").append(t.protocol()).append('\n');
            sb.append("tlsCipherSuite=").append(t.cipherSuite()).append('\n');
            t.alpn().ifPresent(a -> sb.append("alpnProtocol=").append(a).append('\n'));
        });
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
        TcpSocket from;
        ByteBuffer reuse;
        synchronized (this) {
            if (reading || readEnded || finished() || !opened || readCredit <= 0
                    || upgrade == Upgrade.REQUESTED || upgrade == Upgrade.HANDSHAKE) {
                return;
            }
            if (!session.out().hasRoom()) {
                session.out().whenRoom(this::pump);
                return;
            }
            reading = true;
            want = (int) Math.min(readCredit, Frame.MAX_DATA);
            from = socket;
            reuse = spare != null && spare.capacity() >= Frame.HEADER + want ? spare : null;
            spare = null;
        }
        // a reused frame has this channel's type and id already; the length is written when it is sent
        ByteBuffer frame = reuse == null ? Frame.allocate(Frame.DATA, id, want)
                : reuse.clear().limit(Frame.HEADER + want).position(Frame.HEADER);
        from.readable().readInto(frame, 1).whenComplete((n, error) -> {
            boolean replaced;
            boolean upgradeAsked;
            synchronized (this) {
                replaced = from != socket;
                upgradeAsked = upgrade == Upgrade.REQUESTED || upgrade == Upgrade.HANDSHAKE;
            }
            if (replaced || (error != null && upgradeAsked)) {
                // startTls() retired the plain stream this read was waiting on (a real failure of the
                // connection reaches the page through closed())
                synchronized (this) {
                    reading = false;
                }
                pump();
                return;
            }
            if (error == null && n > 0 && upgradeAsked) {
                synchronized (this) {
                    reading = false;
                    readEnded = true;
                }
                finish(new NetworkException(NetworkException.Reason.TLS_PROTOCOL, "the server of "
                        + from.info().destination() + " sent " + n + " bytes of plain text after the page asked for"
                        + " STARTTLS (data behind its go-ahead reply may be a STARTTLS command injection,"
                        + " CVE-2011-0411); connection closed", null));
                from.close();
                return;
            }
            if (error != null) {
                synchronized (this) {
                    reading = false;
                    readEnded = true;
                }
                from.close();
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
                synchronized (this) { // only now: a read started meanwhile must not write into it while copying
                    spare = frame;
                }
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
            if (upgrade == Upgrade.REQUESTED || upgrade == Upgrade.HANDSHAKE) {
                throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR, "socket " + id
                        + " got DATA during its STARTTLS upgrade: write again after TLS_STARTED");
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
        // a frame the decoder assembled (a WebSocket message in several parts, as Jetty delivers a 64 KiB
        // one) is ours to keep; a view of Jetty's buffer is copied, the write outlives this call
        ByteBuffer bytes = frame.payload();
        if (bytes.isReadOnly()) {
            bytes = ByteBuffer.allocate(n).put(bytes).flip();
        }
        TcpSocket to;
        synchronized (this) {
            to = socket;
        }
        to.writable().write(bytes).whenComplete((v, error) -> {
            int grant = 0;
            synchronized (this) {
                writesInFlight--;
                if (error != null) {
                    return; // the socket failed: closed() tells the page
                }
                pendingGrant += n;
                // Quarter-window batches only: with no write in flight and less than a quarter
                // pending, the page still holds more than three quarters of its window, so it never
                // waits for this credit; granting at every idle moment cost one CREDIT frame per small
                // write, queued on the WebSocket ahead of the reply (issue 19's round trips).
                if (pendingGrant >= window / 4) {
                    grant = pendingGrant;
                    pendingGrant = 0;
                    sendCredit += grant;
                }
            }
            if (grant > 0) {
                session.out().send(Frame.credit(id, grant));
            }
            upgradeWhenFlushed();
        });
    }

    @Override
    void startTls(Frame frame) throws BridgeProtocolException {
        String serverName;
        try {
            serverName = OpenRequest.startTlsServerName(frame.text());
        } catch (IllegalArgumentException e) {
            throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR, "socket " + id + ": " + e.getMessage());
        }
        synchronized (this) {
            if (tls == null || tls.mode() != TlsMode.STARTTLS) {
                throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR, "socket " + id
                        + " was not opened with tls=starttls: STARTTLS upgrades only such a connection");
            }
            if (!opened || upgrade != Upgrade.NONE || writeEnded) {
                throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR, "socket " + id
                        + (!opened ? " is not open yet (wait for OPENED)" : writeEnded ? " was half-closed by the page"
                                : " was already upgraded (one STARTTLS per connection)")
                        + ": STARTTLS refused");
            }
            upgrade = Upgrade.REQUESTED;
            upgradeServerName = serverName;
        }
        upgradeWhenFlushed();
    }

    /** Upgrades once the page asked and every plain write reached the socket. */
    private void upgradeWhenFlushed() {
        TcpSocket plain;
        TlsOptions t;
        synchronized (this) {
            if (upgrade != Upgrade.REQUESTED || writesInFlight > 0 || finished()) {
                return;
            }
            upgrade = Upgrade.HANDSHAKE;
            plain = socket;
            t = upgradeServerName == null ? tls : tls.toBuilder().serverName(upgradeServerName).build();
        }
        TcpSocket secure;
        try {
            secure = plain.startTls(t);
        } catch (IllegalStateException e) { // plain bytes wait unread: they came after the go-ahead
            finish(new NetworkException(NetworkException.Reason.TLS_PROTOCOL, "STARTTLS on socket " + id + " to "
                    + plain.info().destination() + " refused: " + e.getMessage(), e));
            plain.close(); // after finish: the page learns why, not only that it closed
            return;
        } catch (RuntimeException e) {
            finish(e);
            plain.close();
            return;
        }
        synchronized (this) {
            socket = secure;
        }
        secure.opened().whenComplete((info, error) -> {
            if (error != null) {
                finish(error);
                secure.close();
                return;
            }
            synchronized (this) {
                upgrade = Upgrade.DONE;
            }
            session.out().send(Frame.encode(Frame.TLS_STARTED, id, infoText(info)));
            pump();
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
            if (upgrade == Upgrade.REQUESTED || upgrade == Upgrade.HANDSHAKE) {
                throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR, "socket " + id
                        + " got END during its STARTTLS upgrade: half-close after TLS_STARTED");
            }
            writeEnded = true;
        }
        current().writable().close();
    }

    private synchronized TcpSocket current() {
        return socket;
    }

    @Override
    void close() {
        synchronized (this) {
            closeRequested = true;
        }
        current().close().whenComplete((v, e) -> finish(null));
    }

    @Override
    void abort() {
        current().close();
    }

    @Override
    String describe() {
        return "tcp socket " + id + " " + current().info().destination();
    }
}
