package org.rawsockets.mqtt.internal.codec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import org.rawsockets.mqtt.MqttLimitException;
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
import org.rawsockets.mqtt.internal.codec.Properties.Type;

/**
 * Encodes packets (transport-free). Invalid values (a string with U+0000 or an unpaired surrogate, a
 * string over 65535 bytes, a wildcard in a topic name, packet id 0 where it is forbidden, a property
 * not allowed in the packet, a 3.1.1 packet that does not exist) throw
 * {@link IllegalArgumentException} naming the field; a packet larger than the maximum packet size
 * throws {@link MqttLimitException} before anything is sent.
 */
public final class Encoder {

    /** The largest remaining length a variable byte integer can carry. */
    public static final int MAX_REMAINING_LENGTH = 268_435_455;

    private static final byte[] EMPTY = new byte[0];

    private Encoder() {
    }

    /**
     * @param p the packet
     * @param v5 MQTT 5 (else 3.1.1)
     * @param maxPacketSize the receiver's maximum packet size (whole packet, fixed header included)
     * @return the packet's bytes, ready to write (position 0)
     */
    public static ByteBuffer encode(Packet p, boolean v5, long maxPacketSize) throws MqttLimitException {
        return prepare(p, v5, maxPacketSize).buffer();
    }

    /**
     * A packet checked and encoded except for its final buffer: the fixed and variable header are
     * encoded (every check done, the size known), the PUBLISH payload is not copied yet.
     * {@link #buffer()} allocates the packet's buffer and copies header and payload into it; the
     * client calls it outside its lock (with a 4 KiB payload that copy is most of the encoding).
     */
    public static final class Prepared {
        private final int first;
        private final int len;
        private final int total;
        private final Out header;
        private final byte[] tail;

        private Prepared(int first, int len, int total, Out header, byte[] tail) {
            this.first = first;
            this.len = len;
            this.total = total;
            this.header = header;
            this.tail = tail;
        }

        /** The whole packet's size in bytes. */
        public int size() {
            return total;
        }

        /** The packet's bytes in a new buffer of exactly {@link #size()} bytes, ready to write (position 0). */
        public ByteBuffer buffer() {
            ByteBuffer b = ByteBuffer.allocate(total);
            putInto(b);
            return b.flip();
        }

        /** Puts the packet's bytes at {@code b}'s position ({@link #size()} bytes must remain). */
        public void putInto(ByteBuffer b) {
            b.put((byte) first);
            putVbi(b, len);
            b.put(header.buf, 0, header.size);
            b.put(tail);
        }
    }

