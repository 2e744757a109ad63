package org.rawsockets.socket.mina.internal;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;

/**
 * Sits below the TLS filter of a connection (between it and the network). Inbound: after each
 * network read has been decrypted, tells whether the peer's close_notify arrived (MINA's TLS handler
 * raises no event for it), which ends the readable side as a FIN would. Outbound: keeps the TLS
 * records handed to the network and not yet written to the channel, so that the FIN of a TLS
 * half-close follows close_notify. MINA's TLS handler writes close_notify (and handshake records) as
 * requests of its own, with no usable future, which the session's scheduled-write counter does not
 * count; a FIN sent while one is still queued makes the I/O processor's write fail on the shut-down
 * channel, and MINA then closes the whole session, dropping what the peer still sends. The set is
 * bounded by the TLS handler's own window of unacknowledged records. And: makes sure the connection
 * learns that its session closed ({@link #sessionClosed}).
 */
final class TlsWatch extends IoFilterAdapter {

    static final String NAME = "tls-watch";

    private final TcpConnection connection;
    // guarded by this
    private final Set<WriteRequest> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean finArmed;
    private boolean finSent;

    TlsWatch(TcpConnection connection) {
        this.connection = connection;
    }

    @Override
    public void messageReceived(NextFilter next, IoSession s, Object message) throws Exception {
        next.messageReceived(s, message);
        connection.tlsLayer.onUnsecured(s);
    }

    @Override
    public void filterWrite(NextFilter next, IoSession s, WriteRequest request) throws Exception {
        synchronized (this) {
            inFlight.add(request);
        }
        next.filterWrite(s, request);
    }

    @Override
    public void messageSent(NextFilter next, IoSession s, WriteRequest request) throws Exception {
        boolean fin;
        try {
            // the TLS handler first: acknowledging a record may hand further records down
            next.messageSent(s, request);
        } finally {
            synchronized (this) {
                fin = inFlight.remove(request) && finArmed && !finSent && inFlight.isEmpty();
                finSent |= fin;
            }
        }
        if (fin) {
            connection.closer.finAfterCloseNotify(s);
        }
    }

    /**
     * The session closed. MINA's TLS filter, next in the chain, throws a handshake error it kept
     * pending from its {@code sessionClosed}, and MINA then never passes the event on to the handler:
     * the connection would never learn that its session is gone (stay registered, never complete
     * {@code closed()}). So the connection is told here too, after the rest of the chain ran
     * ({@link TcpCloser#onSessionClosed} runs once).
     */
    @Override
    public void sessionClosed(NextFilter next, IoSession s) throws Exception {
        try {
            next.sessionClosed(s);
        } finally {
            connection.closer.onSessionClosed();
        }
    }

    /**
     * close_notify has been handed down (the TLS handler's close returned): the FIN goes now if every
     * record is written, else once the last one is (I/O thread, {@link #messageSent}).
     */
    void armFin(IoSession s) {
        boolean fin;
        synchronized (this) {
            finArmed = true;
            fin = !finSent && inFlight.isEmpty();
            finSent |= fin;
        }
        if (fin) {
            connection.closer.finAfterCloseNotify(s);
        }
    }
}
