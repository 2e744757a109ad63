package org.rawsockets.modbus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * The real DS component built from configuration maps: a rejected configuration is one ERROR line
 * naming the PID, the property, the problem and the rule; typos DS would coerce are errors; unknown
 * keys are warned about; a second device with a name in use is refused.
 */
class DeviceComponentTest {

    private MinaSocketEngine engine;
    private MinaSocketEngine.OwnedSocketService sockets;
    private ConfigRegistry registry;
    private final List<ModbusDeviceComponent> active = new java.util.ArrayList<>();
    private int port;

    @BeforeEach
    void start() throws Exception {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.modbus"));
        registry = new ConfigRegistry(DeviceConfig.PID, "Modbus device");
        port = Peers.freePort(); // nothing listens: valid devices back off, which is all these tests need
    }

    @AfterEach
    void stop() {
        active.forEach(ModbusDeviceComponent::deactivate);
        sockets.close();
        engine.close();
    }

    private Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>(Map.of("host", "127.0.0.1", "port", String.valueOf(port)));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        m.putIfAbsent("service.pid", DeviceConfig.PID + "~" + m.get("name"));
        return m;
    }

    private ModbusDeviceComponent component(Map<String, Object> props) {
        ModbusDeviceComponent c = new ModbusDeviceComponent(sockets, props, registry);
        active.add(c);
        return c;
    }

    /** Runs {@code r} and returns what slf4j-simple logged (to System.err) meanwhile. */
    static List<String> logged(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aRejectedConfigurationIsOneErrorLine() {
        List<String> log = logged(() -> {
            ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> component(props("name", "bad",
                    "unitId", 300, "felix.fileinstall.filename", "file:/gw/etc/org.rawsockets.modbus.device-bad.cfg")));
            assertEquals("PID org.rawsockets.modbus.device~bad (/gw/etc/org.rawsockets.modbus.device-bad.cfg) field"
                    + " 'unitId' = '300': out of range; rule: 0..255 for TCP", e.getMessage());
        });
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).contains("ERROR " + ModbusDeviceComponent.class.getName() + " - configuration rejected:"
                + " PID org.rawsockets.modbus.device~bad (/gw/etc/org.rawsockets.modbus.device-bad.cfg) field 'unitId' ="
                + " '300': out of range; rule: 0..255 for TCP; this Modbus device is not available until the"
                + " configuration is fixed"), log.get(0));
        assertTrue(registry.rejection("bad").isPresent());
    }

    @Test
    void typosThatDsWouldCoerceAreErrorsAndUnknownKeysAreWarned() {
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class,
                () -> component(props("name", "d", "timeoutMillis", "1s")));
        assertEquals("PID org.rawsockets.modbus.device~d field 'timeoutMillis' = '1s': not a whole number; rule: a whole"
                + " number such as 5000", e.getMessage());
        List<String> log = logged(() -> component(props("name", "w", "timeoutMilis", "500")));
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).contains("WARN " + ModbusDeviceComponent.class.getName() + " - configuration PID"
                + " org.rawsockets.modbus.device~w: unknown key 'timeoutMilis' is ignored; did you mean 'timeoutMillis'?"),
                log.get(0));
    }

    @Test
    void aSecondDeviceWithTheSameNameIsRefusedNamingTheFirst() throws Exception {
        String other = String.valueOf(Peers.freePort());
        ModbusDeviceComponent first = component(props("name", "plc1"));
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class,
                () -> component(props("name", "plc1", "service.pid", DeviceConfig.PID + "~plc1-copy", "port", other)));
        assertEquals("PID org.rawsockets.modbus.device~plc1-copy field 'name' = 'plc1': already the name of PID"
                + " org.rawsockets.modbus.device~plc1; rule: each Modbus device needs its own name; this configuration is"
                + " refused, the other one stays in use", e.getMessage());
        assertEquals("tcp 127.0.0.1:" + port, first.status().target(), "the first one is untouched");
        first.deactivate();
        active.remove(first);
        assertEquals("tcp 127.0.0.1:" + other, component(props("name", "plc1", "service.pid", DeviceConfig.PID + "~plc1-copy",
                "port", other)).status().target(), "once the first is gone the name is free");
    }
}
