package org.rawsockets.irc;

/**
 * The server did not let the client in: every nickname refused (432/433/436/437, ERR_NICKLOCKED 902),
 * SASL authentication failed (904/905/906) with the policy requiring it, the server password
 * refused (464), or registration did not finish within the registration timeout.
 */
public class IrcRegistrationException extends IrcException {
    private static final long serialVersionUID = 1L;

    public IrcRegistrationException(String message) {
        super(message, null);
    }

    public IrcRegistrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
