package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapException;
import org.rawsockets.coap.CoapTimeoutException;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.socket.admin.DeviceStatus;

/**
 * The CoAP devices on the web console's Devices page: UNKNOWN until a request, REACHABLE with the code
 * and time against libcoap's coap-server, TIMEOUT against a peer that never answers, and TIMEOUT or FAILED
 * (as the request failed) once coap-server is stopped.
 */
class CoapDevicesComponentTest extends CoapTestSupport {

    final ConfigRegistry registry = new ConfigRegistry(DeviceConfig.PID, "CoAP device");

    CoapDeviceComponent component(String name, int port) {
        Map<String, Object> p = new HashMap<>(Map.of("name", name, "host", "127.0.0.1", "port", port,
                "ackTimeoutMillis", 200L, "maxRetransmit", 1, "timeoutMillis", 30_000L));
        p.put("service.pid", DeviceConfig.PID + "." + name);
        CoapDeviceComponent c = new CoapDeviceComponent(sockets, p, registry);
        closing(c::deactivate);
        return c;
    }

    @Test
    void devicesShowTheOutcomeOfTheirLastRequest() throws Exception {
        Libcoap server = libcoap();
        SilentServerTest.SilentPeer silent = closing(new SilentServerTest.SilentPeer());
        CoapDeviceComponent lab = component("lab", server.port);
        CoapDeviceComponent mute = component("mute", silent.port());
        CoapDevicesComponent provider = new CoapDevicesComponent(List.of(mute, lab));

        assertEquals(List.of(new DeviceStatus("lab", "coap", "coap://127.0.0.1:" + server.port, "UNKNOWN", null, null),
                new DeviceStatus("mute", "coap", "coap://127.0.0.1:" + silent.port(), "UNKNOWN", null, null)),
                provider.devices());

        assertEquals("2.05", await(lab.get("/")).code());
        DeviceStatus reachable = provider.devices().get(0);
        assertTrue(reachable.state().matches("REACHABLE \\(2\\.05 in \\d+ ms\\)"), reachable.toString());
        assertNull(reachable.lastError());
        assertNotNull(reachable.lastChange());
        assertEquals("4.04", await(lab.get("/no/such/resource")).code()); // an answer all the same
        assertTrue(provider.devices().get(0).state().startsWith("REACHABLE (4.04 in "), provider.devices().toString());

        CoapTimeoutException timeout = assertThrows(CoapTimeoutException.class, () -> await(mute.get("/x")));
        DeviceStatus timedOut = provider.devices().get(1);
        assertEquals("TIMEOUT", timedOut.state());
        assertEquals(timeout.getMessage(), timedOut.lastError());
        assertTrue(timedOut.lastError().contains("127.0.0.1:" + silent.port()), timedOut.lastError());
        assertTrue(provider.devices().get(0).state().startsWith("REACHABLE"), "the other device is unaffected");

        server.close(); // the device goes away: the next request fails, and the page shows it
        CoapException gone = assertThrows(CoapException.class, () -> await(lab.get("/")));
        DeviceStatus after = provider.devices().get(0);
        // the ICMP port unreachable may end the socket (FAILED: cannot send) before the retransmissions run out (TIMEOUT)
        assertEquals(gone instanceof CoapTimeoutException ? "TIMEOUT" : "FAILED", after.state(), gone.toString());
        assertEquals(gone.getMessage(), after.lastError());
        System.out.println("coap-server stopped: " + after);
    }
}
