package org.rawsockets.webbridge.internal.session;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/** The WebSocket under a {@link BridgeSession} (Jetty in the gateway, a fake in unit tests). */
public interface Transport {

    /**
     * Sends one binary message. The session has at most one send outstanding; {@code done} is called
     * once, with {@code null} when the message was written or with the failure.
     */
    void send(ByteBuffer message, Consumer<Throwable> done);

    /** Closes the WebSocket with a close code and a reason (at most 123 bytes are sent). */
    void close(int code, String reason);
}
