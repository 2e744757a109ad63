package org.rawsockets.socket.mina.libraries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.io.DetachedSocketFactory;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.contract.PeerProcess;

/**
 * Apache HttpClient 5 (classic) whose connection operator makes the bundle's sockets, fetching pages
 * from Python's {@code http.server} on loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpClient5Test {

    @TempDir
    Path www;

    private PeerProcess server;
    private int port;
    private LibraryFixture fixture;

    @BeforeEach
    void startServer() throws Exception {
        Files.writeString(www.resolve("page.html"), "<html><body>served by python over the socket service</body></html>\n");
        byte[] big = new byte[8 * 1024 * 1024];
        new java.util.Random(13).nextBytes(big);
        Files.write(www.resolve("big.bin"), big);
        String python = LibraryFixture.executable("python3", "/usr/bin");
        for (int attempt = 0; ; attempt++) {
            port = LibraryFixture.freePort();
            PeerProcess p = PeerProcess.start(true, python, "-u", "-m", "http.server", String.valueOf(port), "--bind",
                    "127.0.0.1", "--directory", www.toString());
            try {
                p.awaitLog("Serving HTTP on 127\\.0\\.0\\.1 port " + port, Duration.ofSeconds(20));
                server = p;
                break;
            } catch (AssertionError e) {
                p.close();
                if (attempt >= 2) {
                    throw e;
                }
            }
        }
        fixture = new LibraryFixture(String.valueOf(port));
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * What a bundle writes to put HttpClient's connections under the policy. Since HttpClient 5.4
     * plain sockets come from the connection operator's {@link DetachedSocketFactory} (a
     * {@code ConnectionSocketFactory} registered for "http" is no longer used for them; policy:scan
     * shows the JDK sockets it would fall back to), so the service's factory goes there; TLS (not
     * used here) would layer over those sockets through a {@code TlsSocketStrategy}.
     */
    static CloseableHttpClient client(SocketFactory sockets) {
        DetachedSocketFactory viaService = proxy -> {
            if (proxy != null && proxy.type() != java.net.Proxy.Type.DIRECT) {
                throw new IOException("proxies are not supported by this socket factory");
            }
            return sockets.createSocket();
        };
        DefaultHttpClientConnectionOperator operator = new DefaultHttpClientConnectionOperator(viaService, null, null,
                RegistryBuilder.<TlsSocketStrategy>create().build());
        return HttpClients.custom().setConnectionManager(new PoolingHttpClientConnectionManager(operator,
                PoolConcurrencyPolicy.STRICT, PoolReusePolicy.LIFO, TimeValue.NEG_ONE_MILLISECOND, null)).build();
    }

    @Test
    void fetchesPagesThroughTheBundlesSockets() throws Exception {
        try (CloseableHttpClient http = client(fixture.service.socketFactory())) {
            String page = http.execute(new HttpGet("http://127.0.0.1:" + port + "/page.html"),
                    r -> r.getCode() + " " + EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8));
            assertEquals("200 <html><body>served by python over the socket service</body></html>\n", page);
            byte[] big = http.execute(new HttpGet("http://127.0.0.1:" + port + "/big.bin"),
                    r -> EntityUtils.toByteArray(r.getEntity()));
            assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(www.resolve("big.bin")))),
                    java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(big)),
                    "8 MiB body intact");
            // python's server closes after each response (HTTP/1.0): one connection of the bundle per request
            assertEquals(2, fixture.opened(port), "the bundle's connections: " + fixture.audit.recent(10));
        }
        assertTrue(server.log().contains("\"GET /page.html HTTP/1.1\" 200"), server.log());
    }

    /** A host the bundle may not reach: HttpClient reports the policy's refusal. */
    @Test
    void aRefusedDestinationSurfacesAsNotAllowedException() throws Exception {
        int other = LibraryFixture.freePort();
        try (CloseableHttpClient http = client(fixture.service.socketFactory())) {
            IOException e = assertThrows(IOException.class,
                    () -> http.execute(new HttpGet("http://127.0.0.1:" + other + "/"), r -> r.getCode()));
            NotAllowedException n = assertInstanceOf(NotAllowedException.class,
                    e instanceof NotAllowedException ? e : e.getCause(), "HttpClient's error: " + e);
            assertTrue(n.getMessage().contains(":" + other), n.getMessage());
        }
    }
}
