package org.rawsockets.socket.mina.internal;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;

/**
 * The first filter of a {@code TlsMode.STARTTLS} connection (added when the session opens, before
 * any read): keeps plain text out of the TLS streams, whatever the timing of the upgrade (the
 * STARTTLS command injection of CVE-2011-0411, where plain text sent behind the server's go-ahead
 * would be taken for data received through TLS).
 *
 * <ul>
 * <li>Before {@code startTls()}: what the network delivers is passed on as {@link PlainText}, which
 * the connection only ever puts on the plain stream. A {@code PlainText} that reaches the plain
 * stream after {@code startTls()} retired it is refused there
 * ({@link TcpTls#plainTextDuringUpgrade}).</li>
 * <li>From {@code startTls()} until the TLS filter is in the chain: whatever arrives is refused and
 * the connection fails. Such bytes were sent before our ClientHello, so they are no TLS record of
 * the server's, and nothing may carry them past the upgrade.</li>
 * <li>From then on (set when the TLS filter, linked with its handler, begins the handshake, before
 * the ClientHello): raw bytes go on to the TLS filter, which decrypts them or fails the handshake
 * with them.</li>
 * </ul>
 * The state is volatile and changes only forwards; the I/O thread reads it once per network read.
 */
final class StartTlsGuard extends IoFilterAdapter {

    static final String NAME = "starttls-guard";

    /** Bytes received before the upgrade, for the plain stream only. */
    record PlainText(IoBuffer buffer) {
    }

    private enum State {
        PLAIN, UPGRADING, TLS
    }

    private final TcpConnection connection;
    private volatile State state = State.PLAIN;

    StartTlsGuard(TcpConnection connection) {
        this.connection = connection;
    }

    /** Whether startTls() has not begun: what arrives is plain text for the plain stream. */
    boolean isPlain() {
        return state == State.PLAIN;
    }

    /** startTls() is under way: refuse what arrives until {@link #tlsInstalled()}. */
    void upgrading() {
        state = State.UPGRADING;
    }

    /** The TLS filter is linked after this one: raw bytes go to it from now on. */
    void tlsInstalled() {
        state = State.TLS;
    }

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        if (!(message instanceof IoBuffer b)) {
            next.messageReceived(session, message);
            return;
        }
        switch (state) {
        case PLAIN -> next.messageReceived(session, new PlainText(b));
        case UPGRADING -> connection.tlsLayer.plainTextDuringUpgrade(b.remaining());
        default -> next.messageReceived(session, b);
        }
    }
}
