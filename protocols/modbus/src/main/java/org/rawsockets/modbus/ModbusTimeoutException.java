package org.rawsockets.modbus;

/** No response arrived within the request timeout; the request's slot was freed. */
public class ModbusTimeoutException extends ModbusException {
    private static final long serialVersionUID = 1L;

    public ModbusTimeoutException(String message) {
        super(message);
    }
}
