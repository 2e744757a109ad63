package org.rawsockets.coap;

/**
 * The peer answered with something this client cannot use: the exchange was rejected (RST), a
 * response body exceeded {@code maxBodyBytes}, a malformed message or link-format document.
 */
public class CoapProtocolException extends CoapException {
    private static final long serialVersionUID = 1L;

    public CoapProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
