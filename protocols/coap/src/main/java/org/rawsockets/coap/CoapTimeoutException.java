package org.rawsockets.coap;

/**
 * No answer in time: a confirmable request was not acknowledged after the initial transmission and
 * every retransmission (RFC 7252 section 4.2: ACK_TIMEOUT doubled each time, MAX_RETRANSMIT times),
 * or the request's overall {@code timeoutMillis} passed. The message says which and the limits.
 */
public class CoapTimeoutException extends CoapException {
    private static final long serialVersionUID = 1L;

    public CoapTimeoutException(String message) {
        super(message, null);
    }
}
