package org.rawsockets.modbus;

import java.io.IOException;

/**
 * A Modbus call failed. The subclass says why: the device answered with an exception
 * ({@link ModbusExceptionResponse}), the answer broke the protocol ({@link ModbusProtocolException}),
 * no answer in time ({@link ModbusTimeoutException}), or no connection ({@link ModbusConnectionException}).
 * Messages name the device, the call and the cause.
 */
public class ModbusException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModbusException(String message) {
        super(message);
    }

    public ModbusException(String message, Throwable cause) {
        super(message, cause);
    }
}
