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
 * @param closeTimeout default close linger: how long a TCP close may wait for queued bytes (and TLS
 *            close_notify) to be sent before the connection is reset
 */
public record EngineConfig(int ioThreads, Duration connectTimeout, int highWaterMark, int lowWaterMark,
        int maxDatagramSize, int udpReceiveQueue, int acceptQueue, int resolverThreads, Duration closeTimeout) {

    /** The default close linger (30 s). */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** The settings with the default number of resolver threads (4) and close linger (30 s). */
    public EngineConfig(int ioThreads, Duration connectTimeout, int highWaterMark, int lowWaterMark,
            int maxDatagramSize, int udpReceiveQueue, int acceptQueue) {
        this(ioThreads, connectTimeout, highWaterMark, lowWaterMark, maxDatagramSize, udpReceiveQueue, acceptQueue, 4);
    }

    /** The settings with the default close linger (30 s). */
    public EngineConfig(int ioThreads, Duration connectTimeout, int highWaterMark, int lowWaterMark,
            int maxDatagramSize, int udpReceiveQueue, int acceptQueue, int resolverThreads) {
        this(ioThreads, connectTimeout, highWaterMark, lowWaterMark, maxDatagramSize, udpReceiveQueue, acceptQueue,
                resolverThreads, DEFAULT_CLOSE_TIMEOUT);
    }

    /** Longest connect timeout accepted (1 h). */
    public static final long MAX_CONNECT_TIMEOUT_MILLIS = 3_600_000;
    /** Longest close timeout accepted (1 h). */
    public static final long MAX_CLOSE_TIMEOUT_MILLIS = 3_600_000;
    /** Largest datagram payload over IPv4 (65535 - 8 UDP - 20 IP header bytes). */
    public static final int MAX_DATAGRAM_SIZE = 65507;
    /** Largest UDP receive and accept queue. */
    public static final int MAX_QUEUE = 65_536;
    /** Most resolver threads. */
    public static final int MAX_RESOLVER_THREADS = 64;
    /** Smallest and largest high-water mark (bytes). */
    public static final int MIN_HIGH_WATER_MARK = 1024;
    public static final int MAX_HIGH_WATER_MARK = 1 << 30;

    /**
     * The most I/O threads on this machine: 4 per core, at most 64. Each is a selector (file
     * descriptors) and a thread; more than a few per core only costs.
     */
    public static int maxIoThreads() {
        return Math.min(64, 4 * Runtime.getRuntime().availableProcessors());
    }

    /** The rule for {@code ioThreads}, as shown in errors. */
    public static String ioThreadsRule() {
        int cores = Runtime.getRuntime().availableProcessors();
        return "a whole number in 1.." + maxIoThreads() + " (4 per core, " + cores + (cores == 1 ? " core" : " cores")
                + ", at most 64)";
    }

    public EngineConfig {
        if (ioThreads < 1 || ioThreads > maxIoThreads()) {
            throw new IllegalArgumentException("ioThreads must be " + ioThreadsRule() + ", was " + ioThreads);
        }
        if (lowWaterMark < 0 || lowWaterMark >= highWaterMark) {
            throw new IllegalArgumentException("lowWaterMark must be in 0..highWaterMark-1, was " + lowWaterMark
                    + " (highWaterMark " + highWaterMark + ")");
        }
        java.util.Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be > 0, was " + connectTimeout);
        }
        java.util.Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (closeTimeout.isNegative() || closeTimeout.isZero()) {
            throw new IllegalArgumentException("closeTimeout must be > 0, was " + closeTimeout);
        }
        if (udpReceiveQueue < 1 || acceptQueue < 1 || resolverThreads < 1) {
            throw new IllegalArgumentException("udpReceiveQueue, acceptQueue and resolverThreads must be >= 1, were "
                    + udpReceiveQueue + ", " + acceptQueue + ", " + resolverThreads);
        }
        if (maxDatagramSize < 1 || maxDatagramSize > MAX_DATAGRAM_SIZE) {
            throw new IllegalArgumentException("maxDatagramSize must be in 1.." + MAX_DATAGRAM_SIZE + ", was "
                    + maxDatagramSize);
        }
    }

    public static EngineConfig defaults() {
        return new EngineConfig(Math.min(maxIoThreads(), Math.max(2, Runtime.getRuntime().availableProcessors())),
                Duration.ofSeconds(30),
                256 * 1024, 64 * 1024, 65507, 256, 64, 4, DEFAULT_CLOSE_TIMEOUT);
    }
}
