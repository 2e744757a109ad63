package org.rawsockets.modbus;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A Modbus client for one device, sharing one connection among all callers. Registered as an OSGi
 * service per configured device (factory PID {@code org.rawsockets.modbus.device}) with the service
 * property {@code name}.
 *
 * <p>All calls are asynchronous. Arguments are checked before anything is sent: addresses
 * 0..65535, quantities within the Modbus limits (e.g. 125 registers, 2000 coils per read), unit id
 * 0..255 (1..247 for RTU) — a violation throws {@link IllegalArgumentException} at once. Otherwise
 * the stage fails with a {@link ModbusException}: {@link ModbusExceptionResponse} (the device
 * answered with an exception code), {@link ModbusTimeoutException}, {@link ModbusProtocolException}
 * or {@link ModbusConnectionException}.
 *
 * <p>Stages complete on a socket I/O thread: use the {@code ...Async} stage methods for work that
 * blocks.
 */
@ProviderType
public interface ModbusClient {

    /** Maximum registers per read (functions 3, 4 and the read part of 23). */
    int MAX_READ_REGISTERS = 125;
    /** Maximum bits per read (functions 1 and 2). */
    int MAX_READ_BITS = 2000;
    /** Maximum registers per write (function 16). */
    int MAX_WRITE_REGISTERS = 123;
    /** Maximum registers in the write part of function 23. */
    int MAX_READ_WRITE_WRITE_REGISTERS = 121;
    /** Maximum coils per write (function 15). */
    int MAX_WRITE_COILS = 1968;

    /** The device name (the {@code name} service property). */
    String name();

    /** The unit id configured for the device, for callers that do not pick one. */
    int defaultUnitId();

    /** Function 1. */
    CompletionStage<Bits> readCoils(int unitId, int address, int quantity);

    /** Function 2. */
    CompletionStage<Bits> readDiscreteInputs(int unitId, int address, int quantity);

    /** Function 3. */
    CompletionStage<Registers> readHoldingRegisters(int unitId, int address, int quantity);

    /** Function 4. */
    CompletionStage<Registers> readInputRegisters(int unitId, int address, int quantity);

    /** Function 5. */
    CompletionStage<Void> writeSingleCoil(int unitId, int address, boolean value);

    /** Function 6; {@code value} as int16 or uint16 (-32768..65535). */
    CompletionStage<Void> writeSingleRegister(int unitId, int address, int value);

    /** Function 15. */
    CompletionStage<Void> writeMultipleCoils(int unitId, int address, Bits values);

    /** Function 16. */
    CompletionStage<Void> writeMultipleRegisters(int unitId, int address, Registers values);

    /** Function 22: {@code register = (register AND andMask) OR (orMask AND NOT andMask)}. */
    CompletionStage<Void> maskWriteRegister(int unitId, int address, int andMask, int orMask);

    /** Function 23: writes {@code values} at {@code writeAddress}, then reads. */
    CompletionStage<Registers> readWriteMultipleRegisters(int unitId, int readAddress, int readQuantity,
            int writeAddress, Registers values);

    /**
     * Function 43/14, stream access: reads all objects of {@code category}, following the device's
     * "more follows" continuation (bounded to 64 round trips).
     */
    CompletionStage<DeviceIdentification> readDeviceIdentification(int unitId, DeviceIdCategory category);

    /**
     * Sends a request PDU (function code + data) as is and returns the response PDU. An exception
     * response still fails with {@link ModbusExceptionResponse}; a response with another function
     * code fails with {@link ModbusProtocolException}. Over RTU only the function codes above can be
     * framed (RTU has no length field), others throw {@link IllegalArgumentException}.
     *
     * @param pdu 1..253 bytes, function code 1..127 first
     */
    CompletionStage<byte[]> sendRaw(int unitId, byte[] pdu);

    /** Connection state and counters. */
    ModbusClientStatus status();
}
