package org.rawsockets.modbus;

/**
 * The request could not be sent or its answer could not arrive: the connection could not be
 * opened, was lost while the request was in flight, the client was closed, or its queue was full.
 */
public class ModbusConnectionException extends ModbusException {
    private static final long serialVersionUID = 1L;

    public ModbusConnectionException(String message) {
        super(message);
    }

    public ModbusConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
