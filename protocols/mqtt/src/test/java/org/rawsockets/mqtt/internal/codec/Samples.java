package org.rawsockets.mqtt.internal.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.rawsockets.mqtt.UserProperty;
import org.rawsockets.mqtt.internal.codec.Packet.Ack;
import org.rawsockets.mqtt.internal.codec.Packet.Auth;
import org.rawsockets.mqtt.internal.codec.Packet.Connack;
import org.rawsockets.mqtt.internal.codec.Packet.Connect;
import org.rawsockets.mqtt.internal.codec.Packet.Disconnect;
import org.rawsockets.mqtt.internal.codec.Packet.Ping;
import org.rawsockets.mqtt.internal.codec.Packet.Publish;
import org.rawsockets.mqtt.internal.codec.Packet.Suback;
import org.rawsockets.mqtt.internal.codec.Packet.Subscribe;
import org.rawsockets.mqtt.internal.codec.Packet.Subscription;
import org.rawsockets.mqtt.internal.codec.Packet.Unsuback;
import org.rawsockets.mqtt.internal.codec.Packet.Unsubscribe;
import org.rawsockets.mqtt.internal.codec.Packet.Will;

/** One or more packets of every type for MQTT 5 and 3.1.1, with every property where allowed. */
public final class Samples {
    private Samples() {
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static List<Packet> v5() {
        List<Packet> l = new ArrayList<>();
        Properties connect = new Properties().put(Properties.SESSION_EXPIRY, 3600L)
                .put(Properties.RECEIVE_MAXIMUM, 20).put(Properties.MAXIMUM_PACKET_SIZE, 65536L)
                .put(Properties.TOPIC_ALIAS_MAXIMUM, 10).put(Properties.REQUEST_RESPONSE_INFO, 1)
                .put(Properties.REQUEST_PROBLEM_INFO, 0).put(Properties.AUTH_METHOD, "SCRAM")
                .put(Properties.AUTH_DATA, new byte[] {1, 2}).addUser(new UserProperty("k", "v"))
                .addUser(new UserProperty("k", "v2"));
        Properties will = new Properties().put(Properties.WILL_DELAY, 5L).put(Properties.PAYLOAD_FORMAT, 1)
                .put(Properties.MESSAGE_EXPIRY, 60L).put(Properties.CONTENT_TYPE, "text/plain")
                .put(Properties.RESPONSE_TOPIC, "r/t").put(Properties.CORRELATION_DATA, new byte[] {9});
        l.add(new Connect(5, "client-\u00e9\u4e2d\ud83d\ude00", true, 60, "user", utf8("pw"),
                new Will("will/t", utf8("gone"), 1, true, will), connect));
        l.add(new Connect(5, "", false, 0, null, null, null, null));
        l.add(new Connect(5, "c", false, 65535, null, utf8("only-password"), null, null));
        Properties connack = new Properties().put(Properties.SESSION_EXPIRY, 10L)
                .put(Properties.ASSIGNED_CLIENT_ID, "auto-1").put(Properties.SERVER_KEEP_ALIVE, 30)
                .put(Properties.RESPONSE_INFO, "ri").put(Properties.SERVER_REFERENCE, "other:1883")
                .put(Properties.REASON_STRING, "ok").put(Properties.RECEIVE_MAXIMUM, 100)
                .put(Properties.TOPIC_ALIAS_MAXIMUM, 5).put(Properties.MAXIMUM_QOS, 1)
                .put(Properties.RETAIN_AVAILABLE, 0).put(Properties.MAXIMUM_PACKET_SIZE, 1_000_000L)
                .put(Properties.WILDCARD_SUB_AVAILABLE, 1).put(Properties.SUB_ID_AVAILABLE, 1)
                .put(Properties.SHARED_SUB_AVAILABLE, 0);
        l.add(new Connack(true, 0, connack));
        l.add(new Connack(false, 0x86, null));
        Properties pub = new Properties().put(Properties.PAYLOAD_FORMAT, 1).put(Properties.MESSAGE_EXPIRY, 7L)
                .put(Properties.CONTENT_TYPE, "application/json").put(Properties.RESPONSE_TOPIC, "reply")
                .put(Properties.CORRELATION_DATA, new byte[] {1}).put(Properties.TOPIC_ALIAS, 3)
                .put(Properties.SUBSCRIPTION_ID, 1).put(Properties.SUBSCRIPTION_ID, 268_435_455)
                .addUser(new UserProperty("a", "b"));
        l.add(new Publish(false, 0, false, "a/b", 0, new byte[0], null));
        l.add(new Publish(true, 1, true, "sensors/\u00fc", 1, utf8("{\"t\":21.5}"), pub));
        l.add(new Publish(false, 2, false, "", 65535, new byte[300], new Properties().put(Properties.TOPIC_ALIAS, 1)));
        l.add(new Publish(false, 2, false, "big", 7, new byte[20_000], null));
        for (int t = Packet.PUBACK; t <= Packet.PUBCOMP; t++) {
            l.add(Ack.of(t, 1));
            l.add(new Ack(t, 65535, 0x10, null));
            l.add(new Ack(t, 2, 0x80, new Properties().put(Properties.REASON_STRING, "no")
                    .addUser(new UserProperty("x", "y"))));
        }
        l.add(new Subscribe(3, List.of(new Subscription("a/+/c", 0), new Subscription("#", 0x2E),
                new Subscription("$share/g/t", 1)), new Properties().put(Properties.SUBSCRIPTION_ID, 42)));
        l.add(new Suback(3, List.of(0, 1, 2, 0x80, 0x8F), new Properties().put(Properties.REASON_STRING, "r")));
        l.add(new Unsubscribe(4, List.of("a/#", "b"), new Properties().addUser(new UserProperty("u", ""))));
        l.add(new Unsuback(4, List.of(0, 0x11), null));
        l.add(Ping.REQ);
        l.add(Ping.RESP);
        l.add(new Disconnect(0, null));
        l.add(new Disconnect(0x04, null));
        l.add(new Disconnect(0x8E, new Properties().put(Properties.SESSION_EXPIRY, 0L)
                .put(Properties.REASON_STRING, "taken over").put(Properties.SERVER_REFERENCE, "s")));
        l.add(new Auth(0, null));
        l.add(new Auth(0x18, new Properties().put(Properties.AUTH_METHOD, "m").put(Properties.AUTH_DATA, new byte[3])));
        return l;
    }

    static List<Packet> v311() {
        List<Packet> l = new ArrayList<>();
        l.add(new Connect(4, "c311", true, 10, "u", utf8("p"), new Will("w", utf8("x"), 2, false, null), null));
        l.add(new Connect(4, "c", false, 0, null, null, null, null));
        l.add(new Connack(true, 0, null));
        l.add(new Connack(false, 5, null));
        l.add(new Publish(false, 0, true, "t", 0, utf8("hello"), null));
        l.add(new Publish(true, 2, false, "t/u", 9, new byte[200], null));
        for (int t = Packet.PUBACK; t <= Packet.PUBCOMP; t++) {
            l.add(Ack.of(t, 12));
        }
        l.add(new Subscribe(1, List.of(new Subscription("a/#", 2), new Subscription("+", 0)), null));
        l.add(new Suback(1, List.of(2, 0x80), null));
        l.add(new Unsubscribe(2, List.of("a/#"), null));
        l.add(new Unsuback(2, List.of(), null));
        l.add(Ping.REQ);
        l.add(Ping.RESP);
        l.add(new Disconnect(0, null));
        return l;
    }
}
