package org.rawsockets.modbus.internal.codec;

import org.rawsockets.modbus.FunctionCode;
import org.rawsockets.modbus.ModbusException;
import org.rawsockets.modbus.ModbusExceptionResponse;
import org.rawsockets.modbus.ModbusProtocolException;

/**
 * One encoded request PDU and the rules its response PDU must satisfy. Built (and validated) by
 * {@link Pdus}; immutable.
 *
 * @param <T> decoded response value
 */
public final class Request<T> {

    /** Decodes a response PDU whose function code already matched. */
    @FunctionalInterface
    public interface ResponseDecoder<T> {
        T decode(byte[] pdu, String context) throws ModbusProtocolException;
    }

    private final byte[] pdu;
    private final String description;
    private final ResponseDecoder<T> decoder;

    Request(byte[] pdu, String description, ResponseDecoder<T> decoder) {
        this.pdu = pdu;
        this.description = description;
        this.decoder = decoder;
    }

    public int functionCode() {
        return pdu[0] & 0xFF;
    }

    /** The request PDU; callers must not modify it. */
    public byte[] pdu() {
        return pdu;
    }

    /** e.g. {@code Read Holding Registers (0x03) address 100 quantity 10}. */
    public String description() {
        return description;
    }

    /**
     * Checks {@code response} against this request and decodes it.
     *
     * @param context who/where, for messages
     * @throws ModbusExceptionResponse for an exception response to this function
     * @throws ModbusProtocolException for anything that does not match the request
     */
    public T decode(byte[] response, String context) throws ModbusException {
        int fc = functionCode();
        if (response.length == 0) {
            throw new ModbusProtocolException(context + ": empty response PDU to " + description);
        }
        int rfc = response[0] & 0xFF;
        if (rfc == (fc | 0x80)) {
            if (response.length != 2) {
                throw new ModbusProtocolException(context + ": exception response to " + description + " has "
                        + response.length + " bytes, expected 2");
            }
            throw new ModbusExceptionResponse(context, fc, response[1] & 0xFF);
        }
        if (rfc != fc) {
            throw new ModbusProtocolException(context + ": response has " + FunctionCode.describe(rfc & 0x7F)
                    + ((rfc & 0x80) != 0 ? " (exception)" : "") + " but the request was " + description);
        }
        return decoder.decode(response, context);
    }

    @Override
    public String toString() {
        return description;
    }
}
