package org.rawsockets.mqtt.internal.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.rawsockets.mqtt.UserProperty;

/**
 * The MQTT 5 properties of one packet (specification 2.2.2): each property at most once, except
 * User Property (any number, in order) and Subscription Identifier (repeatable in PUBLISH). Values
 * are {@link Integer} (byte, two-byte and variable byte integers), {@link Long} (four-byte integers),
 * {@link String} (UTF-8 strings) or {@code byte[]} (binary data). Mutable while a packet is built or
 * decoded; not shared afterwards.
 */
public final class Properties {

    // Property identifiers (2.2.2.2).
    public static final int PAYLOAD_FORMAT = 0x01;
    public static final int MESSAGE_EXPIRY = 0x02;
    public static final int CONTENT_TYPE = 0x03;
    public static final int RESPONSE_TOPIC = 0x08;
    public static final int CORRELATION_DATA = 0x09;
    public static final int SUBSCRIPTION_ID = 0x0B;
    public static final int SESSION_EXPIRY = 0x11;
    public static final int ASSIGNED_CLIENT_ID = 0x12;
    public static final int SERVER_KEEP_ALIVE = 0x13;
    public static final int AUTH_METHOD = 0x15;
    public static final int AUTH_DATA = 0x16;
    public static final int REQUEST_PROBLEM_INFO = 0x17;
    public static final int WILL_DELAY = 0x18;
    public static final int REQUEST_RESPONSE_INFO = 0x19;
    public static final int RESPONSE_INFO = 0x1A;
    public static final int SERVER_REFERENCE = 0x1C;
    public static final int REASON_STRING = 0x1F;
    public static final int RECEIVE_MAXIMUM = 0x21;
    public static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    public static final int TOPIC_ALIAS = 0x23;
    public static final int MAXIMUM_QOS = 0x24;
    public static final int RETAIN_AVAILABLE = 0x25;
    public static final int USER_PROPERTY = 0x26;
    public static final int MAXIMUM_PACKET_SIZE = 0x27;
    public static final int WILDCARD_SUB_AVAILABLE = 0x28;
    public static final int SUB_ID_AVAILABLE = 0x29;
    public static final int SHARED_SUB_AVAILABLE = 0x2A;

    /** Where a property may appear (bit set). */
    public enum Where {
        CONNECT, CONNACK, PUBLISH, PUBACK, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH, WILL;

        int bit() {
            return 1 << ordinal();
        }
    }

    /** How a property's value is encoded. */
    enum Type {
        BYTE, TWO, FOUR, VBI, UTF8, BINARY, PAIR
    }

    record Def(int id, String name, Type type, int where) {
    }

    private static final Def[] DEFS = new Def[0x2B];

    static {
        def(PAYLOAD_FORMAT, "Payload Format Indicator", Type.BYTE, Where.PUBLISH, Where.WILL);
        def(MESSAGE_EXPIRY, "Message Expiry Interval", Type.FOUR, Where.PUBLISH, Where.WILL);
        def(CONTENT_TYPE, "Content Type", Type.UTF8, Where.PUBLISH, Where.WILL);
        def(RESPONSE_TOPIC, "Response Topic", Type.UTF8, Where.PUBLISH, Where.WILL);
        def(CORRELATION_DATA, "Correlation Data", Type.BINARY, Where.PUBLISH, Where.WILL);
        def(SUBSCRIPTION_ID, "Subscription Identifier", Type.VBI, Where.PUBLISH, Where.SUBSCRIBE);
        def(SESSION_EXPIRY, "Session Expiry Interval", Type.FOUR, Where.CONNECT, Where.CONNACK, Where.DISCONNECT);
        def(ASSIGNED_CLIENT_ID, "Assigned Client Identifier", Type.UTF8, Where.CONNACK);
        def(SERVER_KEEP_ALIVE, "Server Keep Alive", Type.TWO, Where.CONNACK);
        def(AUTH_METHOD, "Authentication Method", Type.UTF8, Where.CONNECT, Where.CONNACK, Where.AUTH);
        def(AUTH_DATA, "Authentication Data", Type.BINARY, Where.CONNECT, Where.CONNACK, Where.AUTH);
        def(REQUEST_PROBLEM_INFO, "Request Problem Information", Type.BYTE, Where.CONNECT);
        def(WILL_DELAY, "Will Delay Interval", Type.FOUR, Where.WILL);
        def(REQUEST_RESPONSE_INFO, "Request Response Information", Type.BYTE, Where.CONNECT);
        def(RESPONSE_INFO, "Response Information", Type.UTF8, Where.CONNACK);
        def(SERVER_REFERENCE, "Server Reference", Type.UTF8, Where.CONNACK, Where.DISCONNECT);
        def(REASON_STRING, "Reason String", Type.UTF8, Where.CONNACK, Where.PUBACK, Where.SUBACK, Where.UNSUBACK,
                Where.DISCONNECT, Where.AUTH);
        def(RECEIVE_MAXIMUM, "Receive Maximum", Type.TWO, Where.CONNECT, Where.CONNACK);
        def(TOPIC_ALIAS_MAXIMUM, "Topic Alias Maximum", Type.TWO, Where.CONNECT, Where.CONNACK);
        def(TOPIC_ALIAS, "Topic Alias", Type.TWO, Where.PUBLISH);
        def(MAXIMUM_QOS, "Maximum QoS", Type.BYTE, Where.CONNACK);
        def(RETAIN_AVAILABLE, "Retain Available", Type.BYTE, Where.CONNACK);
        def(USER_PROPERTY, "User Property", Type.PAIR, Where.values());
        def(MAXIMUM_PACKET_SIZE, "Maximum Packet Size", Type.FOUR, Where.CONNECT, Where.CONNACK);
        def(WILDCARD_SUB_AVAILABLE, "Wildcard Subscription Available", Type.BYTE, Where.CONNACK);
        def(SUB_ID_AVAILABLE, "Subscription Identifier Available", Type.BYTE, Where.CONNACK);
        def(SHARED_SUB_AVAILABLE, "Shared Subscription Available", Type.BYTE, Where.CONNACK);
    }

