package org.rawsockets.modbus.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.DeviceIdentification;
import org.rawsockets.modbus.ModbusClient;
import org.rawsockets.modbus.ModbusClientStatus;
import org.rawsockets.modbus.ModbusTransport;
import org.rawsockets.modbus.Registers;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.annotation.RequireSocket;

/**
 * One {@link ModbusClient} service per {@code org.rawsockets.modbus.device} factory configuration.
 * The configuration's {@code name} becomes the service property {@code name}. The socket service
 * is bundle scoped: this bundle's sockets are counted and checked against this bundle.
 */
@RequireSocket(kind = RequireSocket.Kind.TCP, host = "*", ports = "*")
@RequireSocket(kind = RequireSocket.Kind.UDP_CONNECTED, host = "*", ports = "*")
@Component(configurationPid = DeviceConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = ModbusClient.class)
@Designate(ocd = DeviceConfig.class, factory = true)
public final class ModbusDeviceComponent implements ModbusClient {

    private final ModbusClientImpl client;

    @Activate
    public ModbusDeviceComponent(@Reference(name = "sockets") SocketService sockets, DeviceConfig config) {
        this.client = new ModbusClientImpl(settings(config), sockets);
    }

    /** Turns a configuration into validated settings (IllegalArgumentException names the bad property). */
    static ClientSettings settings(DeviceConfig c) {
        String name = c.name() == null ? "" : c.name().strip();
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("modbus device name must be 1..64 of letters, digits, '.', '_', '-',"
                    + " was '" + name + "'");
        }
        ModbusTransport transport;
        try {
            transport = ModbusTransport.valueOf(c.transport().strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("modbus device '" + name + "': transport must be TCP, RTU_OVER_TCP or"
                    + " UDP, was '" + c.transport() + "'");
        }
        return new ClientSettings(name, c.host(), c.endpoint(), c.port(), transport, c.unitId(),
                Duration.ofMillis(c.timeoutMillis()), Duration.ofMillis(c.connectTimeoutMillis()), c.maxInFlight(),
                c.maxQueued(), Duration.ofMillis(c.reconnectMinMillis()), Duration.ofMillis(c.reconnectMaxMillis()));
    }

    @Deactivate
    void deactivate() {
        client.close();
    }

    @Override
    public String name() {
        return client.name();
    }

    @Override
    public int defaultUnitId() {
        return client.defaultUnitId();
    }

    @Override
    public CompletionStage<Bits> readCoils(int unitId, int address, int quantity) {
        return client.readCoils(unitId, address, quantity);
    }

    @Override
    public CompletionStage<Bits> readDiscreteInputs(int unitId, int address, int quantity) {
        return client.readDiscreteInputs(unitId, address, quantity);
    }

    @Override
    public CompletionStage<Registers> readHoldingRegisters(int unitId, int address, int quantity) {
        return client.readHoldingRegisters(unitId, address, quantity);
    }

    @Override
    public CompletionStage<Registers> readInputRegisters(int unitId, int address, int quantity) {
        return client.readInputRegisters(unitId, address, quantity);
    }

    @Override
    public CompletionStage<Void> writeSingleCoil(int unitId, int address, boolean value) {
        return client.writeSingleCoil(unitId, address, value);
    }

    @Override
    public CompletionStage<Void> writeSingleRegister(int unitId, int address, int value) {
        return client.writeSingleRegister(unitId, address, value);
    }

    @Override
    public CompletionStage<Void> writeMultipleCoils(int unitId, int address, Bits values) {
        return client.writeMultipleCoils(unitId, address, values);
    }

    @Override
    public CompletionStage<Void> writeMultipleRegisters(int unitId, int address, Registers values) {
        return client.writeMultipleRegisters(unitId, address, values);
    }

    @Override
    public CompletionStage<Void> maskWriteRegister(int unitId, int address, int andMask, int orMask) {
        return client.maskWriteRegister(unitId, address, andMask, orMask);
    }

    @Override
    public CompletionStage<Registers> readWriteMultipleRegisters(int unitId, int readAddress, int readQuantity,
            int writeAddress, Registers values) {
        return client.readWriteMultipleRegisters(unitId, readAddress, readQuantity, writeAddress, values);
    }

    @Override
    public CompletionStage<DeviceIdentification> readDeviceIdentification(int unitId, DeviceIdCategory category) {
        return client.readDeviceIdentification(unitId, category);
    }

    @Override
    public CompletionStage<byte[]> sendRaw(int unitId, byte[] pdu) {
        return client.sendRaw(unitId, pdu);
    }

    @Override
    public ModbusClientStatus status() {
        return client.status();
    }
}
