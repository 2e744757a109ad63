package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.RawSocketException;
import org.rawsockets.socket.TimedOutException;

/**
 * Turns the service's typed failures into the exceptions Java network libraries expect from a
 * {@link java.net.Socket}, keeping the service's exception (and its message) as the cause:
 * <ul>
 * <li>{@link NotAllowedException} (policy, quota) is thrown as it is: an {@link IOException} that
 * the library reports as its connection error with the operator's message.</li>
 * <li>Timeouts become {@link SocketTimeoutException}, a refused connection {@link ConnectException},
 * an unknown host {@link UnknownHostException}, an unreachable one {@link NoRouteToHostException}
 * (libraries retry or report those by type).</li>
 * <li>Everything else on an open socket becomes a {@link SocketException}.</li>
 * </ul>
 */
final class SocketErrors {

    private SocketErrors() {
    }

    /** The failure of a stage, unwrapped. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A failed connect. */
    static IOException connect(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof NotAllowedException n) {
            return n;
        }
        String msg = message(t);
        if (t instanceof TimedOutException || t instanceof SocketTimeoutException) {
            return with(new SocketTimeoutException("connect timed out: " + msg), t);
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return with(new ConnectException(msg), t);
            }
            if (c instanceof NoRouteToHostException) {
                return with(new NoRouteToHostException(msg), t);
            }
            if (c instanceof UnknownHostException) {
                return with(new UnknownHostException(msg), t);
            }
        }
        if (t instanceof RawSocketException r) {
            return with(new ConnectException(msg), r);
        }
        return io(t);
    }

    /** A failed TLS handshake. */
    static IOException handshake(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof NotAllowedException n) {
            return n;
        }
        if (t instanceof TimedOutException) {
            return with(new SocketTimeoutException(message(t)), t);
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return with(new SSLHandshakeException(message(t)), t);
            }
        }
        return io(t);
    }

    /** A failure while reading or writing an open socket. */
    static IOException io(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof NotAllowedException n) {
            return n;
        }
        if (t instanceof SocketException s) {
            return s;
        }
        if (t instanceof TimedOutException) {
            return with(new SocketTimeoutException(message(t)), t);
        }
        if (t instanceof IllegalStateException) {
            throw (IllegalStateException) t; // blocking on an I/O thread: a programming error
        }
        return with(new SocketException(message(t)), t);
    }

    static <E extends IOException> E with(E e, Throwable cause) {
        e.initCause(cause);
        return e;
    }

    static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    }
}
