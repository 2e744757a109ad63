package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;

/** The factory configuration read strictly: good values used, bad ones refused naming the property and rule. */
class DeviceComponentTest extends CoapTestSupport {

    final ConfigRegistry registry = new ConfigRegistry(DeviceConfig.PID, "CoAP device");

    CoapDeviceComponent component(Map<String, Object> props) {
        Map<String, Object> p = new HashMap<>(props);
        p.putIfAbsent("service.pid", DeviceConfig.PID + "." + p.get("name"));
        CoapDeviceComponent c = new CoapDeviceComponent(sockets, p, registry);
        closing(c::deactivate);
        return c;
    }

    @Test
    void goodConfigurationServesRequests() throws Exception {
        Libcoap server = libcoap();
        CoapDeviceComponent c = component(Map.of("name", "lab", "host", "127.0.0.1", "port", server.port,
                "ackTimeoutMillis", 500L, "maxRetransmit", 2, "ackRandomFactor", "1.25"));
        assertEquals("lab", c.name());
        assertEquals("127.0.0.1:" + server.port, c.target());
        assertEquals("2.05", await(c.get("/")).code());
        assertTrue(c.status().startsWith("open, datagrams sent 1, received 1"), c.status());
    }

    @Test
    void badValuesAreRefusedWithPropertyAndRule() {
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class,
                () -> component(Map.of("name", "b1", "host", "127.0.0.1", "blockSize", 1000)));
        assertTrue(e.getMessage().contains("blockSize") && e.getMessage().contains("16, 32, 64, 128, 256, 512 or 1024"),
                e.getMessage());
        e = assertThrows(ConfigRejectedException.class,
                () -> component(Map.of("name", "b2", "host", "127.0.0.1", "endpoint", "plc")));
        assertTrue(e.getMessage().contains("set exactly one of host"), e.getMessage());
        e = assertThrows(ConfigRejectedException.class,
                () -> component(Map.of("name", "b3", "host", "127.0.0.1", "maxRetransmit", 50)));
        assertTrue(e.getMessage().contains("maxRetransmit") && e.getMessage().contains("0..10"), e.getMessage());
        e = assertThrows(ConfigRejectedException.class, () -> component(Map.of("name", "bad name!", "host", "h")));
        assertTrue(e.getMessage().contains("name"), e.getMessage());
        e = assertThrows(ConfigRejectedException.class,
                () -> component(Map.of("name", "b4", "host", "127.0.0.1", "ackRandomFactor", "1,5")));
        assertTrue(e.getMessage().contains("ackRandomFactor") && e.getMessage().contains("not a number"), e.getMessage());
        e = assertThrows(ConfigRejectedException.class,
                () -> component(Map.of("name", "b5", "host", "127.0.0.1", "ackRandomFactor", "5")));
        assertTrue(e.getMessage().contains("ackRandomFactor") && e.getMessage().contains("1.0..4.0"), e.getMessage());
        assertEquals(6, registry.rejections().size());
    }

    @Test
    void duplicateNameIsRefused() {
        component(Map.of("name", "dup", "host", "127.0.0.1", "service.pid", "p1"));
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class,
                () -> component(Map.of("name", "dup", "host", "127.0.0.2", "service.pid", "p2")));
        assertTrue(e.getMessage().contains("already the name of"), e.getMessage());
    }
}
