package org.rawsockets.mqtt.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.rawsockets.mqtt.MqttConnectionException;
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
     * Sends CONNECT for {@code authority} on {@code socket} (open, plain) and completes when the proxy
     * answered 2xx; fails with {@link MqttConnectionException} otherwise.
     */
    static CompletionStage<Void> open(TcpSocket socket, String proxy, String authority, Duration timeout, String where) {
        String request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
        FrameReader in = new FrameReader(socket.readable(), MAX_HEAD + END.length, timeout);
        String via = where + ": HTTP proxy " + proxy + " ";
        return socket.writable().write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)))
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
                                + (status.startsWith("HTTP/1.") && status.contains(" 407")
                                        ? " (the proxy wants credentials: not supported)" : "")));
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
