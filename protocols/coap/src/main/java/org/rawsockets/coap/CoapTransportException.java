package org.rawsockets.coap;

/**
 * The datagram could not be sent or the socket could not be opened: the policy refused
 * ({@code NotAllowedException} as the cause), the network failed ({@code NetworkException}), or the
 * socket was closed. The cause is the socket service's exception.
 */
public class CoapTransportException extends CoapException {
    private static final long serialVersionUID = 1L;

    public CoapTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
