package org.rawsockets.print.internal.http;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

import org.rawsockets.print.PrintException;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.fuzz.FeedReadable;
import org.rawsockets.socket.fuzz.FeedSockets;
import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21) of the print bundle's HTTP/1.1 response reading ({@link HttpClient}: status
 * line, headers, bodies by Content-Length, chunked or to the end, interim 1xx, a 401 with a Basic or
 * Digest challenge answered once): one POST whose response is the fuzzer's bytes in its pieces, over
 * {@link FeedSockets} (no network). Oracles: only {@link PrintException} (its typed subclasses)
 * escapes; a returned body is within {@code maxResponseBytes} and, with a Content-Length and no
 * chunking, exactly that long; allocation bounded by the client's 64 KiB read buffer and the input,
 * never by a declared length.
 */
class HttpResponseFuzzTarget {

    private static final int MAX_RESPONSE = 4096;

    @FuzzTest
    void responses(byte[] data) {
        FuzzInput in = FuzzInput.of(data);
        byte[] p = in.payload();
        HttpSettings settings = new HttpSettings("127.0.0.1", 631, TlsOptions.off(), Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ofSeconds(5), MAX_RESPONSE, 512, Duration.ofSeconds(1),
                Duration.ofSeconds(30), "fuzz");
        java.util.function.Supplier<char[]> password = in.flag(0) ? () -> "secret".toCharArray() : null;
        HttpResponse r = FuzzOracle.allocation(data, 4L * 64 * 1024 + 64L * p.length, "HttpClient's response reading",
                () -> {
                    Deque<FeedReadable> connections = new ArrayDeque<>();
                    connections.add(in.feed());
                    // a second connection (after a 401 or a close) finds the stream ended
                    HttpClient client = new HttpClient(FeedSockets.service(
                            () -> connections.isEmpty() ? new FeedReadable(new byte[0], new byte[0]) : connections.poll()),
                            settings, "user", password);
                    try {
                        return FuzzOracle.onlyTyped(data,
                                () -> client.post("/ipp/print", "application/ipp", new byte[] {2, 0}, null, null),
                                PrintException.class);
                    } finally {
                        client.close();
                    }
                });
        if (r == null) {
            return;
        }
        if (r.body().length > MAX_RESPONSE) {
            throw new AssertionError("a body of " + r.body().length + " bytes over maxResponseBytes: " + FuzzOracle.hex(data));
        }
        String cl = r.header("content-length").orElse(null);
        boolean chunked = r.header("transfer-encoding").map(t -> t.toLowerCase(java.util.Locale.ROOT).contains("chunked"))
                .orElse(false);
        if (cl != null && !chunked && Long.parseLong(cl.strip()) != r.body().length) {
            throw new AssertionError("Content-Length " + cl + " but a body of " + r.body().length + " bytes: "
                    + FuzzOracle.hex(data));
        }
    }
}
