package org.rawsockets.modbus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.ModbusTransport;

/** Factory configuration → settings: defaults from the annotation, validation messages name the property. */
class DeviceConfigTest {

    /** A DeviceConfig as DS would build it: given properties, else the annotation defaults. */
    static DeviceConfig config(Map<String, Object> props) {
        return (DeviceConfig) Proxy.newProxyInstance(DeviceConfig.class.getClassLoader(),
                new Class<?>[] { DeviceConfig.class }, (proxy, method, args) -> {
                    Object v = props.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
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
        assertEquals("tcp 10.1.2.3:502", s.target());
    }

    @Test
    void rtuForcesOneInFlightAndEndpointsWork() {
        Map<String, Object> p = new HashMap<>();
        p.put("name", "gw");
        p.put("endpoint", "serial-gateway");
        p.put("transport", "rtu-over-tcp");
        p.put("maxInFlight", 10);
        ClientSettings s = ModbusDeviceComponent.settings(config(p));
        assertEquals(ModbusTransport.RTU_OVER_TCP, s.transport());
        assertEquals(1, s.maxInFlight());
        assertEquals("rtu-over-tcp endpoint serial-gateway", s.target());
    }

    @Test
    void invalidConfigurationsNameTheProperty() {
        assertMessage(Map.of("name", "bad name", "host", "h"), "name must be");
        assertMessage(Map.of("name", "d"), "exactly one of host");
        assertMessage(Map.of("name", "d", "host", "h", "endpoint", "e"), "exactly one of host");
        assertMessage(Map.of("name", "d", "host", "h", "transport", "serial"), "transport must be");
        assertMessage(Map.of("name", "d", "host", "h", "port", 70000), "port must be 1..65535");
        assertMessage(Map.of("name", "d", "host", "h", "transport", "RTU_OVER_TCP", "unitId", 0), "unitId must be 1..247");
        assertMessage(Map.of("name", "d", "host", "h", "timeoutMillis", 0L), "timeout must be > 0");
        assertMessage(Map.of("name", "d", "host", "h", "reconnectMinMillis", 5000L, "reconnectMaxMillis", 10L),
                "reconnectMax");
    }

    private static void assertMessage(Map<String, Object> props, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModbusDeviceComponent.settings(config(props)));
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }
}
