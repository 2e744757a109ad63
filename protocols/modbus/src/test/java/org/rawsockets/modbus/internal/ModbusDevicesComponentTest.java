package org.rawsockets.modbus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** The Devices contract (DeviceStatusProvider) over real device components on the real socket engine. */
class ModbusDevicesComponentTest {

    private MinaSocketEngine engine;
    private MinaSocketEngine.OwnedSocketService sockets;
    private ModbusDeviceComponent plc;

    @BeforeEach
    void start() throws Exception {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.modbus"));
        int port = Peers.freePort(); // nothing listens there: the device's connect is refused
        Map<String, Object> props = new HashMap<>(Map.of("name", "plc1", "host", "127.0.0.1", "port", String.valueOf(port),
                "service.pid", DeviceConfig.PID + "~plc1"));
        plc = new ModbusDeviceComponent(sockets, props, new ConfigRegistry(DeviceConfig.PID, "Modbus device"));
    }

    @AfterEach
    void stop() {
        plc.deactivate();
        sockets.close();
        engine.close();
    }

    @Test
    void aDeviceWhoseConnectFailedShowsItsStateAndLastError() throws Exception {
        ModbusDevicesComponent devices = new ModbusDevicesComponent(List.of(plc));
        DeviceStatus before = devices.devices().get(0);
        assertEquals("plc1", before.name());
        assertEquals("modbus-tcp", before.kind());
        assertTrue(before.endpoint().contains("127.0.0.1:"), before.endpoint());
        assertTrue(before.state().matches("(IDLE|CONNECTING|BACKOFF) \\(.*"), before.state());

        assertThrows(ExecutionException.class,
                () -> plc.readHoldingRegisters(1, 0, 1).toCompletableFuture().get(60, TimeUnit.SECONDS));
        DeviceStatus after = devices.devices().get(0);
        assertTrue(after.state().startsWith("BACKOFF"), after.state());
        assertNotNull(after.lastError(), after.toString());
        assertTrue(after.lastError().contains("refused"), after.lastError());
    }
}
