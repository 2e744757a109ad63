package org.rawsockets.mqtt;

import java.util.Map;

/** Names of the MQTT 5 reason codes (specification section 2.4). */
public final class ReasonCodes {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0x00, "Success"), Map.entry(0x01, "Granted QoS 1"), Map.entry(0x02, "Granted QoS 2"),
            Map.entry(0x04, "Disconnect with Will Message"), Map.entry(0x10, "No matching subscribers"),
            Map.entry(0x11, "No subscription existed"), Map.entry(0x18, "Continue authentication"),
            Map.entry(0x19, "Re-authenticate"), Map.entry(0x80, "Unspecified error"),
            Map.entry(0x81, "Malformed Packet"), Map.entry(0x82, "Protocol Error"),
            Map.entry(0x83, "Implementation specific error"), Map.entry(0x84, "Unsupported Protocol Version"),
            Map.entry(0x85, "Client Identifier not valid"), Map.entry(0x86, "Bad User Name or Password"),
            Map.entry(0x87, "Not authorized"), Map.entry(0x88, "Server unavailable"), Map.entry(0x89, "Server busy"),
            Map.entry(0x8A, "Banned"), Map.entry(0x8B, "Server shutting down"),
            Map.entry(0x8C, "Bad authentication method"), Map.entry(0x8D, "Keep Alive timeout"),
            Map.entry(0x8E, "Session taken over"), Map.entry(0x8F, "Topic Filter invalid"),
            Map.entry(0x90, "Topic Name invalid"), Map.entry(0x91, "Packet Identifier in use"),
            Map.entry(0x92, "Packet Identifier not found"), Map.entry(0x93, "Receive Maximum exceeded"),
            Map.entry(0x94, "Topic Alias invalid"), Map.entry(0x95, "Packet too large"),
            Map.entry(0x96, "Message rate too high"), Map.entry(0x97, "Quota exceeded"),
            Map.entry(0x98, "Administrative action"), Map.entry(0x99, "Payload format invalid"),
            Map.entry(0x9A, "Retain not supported"), Map.entry(0x9B, "QoS not supported"),
            Map.entry(0x9C, "Use another server"), Map.entry(0x9D, "Server moved"),
            Map.entry(0x9E, "Shared Subscriptions not supported"), Map.entry(0x9F, "Connection rate exceeded"),
            Map.entry(0xA0, "Maximum connect time"), Map.entry(0xA1, "Subscription Identifiers not supported"),
            Map.entry(0xA2, "Wildcard Subscriptions not supported"));

    private static final String[] V311_CONNACK = {"Connection Accepted", "unacceptable protocol version",
        "identifier rejected", "Server unavailable", "bad user name or password", "not authorized"};

    private ReasonCodes() {
    }

    /** The name of an MQTT 5 reason code, or {@code "unknown reason code 0xNN"}. */
    public static String name(int code) {
        String n = NAMES.get(code);
        return n != null ? n : String.format("unknown reason code 0x%02X", code);
    }

    /** The name of an MQTT 3.1.1 CONNACK return code (0..5). */
    public static String v311ConnackName(int code) {
        return code >= 0 && code < V311_CONNACK.length ? V311_CONNACK[code]
                : String.format("unknown return code 0x%02X", code);
    }

    /** Whether the code reports a failure (0x80 and above). */
    public static boolean isError(int code) {
        return code >= 0x80;
    }
}
