package org.rawsockets.socket;

import java.io.IOException;

/**
 * Base of the typed failures of this API. The message says what failed, where (destination) and
 * why, so that it can be shown to a user as it is.
 *
 * <p>Subtypes: {@link NotAllowedException}, {@link NetworkException}, {@link TimedOutException},
 * {@link SocketClosedException}, {@link FrameTooLongException}.
 */
public abstract class RawSocketException extends IOException {
    private static final long serialVersionUID = 1L;

    protected RawSocketException(String message, Throwable cause) {
        super(message, cause);
    }
}
