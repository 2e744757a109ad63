package org.rawsockets.socket.mina.internal;

import java.time.Duration;

/**
 * Settings of a {@link MinaSocketEngine}; the OSGi component maps its Metatype configuration onto
 * this record.
 *
 * @param ioThreads NIO processor threads shared by all sockets
 * @param connectTimeout default limit on resolve + connect + TLS handshake
 * @param highWaterMark bytes queued to send (per socket) above which writes stop completing, and
 *            bytes received unread above which network reads are suspended
 * @param lowWaterMark level below which suspended writers/readers resume
 * @param maxDatagramSize largest UDP payload sent or received
 * @param udpReceiveQueue datagrams buffered per UDP socket before further ones are dropped
 * @param acceptQueue accepted connections buffered per server socket before accepting pauses
 * @param resolverThreads threads resolving host names (blocking lookups, off the I/O threads)
 */
public record EngineConfig(int ioThreads, Duration connectTimeout, int highWaterMark, int lowWaterMark,
        int maxDatagramSize, int udpReceiveQueue, int acceptQueue, int resolverThreads) {

    /** The settings with the default number of resolver threads (4). */
    public EngineConfig(int ioThreads, Duration connectTimeout, int highWaterMark, int lowWaterMark,
            int maxDatagramSize, int udpReceiveQueue, int acceptQueue) {
        this(ioThreads, connectTimeout, highWaterMark, lowWaterMark, maxDatagramSize, udpReceiveQueue, acceptQueue, 4);
    }

    public EngineConfig {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be >= 1, was " + ioThreads);
        }
        if (lowWaterMark < 0 || lowWaterMark >= highWaterMark) {
            throw new IllegalArgumentException("lowWaterMark must be in 0..highWaterMark-1, was " + lowWaterMark
                    + " (highWaterMark " + highWaterMark + ")");
        }
        java.util.Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be > 0, was " + connectTimeout);
        }
        if (udpReceiveQueue < 1 || acceptQueue < 1 || resolverThreads < 1) {
            throw new IllegalArgumentException("udpReceiveQueue, acceptQueue and resolverThreads must be >= 1, were "
                    + udpReceiveQueue + ", " + acceptQueue + ", " + resolverThreads);
        }
        if (maxDatagramSize < 1 || maxDatagramSize > 65507) {
            throw new IllegalArgumentException("maxDatagramSize must be in 1..65507, was " + maxDatagramSize);
        }
    }

    public static EngineConfig defaults() {
        return new EngineConfig(Math.max(2, Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(30),
                256 * 1024, 64 * 1024, 65507, 256, 64, 4);
    }
}
