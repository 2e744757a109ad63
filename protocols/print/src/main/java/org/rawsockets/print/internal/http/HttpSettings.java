package org.rawsockets.print.internal.http;

import java.time.Duration;

import org.rawsockets.socket.TlsOptions;

/**
 * Where and how an {@link HttpClient} talks.
 *
 * @param tls {@code TlsOptions.off()} for http, TLS from the first byte for https
 * @param readTimeout the longest wait for the next bytes of a response
 * @param writeTimeout the longest the printer may take to accept the next chunk of a document
 * @param maxResponseBytes the largest response body accepted (declared or received)
 * @param chunkSize the size of one chunk of a streamed document (the memory one upload holds, times two)
 * @param expectTimeout how long to wait for {@code 100 Continue} before sending a document anyway
 * @param idleReuse the longest a kept-alive connection is reused after its last response
 */
public record HttpSettings(String host, int port, TlsOptions tls, Duration connectTimeout, Duration readTimeout,
        Duration writeTimeout, int maxResponseBytes, int chunkSize, Duration expectTimeout, Duration idleReuse,
        String label) {

    public HttpSettings {
        if (chunkSize < 512 || chunkSize > 4 * 1024 * 1024) {
            throw new IllegalArgumentException("chunkSize must be 512..4194304, was " + chunkSize);
        }
        if (maxResponseBytes < 1024 || maxResponseBytes > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("maxResponseBytes must be 1024..67108864, was " + maxResponseBytes);
        }
    }
}
