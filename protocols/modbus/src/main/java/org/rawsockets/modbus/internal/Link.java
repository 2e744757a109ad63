package org.rawsockets.modbus.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/** One open connection (TCP stream or connected UDP socket) as the client sees it. */
interface Link {

    /** Queues bytes: a batch of ADUs on a stream, exactly one ADU on a datagram link. */
    void send(ByteBuffer data);

    /** Whether each received buffer is one datagram (UDP) rather than a piece of a stream. */
    boolean datagram();

    /** Closes the connection; idempotent. */
    void close();

    /** Receives what a link delivers. Calls for one link never overlap. */
    interface Listener {
        /** Bytes received: a chunk of the stream, or one whole datagram. */
        void received(Link link, ByteBuffer data);

        /** The link ended (peer closed, error); may be called more than once. */
        void closed(Link link, Throwable cause);

        /**
         * A write failed: the link is done for. May be called on the writing thread, inside the
         * client's send loop, which must not see the connection torn down under it: the listener
         * reports it on a thread of its own (the client's timer), never the JDK's common pool.
         */
        void writeFailed(Link link, Throwable cause);
    }

    /** Opens links to one device. */
    interface Connector {
        CompletionStage<Link> connect(Listener listener);

        /** Where it connects, for messages: {@code tcp 127.0.0.1:502}, {@code endpoint plc1}. */
        String target();
    }
}
