package org.rawsockets.modbus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.ModbusTransport;
import org.rawsockets.protocols.config.StrictConfig;

/** Factory configuration → settings: defaults from the annotation, validation messages name the property and rule. */
class DeviceConfigTest {

    /** A DeviceConfig as the component reads it: given properties (strictly converted), else the defaults. */
    static DeviceConfig config(Map<String, Object> props) {
        return StrictConfig.read(DeviceConfig.class, props, Set.of()).config();
    }

    @Test
    void defaults() {
        ClientSettings s = ModbusDeviceComponent.settings(config(Map.of("name", "plc1", "host", "10.1.2.3")));
        assertEquals("plc1", s.name());
        assertEquals(502, s.port());
        assertEquals(ModbusTransport.TCP, s.transport());
        assertEquals(1, s.unitId());
        assertEquals(Duration.ofSeconds(2), s.timeout());
        assertEquals(16, s.maxInFlight());
        assertEquals(3, s.reconnectAfterTimeouts());
        assertTrue(s.connectOnStart());
        assertEquals("tcp 10.1.2.3:502", s.target());
    }

    @Test
    void rtuForcesOneInFlightAndEndpointsWork() {
        Map<String, Object> p = new HashMap<>();
        p.put("name", "gw");
        p.put("endpoint", "serial-gateway");
        p.put("transport", "rtu-over-tcp");
        p.put("maxInFlight", "10");
        p.put("reconnectAfterTimeouts", "0");
        p.put("connectOnStart", "false");
        ClientSettings s = ModbusDeviceComponent.settings(config(p));
        assertEquals(ModbusTransport.RTU_OVER_TCP, s.transport());
        assertEquals(1, s.maxInFlight());
        assertEquals(0, s.reconnectAfterTimeouts());
        assertFalse(s.connectOnStart());
        assertEquals("rtu-over-tcp endpoint serial-gateway", s.target());
    }

    @Test
    void invalidConfigurationsNameThePropertyTheProblemAndTheRule() {
        assertMessage(Map.of("name", "bad name", "host", "h"),
                "field 'name' = 'bad name': not a device name; rule: 1..64 letters, digits, '.', '_', '-'");
        assertMessage(Map.of("host", "h"), "field 'name': missing;");
        assertMessage(Map.of("name", "d"), "field 'host': missing, and no endpoint either; rule: set exactly one of host"
                + " (with port) or endpoint (a socket endpoint name)");
        assertMessage(Map.of("name", "d", "host", "h", "endpoint", "e"), "field 'endpoint' = 'e': set together with host 'h'");
        assertMessage(Map.of("name", "d", "host", "h", "transport", "serial"),
                "field 'transport' = 'serial': not a transport; rule: TCP, RTU_OVER_TCP or UDP");
        assertMessage(Map.of("name", "d", "host", "h", "port", 70000), "field 'port' = '70000': out of range; rule: 1..65535");
        assertMessage(Map.of("name", "d", "host", "h", "transport", "RTU_OVER_TCP", "unitId", 0),
                "field 'unitId' = '0': out of range; rule: 1..247 for RTU_OVER_TCP");
        assertMessage(Map.of("name", "d", "host", "h", "timeoutMillis", 0L),
                "field 'timeoutMillis' = '0': not positive; rule: a number of milliseconds, at least 1");
        assertMessage(Map.of("name", "d", "host", "h", "reconnectMinMillis", 5000L, "reconnectMaxMillis", 10L),
                "field 'reconnectMaxMillis' = '10': below reconnectMinMillis (5000); rule: reconnectMaxMillis >="
                        + " reconnectMinMillis");
        assertMessage(Map.of("name", "d", "host", "h", "reconnectAfterTimeouts", -1),
                "field 'reconnectAfterTimeouts' = '-1': out of range; rule: 0..65535 (0: never)");
    }

    private static void assertMessage(Map<String, Object> props, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModbusDeviceComponent.settings(config(props)));
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }
}
