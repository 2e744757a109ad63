package org.rawsockets.mqtt.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.rawsockets.mqtt.MqttProtocolException;

/**
 * Found by issue 21's MQTT fuzz target: the decoder accepted SUBSCRIBE/UNSUBSCRIBE with an empty
 * topic filter (MQTT-4.7.3-1 requires at least one character), a packet the encoder refuses.
 */
class EmptyTopicFilterTest {

    private static MqttProtocolException refused(String hex, boolean v5) {
        byte[] b = HexFormat.of().parseHex(hex);
        ByteBuffer body = ByteBuffer.wrap(b, 2, b.length - 2);
        return assertThrows(MqttProtocolException.class, () -> Decoder.decode(b[0] & 0xFF, body, v5));
    }

    @Test
    void unsubscribeWithAnEmptyFilterIsMalformed() {
        MqttProtocolException e = refused("a2050007000000", true); // v5: packet id 7, no properties, ""
        assertEquals(MqttProtocolException.MALFORMED, e.reasonCode());
        assertTrue(e.getMessage().contains("empty topic filter"), e.getMessage());
        refused("a20400070000", false); // MQTT 3.1.1: packet id 7, filter of length 0
    }

    @Test
    void subscribeWithAnEmptyFilterIsMalformed() {
        refused("8206000700000001", true); // v5: packet id 7, no properties, "", options 1
        refused("82050007000001", false);
    }
}
