package org.rawsockets.bench.socket;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * One way of talking TCP that the bench compares: the SocketService's TcpSocket, raw MINA, Netty,
 * blocking java.net.Socket. Every method does one bounded measurement against {@link PeerServer}.
 */
interface Client extends AutoCloseable {

    /** Bytes per write, for every client (the application hands over 64 KiB heap arrays). */
    int CHUNK = 64 * 1024;

    /** Size of one echo message. */
    int ECHO_SIZE = 64;

    /** Limit on every single measurement; a client that takes longer fails the run. */
    Duration TIMEOUT = Duration.ofSeconds(120);

    String name();

    /**
     * Sends an 8-byte length and {@code bytes} bytes to the sink, in {@link #CHUNK} writes with the
     * client's own backpressure, and waits for the sink's one-byte acknowledgement.
     *
     * @return nanoseconds from connected to acknowledgement
     */
    long upload(InetSocketAddress sink, long bytes) throws Exception;

    /**
     * Asks the source for {@code bytes} bytes and reads them all.
     *
     * @return nanoseconds from connected to the last byte read
     */
    long download(InetSocketAddress source, long bytes) throws Exception;

    /**
     * Sends {@code count} messages of {@link #ECHO_SIZE} bytes one after the other, each after the
     * previous one came back whole, on one connection.
     *
     * @return the round-trip times in nanoseconds
     */
    long[] echo(InetSocketAddress echo, int count) throws Exception;

    /** Opens {@code count} idle connections (each with a read pending) and keeps them. */
    Idle openIdle(InetSocketAddress echo, int count) throws Exception;

    /**
     * Off-heap bytes this client's library holds now: JDK direct buffers, plus (Netty) memory it
     * allocates outside the JDK's accounting.
     */
    default long offHeapBytes() {
        return org.rawsockets.bench.BenchSupport.directMemoryUsed();
    }

    /** Connections opened by {@link #openIdle}; close releases them all. */
    interface Idle extends AutoCloseable {
        int count();

        @Override
        void close() throws Exception;
    }

    /** The payload every client sends: 64 KiB, never modified after creation. */
    static byte[] chunk() {
        byte[] b = new byte[CHUNK];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7);
        }
        return b;
    }

    static byte[] header(long n) {
        return ByteBuffer.allocate(8).putLong(n).array();
    }

    @Override
    void close() throws Exception;
}
