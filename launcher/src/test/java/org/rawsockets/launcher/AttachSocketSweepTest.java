package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short socket folder of long gateway paths: a killed gateway's socket is removed by the next
 * gateway's start; a live gateway's (also with its backlog full), a fresh one and files that are not sockets stay.
 */
class AttachSocketSweepTest {

    @TempDir
    Path dir;

    /** A socket file nobody listens on any more (as a killed gateway leaves it), {@code age} old. */
    private Path deadSocket(String name, Duration age) throws Exception {
        Path p = dir.resolve(name);
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(p));
        } // closing does not remove the file
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(age)));
        return p;
    }

    @Test
    void onlyOldSocketsWithoutAListenerGo() throws Exception {
        Path killed = deadSocket("0123456789abcdef.sock", Duration.ofMinutes(5));
        Path fresh = deadSocket("fedcba9876543210.sock", Duration.ZERO);
        Path other = deadSocket("not-ours.socket", Duration.ofMinutes(5));
        Path file = Files.writeString(dir.resolve("notes.sock"), "a file, not a socket");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
        Path live = dir.resolve("1111111111111111.sock");
        try (ServerSocketChannel gateway = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gateway.bind(UnixDomainSocketAddress.of(live), 1);
            Files.setLastModifiedTime(live, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));

            assertEquals(1, AttachServer.sweepStale(dir, AttachServer.STALE_AFTER));

            assertFalse(Files.exists(killed), "a killed gateway's socket is removed");
            assertTrue(Files.exists(fresh), "a young socket stays (its gateway may be starting)");
            assertTrue(Files.exists(live), "a socket a gateway listens on stays");
            assertTrue(Files.exists(other), "only *.sock names are touched");
            assertTrue(Files.exists(file), "only sockets are touched");
        }
        Path busy = dir.resolve("2222222222222222.sock");
        try (ServerSocketChannel gateway = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gateway.bind(UnixDomainSocketAddress.of(busy), 1);
            Files.setLastModifiedTime(busy, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
            List<SocketChannel> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) { // past the backlog: nobody accepts
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    waiting.add(c);
                    c.configureBlocking(false);
                    try {
                        c.connect(UnixDomainSocketAddress.of(busy));
                    } catch (java.io.IOException full) {
                        break; // the backlog is full
                    }
                }
                assertEquals(1, AttachServer.sweepStale(dir, AttachServer.STALE_AFTER));
                assertFalse(Files.exists(live), "the gateway above closed without removing its socket: stale now");
                assertTrue(Files.exists(busy), "a gateway whose backlog is full is alive: its socket stays");
            } finally {
                for (SocketChannel c : waiting) {
                    c.close();
                }
            }
        }
        assertEquals(0, AttachServer.sweepStale(dir.resolve("missing"), AttachServer.STALE_AFTER),
                "a folder that is not there: nothing to do, no error");
    }
}