    /**
     * Checks and encodes {@code p} up to its final buffer (see {@link Prepared}); throws what
     * {@link #encode} throws.
     */
    public static Prepared prepare(Packet p, boolean v5, long maxPacketSize) throws MqttLimitException {
        Out o = new Out(64);
        int flags = 0;
        // A PUBLISH payload is not copied into o: it goes straight into the packet's buffer, sized exactly
        // once (profiled: growing o to the payload's size and copying it twice was most of the client's
        // allocation and a third of its CPU at 4 KiB).
        byte[] tail = EMPTY;
        if (p instanceof Connect c) {
            connect(o, c);
        } else if (p instanceof Connack c) {
            o.u8(c.sessionPresent() ? 1 : 0);
            o.u8(c.reasonCode());
            props(o, c.properties(), v5, Properties.Where.CONNACK);
        } else if (p instanceof Publish pub) {
            flags = (pub.dup() ? 8 : 0) | (pub.qos() << 1) | (pub.retain() ? 1 : 0);
            publish(o, pub, v5);
            tail = pub.payload();
        } else if (p instanceof Ack a) {
            flags = a.type() == Packet.PUBREL ? 2 : 0;
            packetId(o, a.packetId(), Packet.typeName(a.type()));
            if (v5 && (a.reasonCode() != 0 || !a.properties().isEmpty())) {
                o.u8(a.reasonCode());
                if (!a.properties().isEmpty()) {
                    props(o, a.properties(), true, Properties.Where.PUBACK);
                }
            }
        } else if (p instanceof Subscribe s) {
            flags = 2;
            packetId(o, s.packetId(), "SUBSCRIBE");
            props(o, s.properties(), v5, Properties.Where.SUBSCRIBE);
            if (s.subscriptions().isEmpty()) {
                throw new IllegalArgumentException("SUBSCRIBE needs at least one topic filter");
            }
            for (Subscription sub : s.subscriptions()) {
                filter(o, sub.filter());
                int opts = sub.options();
                int allowed = v5 ? 0x3F : 0x03;
                if ((opts & ~allowed) != 0 || (opts & 3) == 3 || ((opts >> 4) & 3) == 3) {
                    throw new IllegalArgumentException(String.format(
                            "subscription options 0x%02X of '%s' are invalid for MQTT %s", opts, sub.filter(),
                            v5 ? "5" : "3.1.1"));
                }
                o.u8(opts);
            }
        } else if (p instanceof Suback s) {
            packetId(o, s.packetId(), "SUBACK");
            props(o, s.properties(), v5, Properties.Where.SUBACK);
            s.reasonCodes().forEach(o::u8);
        } else if (p instanceof Unsubscribe u) {
            flags = 2;
            packetId(o, u.packetId(), "UNSUBSCRIBE");
            props(o, u.properties(), v5, Properties.Where.UNSUBSCRIBE);
            if (u.filters().isEmpty()) {
                throw new IllegalArgumentException("UNSUBSCRIBE needs at least one topic filter");
            }
            u.filters().forEach(f -> filter(o, f));
        } else if (p instanceof Unsuback u) {
            packetId(o, u.packetId(), "UNSUBACK");
            if (v5) {
                props(o, u.properties(), true, Properties.Where.UNSUBACK);
                u.reasonCodes().forEach(o::u8);
            }
        } else if (p instanceof Ping ping) {
            // no variable header, no payload
        } else if (p instanceof Disconnect d) {
            if (v5 && (d.reasonCode() != 0 || !d.properties().isEmpty())) {
                o.u8(d.reasonCode());
                if (!d.properties().isEmpty()) {
                    props(o, d.properties(), true, Properties.Where.DISCONNECT);
                }
            }
        } else if (p instanceof Auth a) {
            if (!v5) {
                throw new IllegalArgumentException("AUTH does not exist in MQTT 3.1.1");
            }
            if (a.reasonCode() != 0 || !a.properties().isEmpty()) {
                o.u8(a.reasonCode());
                props(o, a.properties(), true, Properties.Where.AUTH);
            }
        }
        long whole = (long) o.size + tail.length;
        if (whole > MAX_REMAINING_LENGTH) {
            throw new MqttLimitException(Packet.typeName(p.type()) + " of " + whole
                    + " bytes is over MQTT's largest remaining length " + MAX_REMAINING_LENGTH);
        }
        int len = (int) whole;
        int total = 1 + vbiSize(len) + len;
        if (total > maxPacketSize) {
            throw new MqttLimitException(Packet.typeName(p.type()) + " of " + total
                    + " bytes is larger than the maximum packet size " + maxPacketSize + " the receiver accepts");
        }
        return new Prepared(p.type() << 4 | flags, len, total, o, tail);
    }

