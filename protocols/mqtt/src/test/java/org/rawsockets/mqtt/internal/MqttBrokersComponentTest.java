package org.rawsockets.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.socket.admin.DeviceStatus;

/** The brokers on the web console's Devices page, against a real Mosquitto that is then stopped. */
class MqttBrokersComponentTest extends BrokerTestSupport {

    @Test
    void brokersShowTheirConnectionStateAndTheLastError() throws Exception {
        Mosquitto m = broker(new Mosquitto());
        MqttClientImpl site = client(settings("site", m, MqttVersion.V5).build());
        MqttClientImpl legacy = client(settings("legacy", m, MqttVersion.V3_1_1).build());
        await(site.connect());
        await(legacy.connect());
        MqttBrokersComponent provider = new MqttBrokersComponent(List.of(site, legacy));

        List<DeviceStatus> up = provider.devices();
        assertEquals(List.of("legacy", "site"), up.stream().map(DeviceStatus::name).toList(), up::toString);
        assertEquals("mqtt-3.1.1", up.get(0).kind());
        DeviceStatus s = up.get(1);
        assertEquals("mqtt-5", s.kind());
        assertEquals("mqtt 127.0.0.1:" + m.port, s.endpoint());
        assertTrue(s.state().startsWith("CONNECTED (0 published, 0 received, 0 queued, 0 reconnects)"), s.state());
        assertNull(s.lastError());
        assertNotNull(s.lastChange());

        m.close(); // the broker goes away: both clients lose their connection and say why
        Waits.until(30_000, "the Devices page to show both disconnected with an error",
                () -> provider.devices().stream().allMatch(d -> d.state().startsWith("DISCONNECTED") && d.lastError() != null),
                provider::devices);
        DeviceStatus down = provider.devices().get(1);
        assertNull(down.lastChange());
        assertTrue(down.lastError().contains(String.valueOf(m.port)), down.lastError());
    }
}
