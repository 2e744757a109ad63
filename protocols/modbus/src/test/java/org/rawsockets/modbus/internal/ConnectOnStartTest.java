package org.rawsockets.modbus.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.ModbusClient;
import org.rawsockets.modbus.ModbusClientStatus;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;

/**
 * {@code connectOnStart}: the device component built from its configuration map, as DS gives it, on
 * the real socket engine against an independent Modbus/TCP server (j2mod) on 127.0.0.1. By default a
 * configured device connects without any request, and its status (which {@code modbus:devices} prints)
 * and the console's Devices page show it connected; with {@code connectOnStart=false} it stays idle until the first
 * request opens the connection.
 */
class ConnectOnStartTest {

    static ModbusSlave slave;
    static int port;
    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;
    final List<ModbusDeviceComponent> active = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        SimpleProcessImage image = new SimpleProcessImage(1);
        for (int i = 0; i < 10; i++) {
            image.addRegister(new SimpleRegister(i * 7));
        }
        slave = ModbusSlaveFactory.createTCPSlave(InetAddress.getByName("127.0.0.1"), port, 4, false);
        slave.addProcessImage(1, image);
        slave.open(); // returns once it listens
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.modbus"));
    }

    @AfterAll
    static void stop() {
        sockets.close();
        engine.close();
        ModbusSlaveFactory.close(slave);
    }

    @AfterEach
    void deactivate() {
        active.forEach(ModbusDeviceComponent::deactivate);
    }

    private ModbusDeviceComponent device(String name, Object... kv) {
        Map<String, Object> props = new HashMap<>(Map.of("name", name, "host", "127.0.0.1", "port",
                String.valueOf(port), "timeoutMillis", "20000", "service.pid", DeviceConfig.PID + "~" + name));
        for (int i = 0; i < kv.length; i += 2) {
            props.put((String) kv[i], kv[i + 1]);
        }
        ModbusDeviceComponent c = new ModbusDeviceComponent(sockets, props,
                new ConfigRegistry(DeviceConfig.PID, "Modbus device"));
        active.add(c);
        return c;
    }

    private static String consoleState(ModbusClient c) {
        List<DeviceStatus> devices = new ModbusDevicesComponent(List.of(c)).devices();
        assertEquals(1, devices.size(), devices.toString());
        return devices.get(0).state();
    }

    @Test
    void byDefaultAConfiguredDeviceConnectsWithoutARequestAndShowsConnected() {
        ModbusDeviceComponent plc = device("watched");
        Waits.until(60_000, "connected without any request",
                () -> plc.status().state() == ModbusClientStatus.State.CONNECTED, plc::status);
        ModbusClientStatus s = plc.status();
        assertEquals(1, s.connects(), s.toString());
        assertEquals(0, s.completed() + s.failed(), "no request was made: " + s);
        assertTrue(consoleState(plc).startsWith("CONNECTED ("), consoleState(plc));
    }

    @Test
    void withConnectOnStartFalseADeviceStaysIdleUntilTheFirstRequestConnects() throws Exception {
        ModbusDeviceComponent plc = device("lazy", "connectOnStart", "false");
        // The connect is started in the constructor when it is started at all: no waiting needed.
        ModbusClientStatus idle = plc.status();
        assertEquals(ModbusClientStatus.State.IDLE, idle.state(), idle.toString());
        assertEquals(0, idle.connects(), idle.toString());
        assertTrue(consoleState(plc).startsWith("IDLE ("), consoleState(plc));

        int[] values = plc.readHoldingRegisters(1, 2, 3).toCompletableFuture().get(60, TimeUnit.SECONDS).toUnsigned();
        assertArrayEquals(new int[] { 14, 21, 28 }, values);
        ModbusClientStatus used = plc.status();
        assertEquals(ModbusClientStatus.State.CONNECTED, used.state(), used.toString());
        assertEquals(1, used.connects(), used.toString());
        assertEquals(1, used.completed(), used.toString());
    }
}
