package org.rawsockets.mqtt.internal.codec;

import static org.rawsockets.mqtt.MqttProtocolException.MALFORMED;
import static org.rawsockets.mqtt.MqttProtocolException.PROTOCOL_ERROR;
import static org.rawsockets.mqtt.MqttProtocolException.TOPIC_NAME_INVALID;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.rawsockets.mqtt.MqttProtocolException;
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

/**
 * Decodes one packet from its first byte and its body (the remaining-length bytes), transport-free.
 * Everything that breaks the specification fails with {@link MqttProtocolException} (reason code
 * 0x81 malformed, 0x82 protocol error, 0x90 topic name invalid) naming the packet and the field; no
 * allocation is larger than the body, whatever a length field says.
 */
public final class Decoder {

    private Decoder() {
    }

    /**
     * Reads the remaining length (a variable byte integer) from {@code b} at its position.
     *
     * @return the length, or -1 when {@code b} ends before the integer does
     * @throws MqttProtocolException when the integer takes more than 4 bytes
     */
    public static int remainingLength(ByteBuffer b) throws MqttProtocolException {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            if (!b.hasRemaining()) {
                return -1;
            }
            int d = b.get() & 0xFF;
            value |= (d & 0x7F) << (7 * i);
            if ((d & 0x80) == 0) {
                return value;
            }
        }
        throw new MqttProtocolException(MALFORMED, "malformed remaining length: more than 4 bytes (the largest is "
                + Encoder.MAX_REMAINING_LENGTH + ")");
    }

    /** A topic filter: at least one character (MQTT-4.7.3-1; the encoder refuses an empty one too). */
    private static String filter(R r) throws MqttProtocolException {
        String f = r.str("topic filter");
        if (f.isEmpty()) {
            throw r.malformed("an empty topic filter (a topic filter has at least one character)");
        }
        return f;
    }

    /**
     * @param header the fixed header's first byte
     * @param body exactly the packet's remaining-length bytes (consumed)
     * @param v5 MQTT 5 (else 3.1.1)
     */
    public static Packet decode(int header, ByteBuffer body, boolean v5) throws MqttProtocolException {
        int type = (header >> 4) & 0xF;
        int flags = header & 0xF;
        String name = Packet.typeName(type);
        R r = new R(body, name);
        if (type == Packet.PUBLISH) {
            Packet p = publish(r, flags, v5);
            return p;
        }
        int expectedFlags = type == Packet.PUBREL || type == Packet.SUBSCRIBE || type == Packet.UNSUBSCRIBE ? 2 : 0;
        if (type == 0 || (type == Packet.AUTH && !v5)) {
            throw new MqttProtocolException(MALFORMED, "reserved packet type " + type
                    + (type == Packet.AUTH ? " (AUTH exists only in MQTT 5)" : ""));
        }
        if (flags != expectedFlags) {
            throw new MqttProtocolException(MALFORMED, String.format("%s with fixed header flags 0x%X, must be 0x%X",
                    name, flags, expectedFlags));
        }
        Packet p = switch (type) {
            case Packet.CONNECT -> connect(r);
            case Packet.CONNACK -> {
                int ackFlags = r.u8("acknowledge flags");
                if ((ackFlags & 0xFE) != 0) {
                    throw r.malformed("reserved acknowledge flag bits set");
                }
                int code = r.u8("reason code");
                if (!v5 && code > 5) {
                    throw r.malformed("return code " + code + " (0..5 in MQTT 3.1.1)");
                }
                if (code != 0 && (ackFlags & 1) != 0) {
                    throw r.error("session present with a failure reason code");
                }
                yield new Connack((ackFlags & 1) != 0, code, props(r, v5, Properties.Where.CONNACK));
            }
            case Packet.PUBACK, Packet.PUBREC, Packet.PUBREL, Packet.PUBCOMP -> {
                int id = r.packetId();
                int code = 0;
                Properties props = new Properties();
                if (v5 && r.b.hasRemaining()) {
                    code = r.u8("reason code");
                    if (r.b.hasRemaining()) {
                        props = props(r, true, Properties.Where.PUBACK);
                    }
                }
                yield new Ack(type, id, code, props);
            }
            case Packet.SUBSCRIBE -> {
                int id = r.packetId();
                Properties props = props(r, v5, Properties.Where.SUBSCRIBE);
                if (props.subscriptionIds().size() > 1) {
                    throw r.error("Subscription Identifier repeated");
                }
                if (props.subscriptionIds().contains(0)) {
                    throw r.error("Subscription Identifier 0");
                }
                List<Subscription> subs = new ArrayList<>();
                do {
                    String f = filter(r);
                    int o = r.u8("subscription options");
                    if ((o & (v5 ? 0xC0 : 0xFC)) != 0 || (o & 3) == 3 || ((o >> 4) & 3) == 3) {
                        throw r.malformed(String.format("subscription options 0x%02X for '%s'", o, f));
                    }
                    subs.add(new Subscription(f, o));
                } while (r.b.hasRemaining());
                yield new Subscribe(id, subs, props);
            }
            case Packet.SUBACK -> {
                int id = r.packetId();
                Properties props = props(r, v5, Properties.Where.SUBACK);
                List<Integer> codes = codes(r);
                for (int c : codes) {
                    if (!v5 && c > 2 && c != 0x80) {
                        throw r.malformed(String.format("return code 0x%02X (0, 1, 2 or 0x80 in MQTT 3.1.1)", c));
                    }
                }
                yield new Suback(id, codes, props);
            }
            case Packet.UNSUBSCRIBE -> {
                int id = r.packetId();
                Properties props = props(r, v5, Properties.Where.UNSUBSCRIBE);
                List<String> filters = new ArrayList<>();
                do {
                    filters.add(filter(r));
                } while (r.b.hasRemaining());
                yield new Unsubscribe(id, filters, props);
            }
            case Packet.UNSUBACK -> {
                int id = r.packetId();
                if (!v5) {
                    yield new Unsuback(id, List.of(), new Properties());
                }
                Properties props = props(r, true, Properties.Where.UNSUBACK);
                yield new Unsuback(id, codes(r), props);
            }
            case Packet.PINGREQ -> Ping.REQ;
            case Packet.PINGRESP -> Ping.RESP;
            case Packet.DISCONNECT -> {
                int code = 0;
                Properties props = new Properties();
                if (v5 && r.b.hasRemaining()) {
                    code = r.u8("reason code");
                    if (r.b.hasRemaining()) {
                        props = props(r, true, Properties.Where.DISCONNECT);
                    }
                }
                yield new Disconnect(code, props);
            }
            case Packet.AUTH -> {
                int code = 0;
                Properties props = new Properties();
                if (r.b.hasRemaining()) {
                    code = r.u8("reason code");
                    props = props(r, true, Properties.Where.AUTH);
                }
                if (code != 0 && code != 0x18 && code != 0x19) {
                    throw r.malformed(String.format("reason code 0x%02X (0x00, 0x18 or 0x19)", code));
                }
                yield new Auth(code, props);
            }
            default -> throw new IllegalStateException("type " + type);
        };
        if (r.b.hasRemaining()) {
            throw r.malformed(r.b.remaining() + " bytes after the end of the packet");
        }
        return p;
    }

    private static List<Integer> codes(R r) throws MqttProtocolException {
        List<Integer> codes = new ArrayList<>(r.b.remaining());
        if (!r.b.hasRemaining()) {
            throw r.error("no reason code");
        }
        while (r.b.hasRemaining()) {
            codes.add(r.b.get() & 0xFF);
        }
        return codes;
    }

    private static Publish publish(R r, int flags, boolean v5) throws MqttProtocolException {
        int qos = (flags >> 1) & 3;
        boolean dup = (flags & 8) != 0;
        if (qos == 3) {
            throw r.malformed("QoS 3");
        }
        if (qos == 0 && dup) {
            throw r.malformed("DUP set with QoS 0");
        }
        String topic = r.str("topic name");
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            throw new MqttProtocolException(TOPIC_NAME_INVALID, "PUBLISH topic name '" + topic
                    + "' contains a wildcard");
        }
        int id = qos > 0 ? r.packetId() : 0;
        Properties props = props(r, v5, Properties.Where.PUBLISH);
        if (topic.isEmpty() && !props.has(Properties.TOPIC_ALIAS)) {
            throw new MqttProtocolException(TOPIC_NAME_INVALID, "PUBLISH with an empty topic name and no topic alias");
        }
        if (props.has(Properties.TOPIC_ALIAS) && props.intValue(Properties.TOPIC_ALIAS, 0) == 0) {
            throw r.error("Topic Alias 0");
        }
        if (props.subscriptionIds().contains(0)) {
            throw r.error("Subscription Identifier 0");
        }
        byte[] payload = new byte[r.b.remaining()];
        r.b.get(payload);
        return new Publish(dup, qos, (flags & 1) != 0, topic, id, payload, props);
    }

    private static Connect connect(R r) throws MqttProtocolException {
        String proto = r.str("protocol name");
        if (!proto.equals("MQTT")) {
            throw r.malformed("protocol name '" + proto + "', must be 'MQTT'");
        }
        int level = r.u8("protocol level");
        if (level != 4 && level != 5) {
            throw new MqttProtocolException(0x84, "CONNECT: unsupported protocol level " + level + " (4 or 5)");
        }
        boolean v5 = level == 5;
        int flags = r.u8("connect flags");
        if ((flags & 1) != 0) {
            throw r.malformed("reserved connect flag set");
        }
        boolean will = (flags & 4) != 0;
        int willQos = (flags >> 3) & 3;
        boolean willRetain = (flags & 0x20) != 0;
        if (!will && (willQos != 0 || willRetain)) {
            throw r.malformed("will QoS or will retain without the will flag");
        }
        if (willQos == 3) {
            throw r.malformed("will QoS 3");
        }
        boolean password = (flags & 0x40) != 0;
        boolean username = (flags & 0x80) != 0;
        if (!v5 && password && !username) {
            throw r.malformed("password flag without user name flag (MQTT 3.1.1)");
        }
        int keepAlive = r.u16("keep alive");
        Properties props = props(r, v5, Properties.Where.CONNECT);
        String clientId = r.str("client identifier");
        Will w = null;
        if (will) {
            Properties wp = props(r, v5, Properties.Where.WILL);
            String topic = r.str("will topic");
            if (topic.isEmpty() || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
                throw new MqttProtocolException(TOPIC_NAME_INVALID, "CONNECT will topic '" + topic + "' is invalid");
            }
            w = new Will(topic, r.binary("will payload"), willQos, willRetain, wp);
        }
        String user = username ? r.str("user name") : null;
        byte[] pass = password ? r.binary("password") : null;
        return new Connect(level, clientId, (flags & 2) != 0, keepAlive, user, pass, w, props);
    }

    private static Properties props(R r, boolean v5, Properties.Where where) throws MqttProtocolException {
        Properties p = new Properties();
        if (!v5) {
            return p;
        }
        int len = r.vbi("property length");
        if (len > r.b.remaining()) {
            throw r.malformed("property length " + len + " beyond the packet's " + r.b.remaining()
                    + " remaining bytes");
        }
        int end = r.b.position() + len;
        while (r.b.position() < end) {
            int id = r.vbi("property identifier");
            Properties.Def d = Properties.def(id);
            if (d == null) {
                throw r.malformed(String.format("unknown property identifier 0x%02X", id));
            }
            if ((d.where() & where.bit()) == 0) {
                throw r.error(d.name() + " is not allowed in " + where);
            }
            boolean repeatable = id == Properties.USER_PROPERTY
                    || (id == Properties.SUBSCRIPTION_ID && where == Properties.Where.PUBLISH);
            if (!repeatable && (p.has(id) || (id == Properties.SUBSCRIPTION_ID && !p.subscriptionIds().isEmpty()))) {
                throw r.error(d.name() + " included more than once");
            }
            switch (d.type()) {
                case BYTE -> {
                    int v = r.u8(d.name());
                    if (v > 1 && id != Properties.MAXIMUM_QOS) {
                        throw r.error(d.name() + " " + v + " (0 or 1)");
                    }
                    if (id == Properties.MAXIMUM_QOS && v > 1) {
                        throw r.error("Maximum QoS " + v + " (0 or 1)");
                    }
                    p.put(id, v);
                }
                case TWO -> {
                    int v = r.u16(d.name());
                    if (v == 0 && id == Properties.RECEIVE_MAXIMUM) {
                        throw r.error("Receive Maximum 0");
                    }
                    p.put(id, v);
                }
                case FOUR -> {
                    long v = r.u32(d.name());
                    if (v == 0 && id == Properties.MAXIMUM_PACKET_SIZE) {
                        throw r.error("Maximum Packet Size 0");
                    }
                    p.put(id, v);
                }
                case VBI -> p.put(id, r.vbi(d.name()));
                case UTF8 -> p.put(id, r.str(d.name()));
                case BINARY -> p.put(id, r.binary(d.name()));
                case PAIR -> p.addUser(new UserProperty(r.str("user property name"), r.str("user property value")));
            }
            if (r.b.position() > end) {
                throw r.malformed(d.name() + " runs past the property length");
            }
        }
        return p;
    }

    /** A reader over the body that names the packet in its errors. */
    private static final class R {
        final ByteBuffer b;
        final String packet;

        R(ByteBuffer b, String packet) {
            this.b = b;
            this.packet = packet;
        }

        MqttProtocolException malformed(String what) {
            return new MqttProtocolException(MALFORMED, packet + ": malformed packet: " + what);
        }

        MqttProtocolException error(String what) {
            return new MqttProtocolException(PROTOCOL_ERROR, packet + ": protocol error: " + what);
        }

        private void need(int n, String field) throws MqttProtocolException {
            if (b.remaining() < n) {
                throw malformed(field + " needs " + n + " bytes, " + b.remaining() + " left");
            }
        }

        int u8(String field) throws MqttProtocolException {
            need(1, field);
            return b.get() & 0xFF;
        }

        int u16(String field) throws MqttProtocolException {
            need(2, field);
            return b.getShort() & 0xFFFF;
        }

        long u32(String field) throws MqttProtocolException {
            need(4, field);
            return b.getInt() & 0xFFFFFFFFL;
        }

        int packetId() throws MqttProtocolException {
            int id = u16("packet identifier");
            if (id == 0) {
                throw malformed("packet identifier 0");
            }
            return id;
        }

        int vbi(String field) throws MqttProtocolException {
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int d = u8(field);
                value |= (d & 0x7F) << (7 * i);
                if ((d & 0x80) == 0) {
                    return value;
                }
            }
            throw malformed(field + ": variable byte integer longer than 4 bytes");
        }

        byte[] binary(String field) throws MqttProtocolException {
            int n = u16(field + " length");
            need(n, field);
            byte[] out = new byte[n];
            b.get(out);
            return out;
        }

        String str(String field) throws MqttProtocolException {
            int n = u16(field + " length");
            need(n, field);
            ByteBuffer slice = b.slice(b.position(), n);
            b.position(b.position() + n);
            CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            String s;
            try {
                CharBuffer cb = dec.decode(slice);
                s = cb.toString();
            } catch (CharacterCodingException e) {
                throw malformed(field + " is not well-formed UTF-8");
            }
            if (s.indexOf('\0') >= 0) {
                throw malformed(field + " contains U+0000");
            }
            return s;
        }
    }
}
