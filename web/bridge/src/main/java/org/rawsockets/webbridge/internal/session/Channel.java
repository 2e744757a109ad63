package org.rawsockets.webbridge.internal.session;

import java.util.concurrent.CompletionException;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.webbridge.internal.protocol.BridgeProtocolException;
import org.rawsockets.webbridge.internal.protocol.ErrorName;
import org.rawsockets.webbridge.internal.protocol.Frame;

/** One bridged socket of a {@link BridgeSession}. */
abstract class Channel {

    final BridgeSession session;
    final int id;
    private boolean finished;

    Channel(BridgeSession session, int id) {
        this.session = session;
        this.id = id;
    }

    /** Starts opening (or, for an accepted connection, reading). */
    abstract void start();

    /** A DATA or DATAGRAM frame from the page. */
    abstract void data(Frame frame) throws BridgeProtocolException;

    /** A CREDIT frame from the page. */
    abstract void credit(int amount) throws BridgeProtocolException;

    /** An END frame from the page. */
    abstract void end() throws BridgeProtocolException;

    /** A STARTTLS frame from the page; only a TCP connection opened with {@code tls=starttls} takes it. */
    void startTls(Frame frame) throws BridgeProtocolException {
        throw new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR, "socket " + id
                + " is not a TCP connection: STARTTLS upgrades a TCP socket opened with tls=starttls");
    }

    /** A CLOSE frame from the page. */
    abstract void close();

    /** The session ends: close the socket, send nothing. */
    abstract void abort();

    /** "tcp 127.0.0.1:7" for logs. */
    abstract String describe();

    /**
     * Ends this socket on the page's side, once: CLOSE when {@code error} is {@code null}, else ERROR
     * with the error's name, and forgets the id.
     */
    final void finish(Throwable error) {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        session.remove(this);
        if (error == null) {
            session.out().send(Frame.empty(Frame.CLOSE, id));
        } else {
            session.out().send(errorFrame(id, error));
        }
    }

    final synchronized boolean finished() {
        return finished;
    }

    static BridgeProtocolException creditOverflow(int id, String what, long have, long want) {
        return new BridgeProtocolException(BridgeProtocolException.PROTOCOL_ERROR, "credit overflow on socket " + id
                + ": " + what + " " + want + " bytes with " + have + " bytes of credit; wait for CREDIT frames");
    }

    /** The ERROR frame for a socket's failure. */
    static java.nio.ByteBuffer errorFrame(int id, Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        ErrorName name;
        String reason = "";
        if (e instanceof NotAllowedException) {
            name = ErrorName.NotAllowedError;
        } else if (e instanceof NetworkException n) {
            name = ErrorName.NetworkError;
            reason = n.reason().name();
        } else if (e instanceof TimedOutException) {
            name = ErrorName.TimeoutError;
        } else if (e instanceof SocketClosedException || e instanceof IllegalStateException) {
            name = ErrorName.InvalidStateError;
        } else if (e instanceof IllegalArgumentException) {
            name = ErrorName.TypeError;
        } else {
            name = ErrorName.NetworkError;
            reason = "OTHER";
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Frame.error(id, name, reason, message);
    }
}
