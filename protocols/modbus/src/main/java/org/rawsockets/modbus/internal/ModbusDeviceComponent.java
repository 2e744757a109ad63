package org.rawsockets.modbus.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.StrictConfig;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.annotation.RequireSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link ModbusClient} service per {@code org.rawsockets.modbus.device} factory configuration.
 * The configuration's {@code name} becomes the service property {@code name}. The socket service
 * is bundle scoped: this bundle's sockets are counted and checked against this bundle.
 *
 * <p>The configuration is read strictly and checked at activation (immediate component: a bad
 * configuration is reported when it arrives, and a good one connects at once unless
 * {@code connectOnStart=false}): a refused one is
 * one ERROR line on this class's logger naming the configuration, the property, the problem and the
 * rule, and is remembered in {@link #REGISTRY} so {@code modbus:devices} and "no device" answers can
 * say why. Two configurations with the same name: the second is refused.
 */
@RequireSocket(kind = RequireSocket.Kind.TCP, host = "*", ports = "*")
@RequireSocket(kind = RequireSocket.Kind.UDP_CONNECTED, host = "*", ports = "*")
@Component(configurationPid = DeviceConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = ModbusClient.class, immediate = true)
@Designate(ocd = DeviceConfig.class, factory = true)
public final class ModbusDeviceComponent implements ModbusClient {

    /** The configured devices of this bundle: names in use, rejected configurations. */
    public static final ConfigRegistry REGISTRY = new ConfigRegistry(DeviceConfig.PID, "Modbus device");
    private static final Logger LOG = LoggerFactory.getLogger(ModbusDeviceComponent.class);

    private final ModbusClientImpl client;
    private final ConfigRegistry.Claim claim;

    @Activate
    public ModbusDeviceComponent(@Reference(name = "sockets") SocketService sockets, Map<String, Object> properties) {
        this(sockets, properties, REGISTRY);
    }

    /**
     * A device from a configuration map, as DS gives it.
     *
     * @throws org.rawsockets.protocols.config.ConfigRejectedException when the configuration is
     *         refused (logged once at ERROR, remembered in {@code registry})
     */
    public ModbusDeviceComponent(SocketService sockets, Map<String, Object> properties, ConfigRegistry registry) {
        ConfigRegistry.Accepted<ClientSettings> accepted = registry.accept(properties, DeviceConfig.class, Set.of(),
                ModbusDeviceComponent::settings, ClientSettings::name, LOG);
        this.claim = accepted.claim();
        this.client = new ModbusClientImpl(accepted.value(), sockets);
    }

    /**
     * Turns a configuration into validated settings; {@link IllegalArgumentException} names the
     * property, the problem and the rule.
     */
    static ClientSettings settings(DeviceConfig c) {
        String name = c.name() == null ? "" : c.name().strip();
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw bad("name", name.isEmpty() ? null : name, name.isEmpty() ? "missing" : "not a device name",
                    "1..64 letters, digits, '.', '_', '-'");
        }
        String host = c.host().strip();
        String endpoint = c.endpoint().strip();
        if (host.isEmpty() == endpoint.isEmpty()) {
            throw bad(host.isEmpty() ? "host" : "endpoint", host.isEmpty() ? null : endpoint, host.isEmpty()
                    ? "missing, and no endpoint either" : "set together with host '" + host + "'", "set exactly one of"
                            + " host (with port) or endpoint (a socket endpoint name)");
        }
        ModbusTransport transport;
        try {
            transport = ModbusTransport.valueOf(c.transport().strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw bad("transport", c.transport(), "not a transport", "TCP, RTU_OVER_TCP or UDP");
        }
        range("port", c.port(), 1, 65535, "");
        boolean rtu = transport == ModbusTransport.RTU_OVER_TCP;
        range("unitId", c.unitId(), rtu ? 1 : 0, rtu ? 247 : 255, " for " + transport);
        range("maxInFlight", c.maxInFlight(), 1, 65535, "");
        range("maxQueued", c.maxQueued(), 0, 1_000_000, "");
        range("reconnectAfterTimeouts", c.reconnectAfterTimeouts(), 0, 65535, " (0: never)");
        Duration timeout = millis("timeoutMillis", c.timeoutMillis());
        Duration connectTimeout = millis("connectTimeoutMillis", c.connectTimeoutMillis());
        Duration reconnectMin = millis("reconnectMinMillis", c.reconnectMinMillis());
        Duration reconnectMax = millis("reconnectMaxMillis", c.reconnectMaxMillis());
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw bad("reconnectMaxMillis", c.reconnectMaxMillis(), "below reconnectMinMillis ("
                    + c.reconnectMinMillis() + ")", "reconnectMaxMillis >= reconnectMinMillis");
        }
        return new ClientSettings(name, host, endpoint, c.port(), transport, c.unitId(), timeout, connectTimeout,
                c.maxInFlight(), c.maxQueued(), reconnectMin, reconnectMax, c.reconnectAfterTimeouts(), c.connectOnStart());
    }

    private static void range(String property, long v, long min, long max, String context) {
        if (v < min || v > max) {
            throw bad(property, v, "out of range", min + ".." + max + context);
        }
    }

    private static Duration millis(String property, long v) {
        if (v < 1) {
            throw bad(property, v, "not positive", "a number of milliseconds, at least 1");
        }
        return Duration.ofMillis(v);
    }

    /** {@code field 'f' = 'v': problem; rule: r}; the registry puts the PID and file in front. */
    private static IllegalArgumentException bad(String property, Object value, String problem, String rule) {
        return new IllegalArgumentException(StrictConfig.field(property, value, problem, rule));
    }

    @Deactivate
    void deactivate() {
        claim.close();
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
