package org.rawsockets.modbus;

/**
 * The bytes received break the Modbus protocol: a malformed frame, a bad CRC, or a response that
 * does not match its request (function, unit, length, echoed values). On a stream transport the
 * connection is dropped and re-established, because framing can no longer be trusted.
 */
public class ModbusProtocolException extends ModbusException {
    private static final long serialVersionUID = 1L;

    public ModbusProtocolException(String message) {
        super(message);
    }
}
