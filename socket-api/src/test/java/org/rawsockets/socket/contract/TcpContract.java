package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Bytes.ascii;
import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;
import static org.rawsockets.socket.contract.Stages.awaitFailure;
import static org.rawsockets.socket.contract.Stages.eventually;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.SocketState;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TimedOutException;

/** TCP client sockets: data, half-close, failures, counters and close semantics. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TcpContract extends ContractSupport {

    private static final int MIB = 1024 * 1024;

    @Test
    void echoRoundTrip() {
        int port = socatTcpEcho();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        TcpOpenInfo info = await(socket.opened(), "open to socat echo");
        assertEquals(InetAddress.getLoopbackAddress(), info.remoteAddress().getAddress(), "remote address");
        assertEquals(port, info.remoteAddress().getPort(), "remote port");
        assertTrue(info.localAddress().getPort() > 0, "local port reported");
        assertTrue(info.tls().isEmpty(), "plain TCP has no TLS info");

        await(socket.writable().write(ascii("hello, echo\n")), "write");
        assertEquals("hello, echo\n", ascii(Bytes.readExactly(socket.readable(), 12)));
        await(socket.close(), "close");
        await(socket.closed(), "closed");
    }

    @Test
    void operationsIssuedBeforeTheOpenCompletesWaitForIt() {
        int port = socatTcpEcho();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        // No wait for opened(): the write and the read are queued behind the open.
        var write = socket.writable().write(ascii("early"));
        var read = Bytes.readExactly(socket.readable(), 5);
        assertEquals("early", ascii(read));
        await(write, "early write");
    }

    @Test
    void ipv6LoopbackLiteralWithAndWithoutBrackets() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            probe.getLocalPort();
        } catch (IOException noIpv6) {
            org.junit.jupiter.api.Assumptions.abort("this machine has no IPv6 loopback (::1): " + noIpv6);
        }
        int port = peer("socat", "-d", "-d", "-t", "30", "TCP6-LISTEN:0,bind=[::1],reuseaddr,fork", "PIPE")
                .awaitSocatPort();
        for (String host : new String[] { "::1", "[::1]" }) {
            TcpSocket socket = service.openTcp(host, port);
            TcpOpenInfo info = await(socket.opened(), "open to " + host);
            assertEquals("0:0:0:0:0:0:0:1", info.remoteAddress().getAddress().getHostAddress(), "remote of " + host);
            await(socket.writable().write(ascii("v6")), "write");
            assertEquals("v6", ascii(Bytes.readExactly(socket.readable(), 2)));
            await(socket.close(), "close");
        }
    }

    @Test
    void hostNameResolvedWithTheRequestedFamily() {
        int port = socatTcpEcho();
        TcpSocket socket = service.openTcp("localhost", port,
                TcpSocketOptions.builder().dnsQueryType(org.rawsockets.socket.DnsQueryType.IPV4).build());
        TcpOpenInfo info = await(socket.opened(), "open to localhost (IPv4)");
        assertEquals("127.0.0.1", info.remoteAddress().getAddress().getHostAddress(), "the resolved IPv4 address");
        assertTrue(socket.info().destination().contains("localhost"), "destination is what was asked for: "
                + socket.info().destination());
    }

    /** Every socket option at once: the connection still works (the options reach the platform). */
    @Test
    void allTcpOptionsTogether() throws Exception {
        int port = socatTcpEcho();
        TcpSocket socket = service.openTcp("127.0.0.1", port,
                TcpSocketOptions.builder().noDelay(true).keepAliveDelay(Duration.ofSeconds(5))
                        .sendBufferSize(32 * 1024).receiveBufferSize(32 * 1024)
                        .connectTimeout(Duration.ofSeconds(10)).allowHalfOpen(true).build());
        await(socket.opened(), "open with every option");
        // windowed: socat's PIPE echo deadlocks itself with more than ~64 KiB in flight
        Bytes.windowedEcho(socket, 200_000, 8192, 48 * 1024);
        assertEquals(200_000, socket.info().bytesIn(), "bytesIn");
    }

    /** Writes that are not waited for are still accepted, in order. */
    @Test
    void unawaitedWritesAreSentInOrder() {
        int port = socatTcpEcho();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        java.util.List<java.util.concurrent.CompletionStage<Void>> writes = new java.util.ArrayList<>();
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            byte[] line = ascii(String.format("line %04d%n", i));
            expected.writeBytes(line);
            writes.add(socket.writable().write(line));
        }
        assertArrayEquals(expected.toByteArray(), Bytes.readExactly(socket.readable(), expected.size()));
        for (var w : writes) {
            await(w, "an unawaited write");
        }
    }

    /** 64 MiB up to {@code sha256sum} run by socat: the peer's own checksum must match ours. */
    @Test
    void upload64MiBMatchesThePeersChecksum() {
        int port = peer("socat", "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr",
                "SYSTEM:sha256sum").awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        await(socket.opened(), "open");
        MessageDigest sent = Bytes.sha256();
        byte[] block = Bytes.random(256 * 1024, 64);
        for (int i = 0; i < 64 * MIB / block.length; i++) {
            block[0] = (byte) i; // make blocks differ
            sent.update(block);
            await(socket.writable().write(block.clone()), "write block " + i);
        }
        await(socket.writable().close(), "half-close after 64 MiB");
        String reply = ascii(Bytes.readToEnd(socket.readable(), 1024, Duration.ofSeconds(60))).trim();
        assertEquals(Bytes.hex(sent.digest()), reply.split("\\s+")[0], "sha256sum of what the peer received");
        eventually("bytesOut counts 64 MiB", PROMPT, () -> socket.info().bytesOut() == 64L * MIB);
        await(socket.closed(), "closed after both directions ended");
    }

    /** 64 MiB down from a file socat sends: our checksum must match the file's. */
    @Test
    void download64MiBMatchesTheFilesChecksum(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("payload.bin");
        MessageDigest expected = Bytes.sha256();
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < 64; i++) {
                byte[] mib = Bytes.random(MIB, 1000 + i);
                expected.update(mib);
                out.write(mib);
            }
        }
        int port = peer("socat", "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr",
                "OPEN:" + file + ",rdonly").awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        await(socket.opened(), "open");
        MessageDigest received = Bytes.sha256();
        long total = 0;
        while (true) {
            ReadResult<ByteBuffer> r = await(socket.readable().read(), "read after " + total + " bytes");
            if (r.done()) {
                break;
            }
            total += r.value().remaining();
            received.update(r.value());
        }
        assertEquals(64L * MIB, total, "bytes received");
        assertEquals(Bytes.hex(expected.digest()), Bytes.hex(received.digest()), "sha-256 of the received bytes");
        assertEquals(64L * MIB, socket.info().bytesIn(), "bytesIn counter");
    }

    /** 64 MiB through socat's echo, written and read concurrently, checksummed on both sides. */
    @Test
    void echo64MiBConcurrently() throws Exception {
        int port = socatTcpEcho();
        TcpSocket socket = service.openTcp("127.0.0.1", port, TcpSocketOptions.builder().noDelay(true).build());
        await(socket.opened(), "open");
        Bytes.windowedEcho(socket, 64L * MIB, 16 * 1024, 48 * 1024);
        SocketInfo info = socket.info();
        assertEquals(64L * MIB, info.bytesIn(), "bytesIn");
        eventually("bytesOut == 64 MiB", PROMPT, () -> socket.info().bytesOut() == 64L * MIB);
        await(socket.writable().close(), "half-close");
        assertTrue(await(socket.readable().read(), "read after the echo's FIN").done(), "end after FIN");
        await(socket.closed(), "closed");
    }

    /** Our FIN (closing the writable) does not end reading: the peer ({@code wc -c}) answers after it. */
    @Test
    void halfCloseOurSidePeerStillSends() {
        int port = peer("socat", "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr", "SYSTEM:wc -c")
                .awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port, TcpSocketOptions.builder().allowHalfOpen(true).build());
        await(socket.opened(), "open");
        await(socket.writable().write(Bytes.random(100_000, 1)), "write");
        await(socket.writable().close(), "half-close (FIN)");
        awaitFailure(socket.writable().write(ascii("late")), SocketClosedException.class,
                "write after the writable side was closed");
        assertEquals("100000", ascii(Bytes.readToEnd(socket.readable(), 100)).trim(), "peer's byte count");
        await(socket.closed(), "closed once both directions are done");
    }

    /** With allowHalfOpen the peer's FIN ends our reading but we can still send. */
    @Test
    void halfClosePeerSideWeStillWrite() throws Exception {
        PeerProcess peer = socatTcpStdio();
        int port = peer.awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port, TcpSocketOptions.builder().allowHalfOpen(true).build());
        await(socket.opened(), "open");
        peer.stdin().write(ascii("bye from peer"));
        peer.stdin().close(); // socat shuts down its sending side: FIN
        assertEquals("bye from peer", ascii(Bytes.readToEnd(socket.readable(), 1000)));
        await(socket.writable().write(ascii("still writing after your FIN")), "write after the peer's FIN");
        await(socket.writable().close(), "our FIN");
        assertEquals("still writing after your FIN", ascii(readAllBounded(peer.stdout())));
        await(socket.closed(), "closed");
    }

    /** Without allowHalfOpen (the default) the peer's FIN closes the socket once the data is read. */
    @Test
    void peerFinClosesSocketWithoutHalfOpen() throws Exception {
        PeerProcess peer = socatTcpStdio();
        int port = peer.awaitSocatPort();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        await(socket.opened(), "open");
        peer.stdin().write(ascii("last words"));
        peer.stdin().close();
        assertEquals("last words", ascii(Bytes.readToEnd(socket.readable(), 1000)));
        await(socket.closed(), "closed() after the peer's FIN, without our close()");
        assertEquals(0, readAllBounded(peer.stdout()).length, "we sent nothing");
        assertEquals(SocketState.CLOSED, socket.info().state());
    }

    /** JDK peer: only it can send a reset on demand (SO_LINGER 0 then close). */
    @Test
    void peerResetFailsReadsAndClosed() throws Exception {
        JdkServer server = jdkServer();
        TcpSocket socket = service.openTcp("127.0.0.1", server.port());
        await(socket.opened(), "open");
        Socket peer = server.accept();
        peer.setSoLinger(true, 0);
        peer.close(); // RST
        NetworkException e = awaitFailure(socket.readable().read(), NetworkException.class, "read after a reset");
        assertMentions(e, "reset read error");
        assertEquals(NetworkException.Reason.RESET, e.reason(), "reason of " + e);
        awaitFailure(socket.closed(), NetworkException.class, "closed() after a reset");
        assertEquals(SocketState.FAILED, socket.info().state(), "state after a reset");
    }

    @Test
    void connectionRefusedNamesTheDestination() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        NetworkException e = awaitFailure(socket.opened(), NetworkException.class, "open to a closed port");
        assertTrue(e.getMessage().contains("127.0.0.1") && e.getMessage().contains(String.valueOf(port)),
                "message names the destination 127.0.0.1:" + port + ": " + e.getMessage());
        assertEquals(NetworkException.Reason.REFUSED, e.reason(), "reason of " + e);
        awaitFailure(socket.closed(), NetworkException.class, "closed() of a socket whose open failed");
        awaitFailure(socket.readable().read(), NetworkException.class, "read of a socket whose open failed");
        awaitFailure(socket.writable().write(ascii("x")), NetworkException.class,
                "write to a socket whose open failed");
        assertEquals(SocketState.FAILED, socket.info().state());
    }

    @Test
    void connectTimeoutAgainstAFullBacklog() throws IOException {
        FullBacklogListener listener = fullBacklogListener();
        TcpSocket socket = service.openTcp("127.0.0.1", listener.port(),
                TcpSocketOptions.builder().connectTimeout(Duration.ofMillis(500)).build());
        TimedOutException e = awaitFailure(socket.opened(), TimedOutException.class, "open to a full backlog");
        assertTrue(e.getMessage().contains(String.valueOf(listener.port())),
                "message names the destination port " + listener.port() + ": " + e.getMessage());
        awaitFailure(socket.closed(), TimedOutException.class, "closed() after a connect timeout");
    }

    /** checkTcp asks the policy without opening anything: allowed here, nothing in the socket list. */
    @Test
    void checkTcpAllowsWithoutOpening() throws IOException {
        JdkServer server = jdkServer();
        await(service.checkTcp("127.0.0.1", server.port(), org.rawsockets.socket.DnsQueryType.ANY), "checkTcp");
        await(service.checkTcp("localhost", server.port(), org.rawsockets.socket.DnsQueryType.ANY), "checkTcp by name");
        assertTrue(service.sockets().isEmpty(), "checkTcp opened nothing: " + service.sockets());
        assertTrue(fixture.admin().sockets().isEmpty(), "no socket in the operator view: " + fixture.admin().sockets());
    }

    /** checkTcp fails with the policy's NotAllowedException, naming the bundle and the destination. */
    @Test
    void checkTcpRefusedByThePolicy() throws IOException {
        JdkServer server = jdkServer();
        org.rawsockets.socket.SocketService refused = fixture.openRefused("org.rawsockets.contract.refused");
        org.rawsockets.socket.NotAllowedException e = awaitFailure(
                refused.checkTcp("127.0.0.1", server.port(), org.rawsockets.socket.DnsQueryType.ANY),
                org.rawsockets.socket.NotAllowedException.class, "checkTcp without a grant");
        assertTrue(e.getMessage().contains("org.rawsockets.contract.refused"), "names the bundle: " + e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1") && e.getMessage().contains(String.valueOf(server.port())),
                "names the destination: " + e.getMessage());
        assertTrue(refused.sockets().isEmpty(), "nothing opened: " + refused.sockets());
    }

    @Test
    void unknownHostIsANetworkError() {
        TcpSocket socket = service.openTcp("nonexistent.invalid", 80);
        NetworkException e = awaitFailure(socket.opened(), NetworkException.class, Duration.ofSeconds(60),
                "open to nonexistent.invalid");
        assertTrue(e.getMessage().contains("nonexistent.invalid"), "message names the host: " + e.getMessage());
        assertEquals(NetworkException.Reason.DNS, e.reason(), "reason of " + e);
    }

    @Test
    void countersAndListings() {
        int port = socatTcpEcho();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        await(socket.opened(), "open");
        byte[] data = Bytes.random(12_345, 3);
        Bytes.writeAll(socket.writable(), data, 4096);
        assertArrayEquals(data, Bytes.readExactly(socket.readable(), data.length));
        eventually("bytesOut == 12345", PROMPT, () -> socket.info().bytesOut() == data.length);
        SocketInfo info = socket.info();
        assertEquals(data.length, info.bytesIn(), "bytesIn");
        assertEquals(SocketKind.TCP, info.kind());
        assertEquals(SocketState.OPEN, info.state());
        assertTrue(info.owner().contains(OWNER), "owner " + info.owner() + " names " + OWNER);
        assertTrue(info.destination().contains(String.valueOf(port)), "destination " + info.destination());
        assertEquals(port, info.remote().orElseThrow().getPort(), "remote port");
        assertTrue(info.local().isPresent(), "local address");
        assertTrue(service.sockets().stream().anyMatch(s -> s.id() == info.id()), "listed by the service");
        assertTrue(fixture.admin().sockets().stream().anyMatch(s -> s.id() == info.id()), "listed by the admin");
        assertEquals(data.length, fixture.admin().socket(info.id()).orElseThrow().bytesIn(), "admin counters");
    }

    @Test
    void closeIsIdempotent() {
        int port = socatTcpEcho();
        TcpSocket socket = service.openTcp("127.0.0.1", port);
        await(socket.opened(), "open");
        var first = socket.close();
        var second = socket.close();
        await(first, "first close");
        await(second, "second close");
        await(socket.closed(), "closed");
        await(socket.close(), "close after closed");
        assertEquals(SocketState.CLOSED, socket.info().state());
        awaitFailure(socket.writable().write(ascii("x")), SocketClosedException.class, "write after close");
        assertTrue(await(socket.readable().read(), "read after close").done(), "read after close sees the end");
        eventually("closed socket no longer listed", PROMPT,
                () -> service.sockets().stream().noneMatch(s -> s.id() == socket.info().id()));
    }

    @Test
    void closingAPendingSocketCancelsTheOpen() throws IOException {
        FullBacklogListener listener = fullBacklogListener();
        TcpSocket socket = service.openTcp("127.0.0.1", listener.port(),
                TcpSocketOptions.builder().connectTimeout(Duration.ofSeconds(60)).build());
        assertFalse(Stages.isDone(socket.opened()), "open to a full backlog is pending");
        assertEquals(SocketState.OPENING, socket.info().state());
        socket.close();
        awaitFailure(socket.opened(), SocketClosedException.class, "opened() of a socket closed while pending");
        assertTrue(Stages.future(socket.closed()).handle((v, e) -> true).join(), "closed() completes");
    }

    @Test
    void abortFailsPendingWritesAndClosesTheSocket() throws Exception {
        JdkServer server = closeAfter(new JdkServer(16 * 1024));
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(),
                TcpSocketOptions.builder().sendBufferSize(16 * 1024).build());
        await(socket.opened(), "open");
        Socket peer = server.accept();
        // The peer does not read: queue far more than any buffer, without waiting.
        var last = socket.writable().write(new byte[(int) Math.max(8 * MIB, 4 * fixture.bufferBound())]);
        socket.writable().abort(new IllegalStateException("test abort"));
        awaitFailure(last, SocketClosedException.class, "pending write after abort");
        Stages.future(socket.closed()).handle((v, e) -> null).get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        // The peer sees the connection end (reset or EOF) after at most what was already sent.
        InputStream in = peer.getInputStream();
        long got = 0;
        try {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0;) {
                got += n;
            }
        } catch (java.net.SocketTimeoutException stillOpen) {
            throw new AssertionError("the peer did not see the aborted connection end within " + PROMPT);
        } catch (IOException reset) {
            // a reset is what abort asks for
        }
        assertTrue(got < 8 * MIB, "the queued bytes were dropped, peer got " + got);
    }

    /**
     * close() ends in bounded time: a peer that never reads (its window closes) and a full queue keep
     * the FIN from going; after closeTimeout the connection is reset, closed() fails with
     * TimedOutException naming the socket and the limit, and the socket is no longer counted.
     */
    @Test
    void closeIsBoundedByTheCloseTimeoutWhenThePeerDoesNotRead() throws Exception {
        JdkServer server = closeAfter(new JdkServer(16 * 1024));
        TcpSocket socket = service.openTcp("127.0.0.1", server.port(), TcpSocketOptions.builder()
                .sendBufferSize(16 * 1024).closeTimeout(Duration.ofSeconds(1)).build());
        await(socket.opened(), "open");
        Socket peer = server.accept(); // never reads
        var last = socket.writable().write(new byte[(int) Math.max(4 * MIB, 4 * fixture.bufferBound())]);
        long t0 = System.nanoTime();
        socket.close();
        TimedOutException e = awaitFailure(socket.closed(), TimedOutException.class,
                "closed() of a socket whose peer does not read");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 900, "closed() failed after " + ms + " ms, before the 1 s closeTimeout");
        assertTrue(e.getMessage().contains("closeTimeout") && e.getMessage().contains(String.valueOf(server.port())),
                "the message names the limit and the socket: " + e.getMessage());
        assertTrue(Stages.future(last).handle((v, x) -> x).get(PROMPT.toMillis(), TimeUnit.MILLISECONDS) != null,
                "the queued write failed");
        assertEquals(SocketState.FAILED, socket.info().state(), "state after the close timeout");
        assertEquals(java.util.List.of(), service.sockets(), "nothing left registered");
        // the peer sees a reset, not a FIN
        InputStream in = peer.getInputStream();
        boolean reset = false;
        try {
            byte[] buf = new byte[64 * 1024];
            while (in.read(buf) >= 0) {
                // what was already delivered before the reset
            }
        } catch (java.net.SocketTimeoutException stillOpen) {
            throw new AssertionError("the peer did not see the connection end within " + PROMPT);
        } catch (IOException expected) {
            reset = true;
        }
        assertTrue(reset, "the peer saw an orderly FIN instead of a reset");
    }

    /** A close that finishes within a short closeTimeout completes normally: the linger only bounds it. */
    @Test
    void closeWithinTheCloseTimeoutCompletesNormally() {
        int port = socatTcpEcho();
        TcpSocket socket = service.openTcp("127.0.0.1", port,
                TcpSocketOptions.builder().closeTimeout(Duration.ofMillis(200)).build());
        await(socket.opened(), "open");
        await(socket.writable().write(ascii("bye\n")), "write");
        assertEquals("bye\n", ascii(Bytes.readExactly(socket.readable(), 4)));
        await(socket.close(), "close with everything sent");
        assertEquals(SocketState.CLOSED, socket.info().state());
    }

    static void assertMentions(Throwable e, String what) {
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what + " has a message: " + e);
    }

    /** Reads a peer process's stdout to EOF (bounded by the peer's -t and the test timeout). */
    static byte[] readAllBounded(InputStream in) throws IOException {
        return in.readNBytes(16 * MIB);
    }
}
