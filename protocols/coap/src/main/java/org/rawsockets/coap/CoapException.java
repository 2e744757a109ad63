package org.rawsockets.coap;

import java.io.IOException;

/**
 * A CoAP exchange failed. The message names the device, the request and the cause. Subclasses say
 * which kind of failure it was; a response with an error code (4.xx, 5.xx) is not an exception but a
 * {@link CoapResponse}.
 */
public class CoapException extends IOException {
    private static final long serialVersionUID = 1L;

    public CoapException(String message, Throwable cause) {
        super(message, cause);
    }
}
