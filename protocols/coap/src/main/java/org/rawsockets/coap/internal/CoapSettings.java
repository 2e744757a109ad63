package org.rawsockets.coap.internal;

import java.util.Objects;

/**
 * The settings of one device client, checked (from the configuration or a test).
 *
 * @param name the device's name
 * @param host host name or IP literal, {@code null} when {@code endpoint} is set
 * @param port UDP port
 * @param endpoint a named socket endpoint (operator-configured address), or {@code null}
 * @param ackTimeoutMillis RFC 7252 ACK_TIMEOUT: the first retransmission timeout
 * @param ackRandomFactor RFC 7252 ACK_RANDOM_FACTOR (1.0 .. 4.0)
 * @param maxRetransmit RFC 7252 MAX_RETRANSMIT
 * @param timeoutMillis overall deadline of one request, block-wise transfers included
 * @param connectTimeoutMillis deadline of opening the UDP socket (policy check, resolution)
 * @param blockSize preferred block size (16 .. 1024, a power of two)
 * @param maxBodyBytes largest request or response body (reassembled block-wise)
 * @param dtls DTLS with a pre-shared key or certificates ({@code coaps}), or {@code null} for plain CoAP
 */
record CoapSettings(String name, String host, int port, String endpoint, long ackTimeoutMillis, float ackRandomFactor,
        int maxRetransmit, long timeoutMillis, long connectTimeoutMillis, int blockSize, int maxBodyBytes,
        DtlsSettings dtls) {

    CoapSettings {
        Objects.requireNonNull(name, "name");
        if ((host == null) == (endpoint == null)) {
            throw new IllegalArgumentException("coap " + name + ": set exactly one of host (with port) and endpoint");
        }
        if (host != null && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("coap " + name + ": port must be 1..65535, was " + port);
        }
        if (ackTimeoutMillis < 10 || ackTimeoutMillis > 60_000) {
            throw new IllegalArgumentException("coap " + name + ": ackTimeoutMillis must be 10..60000, was "
                    + ackTimeoutMillis);
        }
        if (!(ackRandomFactor >= 1.0f && ackRandomFactor <= 4.0f)) {
            throw new IllegalArgumentException("coap " + name + ": ackRandomFactor must be 1.0..4.0, was "
                    + ackRandomFactor);
        }
        if (maxRetransmit < 0 || maxRetransmit > 10) {
            throw new IllegalArgumentException("coap " + name + ": maxRetransmit must be 0..10, was " + maxRetransmit);
        }
        if (timeoutMillis < 100) {
            throw new IllegalArgumentException("coap " + name + ": timeoutMillis must be >= 100, was " + timeoutMillis);
        }
        if (connectTimeoutMillis < 100) {
            throw new IllegalArgumentException("coap " + name + ": connectTimeoutMillis must be >= 100, was "
                    + connectTimeoutMillis);
        }
        if (blockSize < 16 || blockSize > 1024 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("coap " + name + ": blockSize must be a power of two in 16..1024, was "
                    + blockSize);
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("coap " + name + ": maxBodyBytes must be 1024..67108864, was "
                    + maxBodyBytes);
        }
    }

    /** Defaults of RFC 7252 section 4.8, a 60 s overall deadline, 1 KiB blocks, 2 MiB bodies. */
    static CoapSettings of(String name, String host, int port) {
        return new CoapSettings(name, host, port, null, 2000, 1.5f, 4, 60_000, 10_000, 1024, 2 * 1024 * 1024, null);
    }

    CoapSettings withAck(long ackMillis, float randomFactor, int retransmit) {
        return new CoapSettings(name, host, port, endpoint, ackMillis, randomFactor, retransmit, timeoutMillis,
                connectTimeoutMillis, blockSize, maxBodyBytes, dtls);
    }

    CoapSettings withTimeout(long millis) {
        return new CoapSettings(name, host, port, endpoint, ackTimeoutMillis, ackRandomFactor, maxRetransmit, millis,
                connectTimeoutMillis, blockSize, maxBodyBytes, dtls);
    }

    CoapSettings withBodies(int block, int maxBody) {
        return new CoapSettings(name, host, port, endpoint, ackTimeoutMillis, ackRandomFactor, maxRetransmit,
                timeoutMillis, connectTimeoutMillis, block, maxBody, dtls);
    }

    /** The same device over DTLS. */
    CoapSettings withDtls(DtlsSettings d) {
        return new CoapSettings(name, host, port, endpoint, ackTimeoutMillis, ackRandomFactor, maxRetransmit,
                timeoutMillis, connectTimeoutMillis, blockSize, maxBodyBytes, d);
    }

    /** {@code coaps} over DTLS, else {@code coap}. */
    String scheme() {
        return dtls != null ? "coaps" : "coap";
    }

    /** {@code host:port} or {@code endpoint:NAME}. */
    String target() {
        return endpoint != null ? "endpoint:" + endpoint : (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The longest a confirmable message is retransmitted before giving up (RFC 7252 MAX_TRANSMIT_SPAN
     * plus the last wait): ACK_TIMEOUT * ACK_RANDOM_FACTOR * (2^(MAX_RETRANSMIT+1) - 1).
     */
    long maxTransmitWaitMillis() {
        return (long) (ackTimeoutMillis * (double) ackRandomFactor * ((1L << (maxRetransmit + 1)) - 1));
    }
}
