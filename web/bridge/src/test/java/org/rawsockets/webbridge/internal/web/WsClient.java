package org.rawsockets.webbridge.internal.web;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.rawsockets.webbridge.internal.protocol.BridgeProtocolException;
import org.rawsockets.webbridge.internal.protocol.Frame;
import org.rawsockets.webbridge.internal.protocol.FrameDecoder;

/** A bridge client on the JDK's WebSocket client: sends frames, decodes the gateway's into a queue. */
final class WsClient implements WebSocket.Listener {

    static final Duration WAIT = Duration.ofSeconds(60);

    record Got(int type, int id, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    final LinkedBlockingQueue<Got> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final FrameDecoder decoder = new FrameDecoder();
    WebSocket ws;

    /** Connects with {@code origin} and, when not {@code null}, {@code token} as a bearer subprotocol. */
    static CompletableFuture<WsClient> connect(URI uri, String origin, String token) {
        WsClient c = new WsClient();
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        if (origin != null) {
            b.header("Origin", origin);
        }
        List<String> protocols = new ArrayList<>(List.of(Admission.SUBPROTOCOL));
        if (token != null) {
            protocols.add(Admission.BEARER_PREFIX + token);
        }
        b.subprotocols(protocols.get(0), protocols.subList(1, protocols.size()).toArray(new String[0]));
        return b.buildAsync(uri, c).thenApply(ws -> {
            c.ws = ws;
            return c;
        });
    }

    void send(ByteBuffer frame) throws Exception {
        ws.sendBinary(frame, true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    Got next() throws InterruptedException {
        Got g = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (g == null) {
            fail("no frame from the gateway within " + WAIT + (closed.isDone() ? "; closed: " + closed.join() : ""));
        }
        return g;
    }

    Got nextNonCredit() throws InterruptedException {
        while (true) {
            Got g = next();
            if (g.type() != Frame.CREDIT) {
                return g;
            }
        }
    }

    String awaitClose() throws Exception {
        return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        try {
            decoder.feed(data, f -> {
                byte[] b = new byte[f.payload().remaining()];
                f.payload().get(b);
                frames.add(new Got(f.type(), f.id(), b));
            });
        } catch (BridgeProtocolException e) {
            closed.complete("client decoder: " + e.getMessage());
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("error " + error);
    }
}
