package org.rawsockets.mqtt.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.MqttException;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.TcpSocket;

/**
 * An HTTP CONNECT tunnel (RFC 9110 §9.3.6) through a proxy: asks the proxy for a connection to the
 * broker's {@code host:port} and checks its answer; the socket then carries the broker's bytes (TLS
 * and the WebSocket upgrade run inside it). The answer's head is read with a bound and a time limit;
 * anything but a 2xx, or bytes after the head, fails the connection with a message naming the proxy,
 * the broker and the proxy's status line.
 */
final class HttpTunnel {

    /** The most bytes of the proxy's answer head. */
    static final int MAX_HEAD = 8192;
    private static final byte[] END = { '\r', '\n', '\r', '\n' };

    private HttpTunnel() {
    }

    /**
     * The CONNECT request; the password is read now, and the copies made on the way are cleared (the
     * request itself belongs to the socket once written, which may still hold it after the write's stage).
     */
    static byte[] request(String authority, MqttSettings s) throws MqttException {
        byte[] head = ("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n").getBytes(StandardCharsets.US_ASCII);
        if (s.httpProxyUser == null) {
            return concat(head, CRLF);
        }
        byte[] password = s.httpProxyPassword.get();
        byte[] user = (s.httpProxyUser + ":").getBytes(StandardCharsets.UTF_8);
        byte[] plain = concat(user, password);
        byte[] token = Base64.getEncoder().encode(plain);
        Arrays.fill(password, (byte) 0);
        Arrays.fill(plain, (byte) 0);
        byte[] auth = concat(concat("Proxy-Authorization: Basic ".getBytes(StandardCharsets.US_ASCII), token), CRLF);
        Arrays.fill(token, (byte) 0);
        byte[] all = concat(concat(head, auth), CRLF);
        Arrays.fill(auth, (byte) 0);
        return all;
    }

    private static final byte[] CRLF = { '\r', '\n' };

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * Sends CONNECT to the broker of {@code s} on {@code socket} (open, plain, to {@code s}'s proxy), with
     * Basic credentials when {@code s} has them, and completes when the proxy answered 2xx; fails with
     * {@link MqttConnectionException} otherwise.
     */
    static CompletionStage<Void> open(TcpSocket socket, MqttSettings s, String where) {
        String authority = s.brokerAuthority();
        String via = where + ": HTTP proxy " + s.httpProxy() + " ";
        byte[] request;
        try {
            request = request(authority, s);
        } catch (MqttException e) {
            return CompletableFuture.failedFuture(e);
        }
        FrameReader in = new FrameReader(socket.readable(), MAX_HEAD + END.length, s.connectTimeout);
        return socket.writable().write(ByteBuffer.wrap(request)) // the socket's from now on (its contract)
                .thenCompose(v -> in.readUntil(END, MAX_HEAD))
                .handle((head, e) -> {
                    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (t != null) {
                        throw new CompletionException(new MqttConnectionException(via + "did not answer CONNECT "
                                + authority + " with a complete response head (at most " + MAX_HEAD + " bytes): " + t, t));
                    }
                    if (head.done()) {
                        throw new CompletionException(new MqttConnectionException(via + "closed the connection"
                                + " before answering CONNECT " + authority));
                    }
                    String text = new String(head.value(), StandardCharsets.ISO_8859_1);
                    int eol = text.indexOf("\r\n");
                    String status = (eol < 0 ? text : text.substring(0, eol)).strip();
                    if (!status.matches("HTTP/1\\.[01] 2\\d\\d( .*)?")) {
                        throw new CompletionException(new MqttConnectionException(via + "refused CONNECT " + authority
                                + ": " + (status.length() > 200 ? status.substring(0, 200) + "..." : status)
                                + (status.matches("HTTP/1\\.[01] 40[17]( .*)?") ? (s.httpProxyUser == null
                                        ? " (the proxy wants credentials: set httpProxyUser and .httpProxyPassword)"
                                        : " (the proxy refused the credentials of user '" + s.httpProxyUser + "')") : "")));
                    }
                    if (in.buffered() > 0) {
                        throw new CompletionException(new MqttConnectionException(via + "sent " + in.buffered()
                                + " bytes after its answer to CONNECT " + authority + " before the client spoke:"
                                + " not a tunnel"));
                    }
                    return null;
                });
    }
}
