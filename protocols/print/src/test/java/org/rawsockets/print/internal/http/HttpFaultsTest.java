package org.rawsockets.print.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.print.Document;
import org.rawsockets.print.HttpStatusException;
import org.rawsockets.print.IppProtocolException;
import org.rawsockets.print.JobOptions;
import org.rawsockets.print.PrintTimeoutException;
import org.rawsockets.print.PrinterState;
import org.rawsockets.print.internal.Peers;
import org.rawsockets.print.internal.PrinterSettings;
import org.rawsockets.print.internal.ipp.IppPrinter;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** The HTTP layer against a scripted Python HTTP peer: auth, error statuses, bounds, trickled bytes, stalls. */
class HttpFaultsTest {

    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;
    Process peer;
    Path log;

    @BeforeAll
    static void start() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.print"));
    }

    @AfterAll
    static void stop() {
        sockets.close();
        engine.close();
    }

    @AfterEach
    void stopPeer() {
        Peers.stop(peer);
    }

    int peer(String mode) throws Exception {
        Path dir = Peers.workDir("http-" + mode);
        log = dir.resolve("peer.log");
        int port = Peers.freePort();
        Path script = Paths.get(HttpFaultsTest.class.getResource("/http_peer.py").toURI());
        peer = Peers.start(dir, log, List.of("python3", "-u", script.toString(), mode, Integer.toString(port)));
        Peers.waitFor("http peer " + mode, Duration.ofSeconds(10), () -> {
            try {
                return Files.readString(log).contains("listening");
            } catch (java.io.IOException e) {
                return false;
            }
        }, peer, log);
        return port;
    }

    IppPrinter printer(int port, String password) {
        PrinterSettings s = PrinterSettings.defaults("scripted", "ipp://127.0.0.1:" + port + "/ipp/print")
                .withTimeout(Duration.ofSeconds(3));
        if (password != null) {
            s = s.withCredentials("user", password::toCharArray);
        }
        return new IppPrinter(sockets, s);
    }

    @Test
    void basicAuthAnswersThe401() throws Exception {
        int port = peer("basic");
        try (IppPrinter p = printer(port, "s3cret")) {
            assertEquals(PrinterState.IDLE, p.status().state());
            assertEquals(PrinterState.IDLE, p.status().state(), "second request: preemptive, same connection");
            p.print(Document.of("a.txt", "hello".getBytes()), JobOptions.named("x"), null);
        }
        try (IppPrinter p = printer(port, "wrong")) {
            HttpStatusException e = assertThrows(HttpStatusException.class, p::status);
            assertEquals(401, e.status());
            assertTrue(e.getMessage().contains("user and password were refused (Basic)"), e.getMessage());
        }
        try (IppPrinter p = printer(port, null)) {
            HttpStatusException e = assertThrows(HttpStatusException.class, p::status);
            assertTrue(e.getMessage().contains("wants authentication; configure a user and a password"), e.getMessage());
        }
    }

    @Test
    void keepAliveOneConnectionForRequestsAndDocuments() throws Exception {
        int port = peer("ok");
        try (IppPrinter p = printer(port, null)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(PrinterState.IDLE, p.status().state());
            }
            p.print(Document.of("a.txt", new byte[300_000]), JobOptions.named("x"), null);
            assertEquals(PrinterState.IDLE, p.status().state());
        }
        String log = Files.readString(this.log);
        assertEquals(1, log.split("accepted", -1).length - 1, "one connection for five requests:\n" + log);
    }

    @Test
    void digestAuthSha256WithQop() throws Exception {
        int port = peer("digest");
        try (IppPrinter p = printer(port, "s3cret")) {
            assertEquals(PrinterState.IDLE, p.status().state());
            p.print(Document.of("a.txt", "hello".getBytes()), JobOptions.named("x"), null);
            assertEquals(PrinterState.IDLE, p.status().state());
        }
        try (IppPrinter p = printer(port, "wrong")) {
            assertEquals(401, assertThrows(HttpStatusException.class, p::status).status());
        }
    }

    @Test
    void upgradeRequiredAndServerErrorsAreTyped() throws Exception {
        int port = peer("426");
        try (IppPrinter p = printer(port, null)) {
            HttpStatusException e = assertThrows(HttpStatusException.class, p::status);
            assertEquals(426, e.status());
            assertTrue(e.getMessage().contains("requires TLS") && e.getMessage().contains("ipps://"), e.getMessage());
            HttpStatusException d = assertThrows(HttpStatusException.class,
                    () -> p.print(Document.of("a", new byte[10]), JobOptions.named("x"), null));
            assertEquals(426, d.status());
        }
        Peers.stop(peer);
        port = peer("503");
        try (IppPrinter p = printer(port, null)) {
            HttpStatusException e = assertThrows(HttpStatusException.class, p::status);
            assertEquals(503, e.status());
            assertTrue(e.getMessage().contains("job's state is unknown"), e.getMessage());
        }
    }

    @Test
    void gigabyteContentLengthRefusedBeforeAllocating() throws Exception {
        int port = peer("huge");
        try (IppPrinter p = printer(port, null)) {
            long t0 = System.nanoTime();
            IppProtocolException e = assertThrows(IppProtocolException.class, p::status);
            assertTrue(e.getMessage().contains("declares a response of 1073741824 bytes"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "at once, not after a read timeout");
        }
    }

    @Test
    void tricklingChunkedResponseOneByteAtATime() throws Exception {
        int port = peer("trickle");
        try (IppPrinter p = printer(port, null)) {
            assertEquals(PrinterState.IDLE, p.status().state());
            assertEquals(PrinterState.IDLE, p.status().state());
        }
    }

    @Test
    void notHttpIsAProtocolError() throws Exception {
        int port = peer("garbage");
        try (IppPrinter p = printer(port, null)) {
            IppProtocolException e = assertThrows(IppProtocolException.class, p::status);
            assertTrue(e.getMessage().contains("did not answer with an HTTP/1.x status line"), e.getMessage());
        }
    }

    @Test
    void printerThatStopsReadingTheDocumentTimesOutWithBoundedMemory() throws Exception {
        int port = peer("stall");
        long size = 512L * 1024 * 1024;
        long[] offered = {0};
        Document endless = new Document("endless", size, () -> new InputStream() {
            @Override
            public int read() {
                return offered[0]++ < size ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int n = (int) Math.min(len, size - offered[0]);
                if (n <= 0) {
                    return -1;
                }
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                offered[0] += n;
                return n;
            }
        });
        try (IppPrinter p = printer(port, null)) {
            long t0 = System.nanoTime();
            PrintTimeoutException e = assertThrows(PrintTimeoutException.class,
                    () -> p.print(endless, JobOptions.named("x"), null));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.getMessage().contains("did not take the document"), e.getMessage());
            assertTrue(ms < 15_000, "typed timeout in bounded time: " + ms + " ms");
            assertTrue(offered[0] < 64L * 1024 * 1024, "the client stopped reading the document: " + offered[0]);
        }
    }
}
