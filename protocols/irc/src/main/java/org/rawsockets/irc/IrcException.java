package org.rawsockets.irc;

import java.io.IOException;

/**
 * An IRC operation failed. The message says what failed, on which network and why, so it can be
 * shown to a user as it is.
 *
 * <p>Subtypes: {@link IrcProtocolException} (the server sent something this client does not accept:
 * a line over the limits, a malformed line), {@link IrcRegistrationException} (the server did not
 * let the client in: nicknames refused, SASL failed, registration did not finish in time),
 * {@link IrcDisconnectedException} (the connection ended: ERROR/KILL, ping timeout, closed; the
 * pending command could not complete). Transport failures are the socket API's
 * {@link org.rawsockets.socket.RawSocketException} subtypes, not this type (use
 * {@link org.rawsockets.socket.NetworkException#reason()} to tell them apart).
 */
public abstract class IrcException extends IOException {
    private static final long serialVersionUID = 1L;

    protected IrcException(String message, Throwable cause) {
        super(message, cause);
    }
}