    private static void connect(Out o, Connect c) {
        boolean v5 = c.protocolLevel() == 5;
        if (c.protocolLevel() != 4 && !v5) {
            throw new IllegalArgumentException("protocol level must be 4 (3.1.1) or 5, was " + c.protocolLevel());
        }
        o.str("MQTT");
        o.u8(c.protocolLevel());
        int flags = c.cleanStart() ? 2 : 0;
        if (c.will() != null) {
            if (c.will().qos() < 0 || c.will().qos() > 2) {
                throw new IllegalArgumentException("will QoS must be 0..2, was " + c.will().qos());
            }
            flags |= 4 | c.will().qos() << 3 | (c.will().retain() ? 0x20 : 0);
        }
        if (c.password() != null) {
            if (!v5 && c.username() == null) {
                throw new IllegalArgumentException("MQTT 3.1.1 sends a password only with a user name");
            }
            flags |= 0x40;
        }
        if (c.username() != null) {
            flags |= 0x80;
        }
        o.u8(flags);
        if (c.keepAliveSeconds() < 0 || c.keepAliveSeconds() > 65535) {
            throw new IllegalArgumentException("keep alive must be 0..65535 s, was " + c.keepAliveSeconds());
        }
        o.u16(c.keepAliveSeconds());
        props(o, c.properties(), v5, Properties.Where.CONNECT);
        o.str(c.clientId());
        if (c.will() != null) {
            props(o, c.will().properties(), v5, Properties.Where.WILL);
            topicName(o, c.will().topic(), false);
            o.binary(c.will().payload());
        }
        if (c.username() != null) {
            o.str(c.username());
        }
        if (c.password() != null) {
            o.binary(c.password());
        }
    }

    private static void publish(Out o, Publish p, boolean v5) {
        if (p.qos() < 0 || p.qos() > 2) {
            throw new IllegalArgumentException("QoS must be 0..2, was " + p.qos());
        }
        if (p.qos() == 0 && p.dup()) {
            throw new IllegalArgumentException("DUP must be 0 for QoS 0");
        }
        topicName(o, p.topic(), v5 && p.properties().has(Properties.TOPIC_ALIAS));
        if (p.qos() > 0) {
            packetId(o, p.packetId(), "PUBLISH");
        }
        props(o, p.properties(), v5, Properties.Where.PUBLISH);
        // the payload is appended by encode()
    }

    /**
     * Checks a topic name for PUBLISH: not empty, no wildcards, well-formed, no U+0000, at most 65535
     * bytes of UTF-8.
     *
     * @throws IllegalArgumentException naming the rule
     */
    public static void checkTopicName(String topic) {
        topicName(new Out(topic.length() + 2), topic, false);
    }

