package org.rawsockets.modbus.internal;

import java.util.concurrent.CompletionStage;

import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.DeviceIdentification;
import org.rawsockets.modbus.FunctionCode;
import org.rawsockets.modbus.ModbusClient;
import org.rawsockets.modbus.ModbusTransport;
import org.rawsockets.modbus.Registers;
import org.rawsockets.modbus.internal.codec.Pdus;
import org.rawsockets.modbus.internal.codec.Request;
import org.rawsockets.modbus.internal.codec.RtuCodec;

/**
 * The client API as requests: each call checks its unit id and arguments, builds its PDU and hands
 * it to {@link #submit}, which the client implements (queue, connection, timeouts).
 */
abstract class ModbusRequestApi implements ModbusClient {

    final ClientSettings settings;
    final boolean rtu;
    /** The device, for messages: {@code modbus device 'name' (target)}. */
    final String who;
    private final DeviceIdReader deviceIds;

    ModbusRequestApi(ClientSettings settings, String who) {
        this.settings = settings;
        this.rtu = settings.transport() == ModbusTransport.RTU_OVER_TCP;
        this.who = who;
        this.deviceIds = new DeviceIdReader(this::submit, who);
    }

    /** Queues {@code request} for unit {@code unitId}; its stage completes with the answer or the failure. */
    abstract <T> CompletionStage<T> submit(int unitId, Request<T> request);

    @Override
    public CompletionStage<Bits> readCoils(int unitId, int address, int quantity) {
        return submit(unitId, Pdus.readBits(FunctionCode.READ_COILS, address, quantity));
    }

    @Override
    public CompletionStage<Bits> readDiscreteInputs(int unitId, int address, int quantity) {
        return submit(unitId, Pdus.readBits(FunctionCode.READ_DISCRETE_INPUTS, address, quantity));
    }

    @Override
    public CompletionStage<Registers> readHoldingRegisters(int unitId, int address, int quantity) {
        return submit(unitId, Pdus.readRegisters(FunctionCode.READ_HOLDING_REGISTERS, address, quantity));
    }

    @Override
    public CompletionStage<Registers> readInputRegisters(int unitId, int address, int quantity) {
        return submit(unitId, Pdus.readRegisters(FunctionCode.READ_INPUT_REGISTERS, address, quantity));
    }

    @Override
    public CompletionStage<Void> writeSingleCoil(int unitId, int address, boolean value) {
        return submit(unitId, Pdus.writeSingleCoil(address, value));
    }

    @Override
    public CompletionStage<Void> writeSingleRegister(int unitId, int address, int value) {
        return submit(unitId, Pdus.writeSingleRegister(address, value));
    }

    @Override
    public CompletionStage<Void> writeMultipleCoils(int unitId, int address, Bits values) {
        return submit(unitId, Pdus.writeMultipleCoils(address, values));
    }

    @Override
    public CompletionStage<Void> writeMultipleRegisters(int unitId, int address, Registers values) {
        return submit(unitId, Pdus.writeMultipleRegisters(address, values));
    }

    @Override
    public CompletionStage<Void> maskWriteRegister(int unitId, int address, int andMask, int orMask) {
        return submit(unitId, Pdus.maskWriteRegister(address, andMask, orMask));
    }

    @Override
    public CompletionStage<Registers> readWriteMultipleRegisters(int unitId, int readAddress, int readQuantity,
            int writeAddress, Registers values) {
        return submit(unitId, Pdus.readWriteMultipleRegisters(readAddress, readQuantity, writeAddress, values));
    }

    @Override
    public CompletionStage<DeviceIdentification> readDeviceIdentification(int unitId, DeviceIdCategory category) {
        checkUnit(unitId);
        return deviceIds.read(unitId, category);
    }

    @Override
    public CompletionStage<byte[]> sendRaw(int unitId, byte[] pdu) {
        Request<byte[]> request = Pdus.raw(pdu);
        if (rtu && !RtuCodec.canFrame(request.functionCode())) {
            throw new IllegalArgumentException(who + ": " + FunctionCode.describe(request.functionCode())
                    + " cannot be used over RTU: RTU frames have no length, and this client only knows the"
                    + " response length of functions 1-6, 15, 16, 22, 23, 43");
        }
        return submit(unitId, request);
    }

    void checkUnit(int unitId) {
        int min = rtu ? 1 : 0;
        int max = rtu ? 247 : 255;
        if (unitId < min || unitId > max) {
            throw new IllegalArgumentException(who + ": unit id must be " + min + ".." + max + " for "
                    + settings.transport() + ", was " + unitId);
        }
    }
}
