package org.rawsockets.mqtt.internal.ws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.rawsockets.mqtt.MqttConnectionException;

/**
 * The client's opening handshake (RFC 6455 section 4.1) for MQTT (subprotocol {@code mqtt}, MQTT 5
 * 6.0 and 3.1.1 section 6): the request, and the checks of the server's response.
 */
public final class WsHandshake {

    static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** The longest response header accepted. */
    public static final int MAX_RESPONSE = 8192;

    private final String key;

    /** @param nonce 16 random bytes */
    public WsHandshake(byte[] nonce) {
        if (nonce.length != 16) {
            throw new IllegalArgumentException("the nonce has 16 bytes, not " + nonce.length);
        }
        this.key = Base64.getEncoder().encodeToString(nonce);
    }

    String key() {
        return key;
    }

    /** The GET request for {@code path} on {@code hostHeader} (host, with ":port" when not the default). */
    public byte[] request(String hostHeader, String path) {
        return ("GET " + path + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: mqtt\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code Sec-WebSocket-Accept} for {@code key}: base64 of SHA-1 of the key and the GUID. */
    static String accept(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }

    /**
     * Checks the response header (up to and without the empty line): status 101, {@code Upgrade:
     * websocket}, {@code Connection: upgrade}, the accept key and the subprotocol {@code mqtt}.
     *
     * @param where names the broker in messages
     */
    public void check(String header, String where) throws MqttConnectionException {
        String[] lines = header.split("\r\n");
        String status = lines[0];
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].equals("101")) {
            throw new MqttConnectionException(where + " refused the WebSocket upgrade: '" + status
                    + "' (expected 101 Switching Protocols; check the path and that the port is a WebSocket listener)");
        }
        Map<String, String> h = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                h.merge(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1)
                        .strip(), (a, b) -> a + ", " + b);
            }
        }
        if (!"websocket".equalsIgnoreCase(h.get("upgrade"))) {
            throw bad(where, "Upgrade: " + h.get("upgrade"));
        }
        String connection = h.getOrDefault("connection", "");
        if (!connection.toLowerCase(Locale.ROOT).contains("upgrade")) {
            throw bad(where, "Connection: " + connection);
        }
        String expected = accept(key);
        if (!expected.equals(h.get("sec-websocket-accept"))) {
            throw bad(where, "Sec-WebSocket-Accept: " + h.get("sec-websocket-accept") + " (expected " + expected + ")");
        }
        String protocol = h.get("sec-websocket-protocol");
        if (protocol == null || !protocol.equalsIgnoreCase("mqtt")) {
            throw bad(where, "Sec-WebSocket-Protocol: " + protocol + " (expected mqtt)");
        }
        if (h.containsKey("sec-websocket-extensions")) {
            throw bad(where, "Sec-WebSocket-Extensions: " + h.get("sec-websocket-extensions") + " (none was offered)");
        }
    }

    private static MqttConnectionException bad(String where, String what) {
        return new MqttConnectionException(where + " answered the WebSocket upgrade with a wrong header: " + what);
    }
}