    private static void def(int id, String name, Type type, Where... where) {
        int mask = 0;
        for (Where w : where) {
            mask |= w.bit();
        }
        DEFS[id] = new Def(id, name, type, mask);
    }

    /** The definition of property {@code id}, or {@code null} when there is none. */
    static Def def(int id) {
        return id >= 0 && id < DEFS.length ? DEFS[id] : null;
    }

    /** The specification's name of a property, for messages. */
    public static String name(int id) {
        Def d = def(id);
        return d == null ? String.format("property 0x%02X", id) : d.name();
    }

    private final TreeMap<Integer, Object> values = new TreeMap<>();
    private final List<UserProperty> user = new ArrayList<>(0);
    private final List<Integer> subscriptionIds = new ArrayList<>(0);

    /** Sets a single-valued property (replacing it), or adds a Subscription Identifier. */
    public Properties put(int id, Object value) {
        Objects.requireNonNull(value, "value");
        Def d = def(id);
        if (d == null || d.type() == Type.PAIR) {
            throw new IllegalArgumentException("not a single-valued MQTT 5 property: " + name(id));
        }
        if (id == SUBSCRIPTION_ID) {
            subscriptionIds.add((Integer) value);
        } else {
            values.put(id, value);
        }
        return this;
    }

    /** A copy without the single-valued property {@code id} (values are shared: immutable or owned by the packet). */
    public Properties without(int id) {
        Properties c = new Properties();
        c.values.putAll(values);
        c.values.remove(id);
        c.user.addAll(user);
        c.subscriptionIds.addAll(subscriptionIds);
        return c;
    }

    /** Adds a user property. */
    public Properties addUser(UserProperty p) {
        user.add(Objects.requireNonNull(p, "p"));
        return this;
    }

    public boolean isEmpty() {
        return values.isEmpty() && user.isEmpty() && subscriptionIds.isEmpty();
    }

    public boolean has(int id) {
        return values.containsKey(id);
    }

    public Object get(int id) {
        return values.get(id);
    }

    public int intValue(int id, int dflt) {
        Object v = values.get(id);
        return v == null ? dflt : ((Number) v).intValue();
    }

    public long longValue(int id, long dflt) {
        Object v = values.get(id);
        return v == null ? dflt : ((Number) v).longValue();
    }

    public String string(int id) {
        return (String) values.get(id);
    }

    public byte[] binary(int id) {
        return (byte[]) values.get(id);
    }

    public List<UserProperty> user() {
        return user;
    }

    public List<Integer> subscriptionIds() {
        return subscriptionIds;
    }

    /** Single-valued properties in id order. */
    Map<Integer, Object> values() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Properties p) || !user.equals(p.user) || !subscriptionIds.equals(p.subscriptionIds)
                || !values.keySet().equals(p.values.keySet())) {
            return false;
        }
        for (Map.Entry<Integer, Object> e : values.entrySet()) {
            Object a = e.getValue();
            Object b = p.values.get(e.getKey());
            if (a instanceof byte[] x ? !(b instanceof byte[] y && Arrays.equals(x, y)) : !a.equals(b)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return values.keySet().hashCode() * 31 + user.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        values.forEach((k, v) -> b.append(name(k)).append('=')
                .append(v instanceof byte[] x ? x.length + " bytes" : v).append(", "));
        subscriptionIds.forEach(s -> b.append("Subscription Identifier=").append(s).append(", "));
        user.forEach(u -> b.append(u.name()).append(':').append(u.value()).append(", "));
        return b.append('}').toString();
    }
}
