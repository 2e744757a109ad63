package org.rawsockets.webbridge.internal.protocol;

/**
 * The error names an ERROR frame carries: the {@code DOMException} names of the Direct Sockets
 * specification (and {@code TypeError} for invalid options), so the JavaScript library rejects with
 * them unchanged.
 */
public enum ErrorName {
    /** The policy or a quota refused it (a {@code NotAllowedException}). */
    NotAllowedError,
    /** DNS, refused, reset, TLS... (a {@code NetworkException}; the reason field says which). */
    NetworkError,
    /** A connect, read or close time limit passed. */
    TimeoutError,
    /** The socket was closed, or a frame named a socket that is not open. */
    InvalidStateError,
    /**
     * An OPEN frame named an endpoint the operator did not configure (the page cannot know which
     * exist: the message names the endpoint and how the operator adds it, not the configured ones).
     */
    NotFoundError,
    /** Invalid options in an OPEN frame. */
    TypeError,
    /** The page broke the protocol (malformed frame, credit overflow, frame too large); the WebSocket closes. */
    ProtocolError
}