    private static void topicName(Out o, String topic, boolean mayBeEmpty) {
        if (topic.isEmpty() && !mayBeEmpty) {
            throw new IllegalArgumentException("a topic name must not be empty");
        }
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            throw new IllegalArgumentException("topic name '" + topic + "' must not contain the wildcards + or #");
        }
        o.str(topic);
    }

    private static void filter(Out o, String f) {
        if (f.isEmpty()) {
            throw new IllegalArgumentException("a topic filter must not be empty");
        }
        o.str(f);
    }

    private static void packetId(Out o, int id, String packet) {
        if (id < 1 || id > 65535) {
            throw new IllegalArgumentException(packet + " needs a packet identifier 1..65535, was " + id);
        }
        o.u16(id);
    }

    private static void props(Out o, Properties props, boolean v5, Properties.Where where) {
        if (!v5) {
            if (!props.isEmpty()) {
                throw new IllegalArgumentException("MQTT 3.1.1 has no properties; " + where + " has " + props);
            }
            return;
        }
        Out p = new Out(16);
        for (Map.Entry<Integer, Object> e : props.values().entrySet()) {
            Properties.Def d = Properties.def(e.getKey());
            allowed(d, where);
            p.vbi(d.id());
            Object v = e.getValue();
            switch (d.type()) {
                case BYTE -> p.u8(range(d, ((Number) v).longValue(), 0xFF));
                case TWO -> p.u16(range(d, ((Number) v).longValue(), 0xFFFF));
                case FOUR -> p.u32(range(d, ((Number) v).longValue(), 0xFFFFFFFFL));
                case VBI -> p.vbi(range(d, ((Number) v).longValue(), MAX_REMAINING_LENGTH));
                case UTF8 -> p.str((String) v);
                case BINARY -> p.binary((byte[]) v);
                case PAIR -> throw new IllegalStateException();
            }
        }
        if (!props.subscriptionIds().isEmpty()) {
            Properties.Def d = Properties.def(Properties.SUBSCRIPTION_ID);
            allowed(d, where);
            if (where != Properties.Where.PUBLISH && props.subscriptionIds().size() > 1) {
                throw new IllegalArgumentException("SUBSCRIBE carries one Subscription Identifier");
            }
            for (int id : props.subscriptionIds()) {
                p.vbi(Properties.SUBSCRIPTION_ID);
                p.vbi(range(d, id, MAX_REMAINING_LENGTH));
                if (id == 0) {
                    throw new IllegalArgumentException("Subscription Identifier must be 1..268435455, was 0");
                }
            }
        }
        for (UserProperty u : props.user()) {
            p.vbi(Properties.USER_PROPERTY);
            p.str(u.name());
            p.str(u.value());
        }
        o.vbi(p.size);
        o.bytes(p.buf, p.size);
    }

    private static void allowed(Properties.Def d, Properties.Where where) {
        if ((d.where() & where.bit()) == 0) {
            throw new IllegalArgumentException(d.name() + " is not allowed in " + where);
        }
    }

    private static int range(Properties.Def d, long v, long max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(d.name() + " must be 0.." + max + ", was " + v);
        }
        return (int) v;
    }

    /** Bytes a variable byte integer of {@code v} takes. */
    public static int vbiSize(int v) {
        return v < 128 ? 1 : v < 16_384 ? 2 : v < 2_097_152 ? 3 : 4;
    }

    static void putVbi(ByteBuffer b, int v) {
        do {
            int d = v & 0x7F;
            v >>>= 7;
            b.put((byte) (v > 0 ? d | 0x80 : d));
        } while (v > 0);
    }

    /** Encodes a UTF-8 string of the spec: well-formed, no U+0000. */
    static byte[] utf8(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("MQTT strings must not contain U+0000: '" + s.replace('\0', '?') + "'");
        }
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer b = enc.encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("MQTT strings must be well-formed UTF-16 (an unpaired surrogate): '"
                    + s + "'");
        }
    }

    /** A growable byte array. */
    static final class Out {
        byte[] buf;
        int size;

        Out(int initial) {
            buf = new byte[initial];
        }

        private void ensure(int n) {
            if (size + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[size++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            buf[size++] = (byte) (v >> 8);
            buf[size++] = (byte) v;
        }

        void u32(long v) {
            ensure(4);
            buf[size++] = (byte) (v >> 24);
            buf[size++] = (byte) (v >> 16);
            buf[size++] = (byte) (v >> 8);
            buf[size++] = (byte) v;
        }

        void vbi(int v) {
            ensure(4);
            do {
                int d = v & 0x7F;
                v >>>= 7;
                buf[size++] = (byte) (v > 0 ? d | 0x80 : d);
            } while (v > 0);
        }

        void str(String s) {
            byte[] b = utf8(s);
            if (b.length > 65535) {
                throw new IllegalArgumentException("an MQTT string is at most 65535 bytes, was " + b.length);
            }
            u16(b.length);
            bytes(b, b.length);
        }

        void binary(byte[] b) {
            if (b.length > 65535) {
                throw new IllegalArgumentException("MQTT binary data is at most 65535 bytes, was " + b.length);
            }
            u16(b.length);
            bytes(b, b.length);
        }

        void bytes(byte[] b) {
            bytes(b, b.length);
        }

        void bytes(byte[] b, int n) {
            ensure(n);
            System.arraycopy(b, 0, buf, size, n);
            size += n;
        }
    }

    static Type type(int id) {
        return Properties.def(id).type();
    }
}
