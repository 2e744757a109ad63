package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Bytes.ascii;
import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;
import static org.rawsockets.socket.contract.Stages.eventually;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * The {@link java.net.Socket} view ({@link SocketService#socketFactory(TcpSocketOptions)}) as Java
 * network libraries use it: blocking streams with {@code soTimeout}, half-close both ways, resets,
 * close from another thread, 64 MiB each way with checksums, options, and the policy's refusal
 * reaching the caller.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class SocketViewContract extends ContractSupport {

    static final int MIB = 1024 * 1024;

    private SocketFactory factory() {
        return service.socketFactory(TcpSocketOptions.builder().noDelay(true).build());
    }

    private Socket connect(int port) throws IOException {
        return closeAfter(factory().createSocket("127.0.0.1", port));
    }

    @Test
    void echoThroughTheStreamsAndOwnedByTheBundle() throws Exception {
        int port = socatTcpEcho();
        Socket s = connect(port);
        assertTrue(s.isConnected(), "connected");
        assertFalse(s.isClosed(), "not closed");
        assertEquals(InetAddress.getByName("127.0.0.1"), s.getInetAddress(), "remote address");
        assertEquals(port, s.getPort(), "remote port");
        assertTrue(s.getLocalPort() > 0, "local port " + s.getLocalPort());
        assertEquals(new InetSocketAddress("127.0.0.1", port), s.getRemoteSocketAddress());
        assertTrue(s.getTcpNoDelay(), "TCP_NODELAY from the factory's options");
        s.getOutputStream().write(ascii("hello socket view\n"));
        s.getOutputStream().flush();
        assertEquals("hello socket view\n", ascii(s.getInputStream().readNBytes(18)));

        SocketInfo info = service.sockets().stream().filter(i -> i.destination().equals("127.0.0.1:" + port))
                .findFirst().orElseThrow(() -> new AssertionError("the socket is not listed: " + service.sockets()));
        assertEquals(OWNER, info.owner().replaceFirst(" \\[\\d+\\]$", ""), "owned by the bundle: " + info.owner());
        assertTrue(info.bytesIn() >= 18 && info.bytesOut() >= 18, "counted: " + info);
        assertTrue(fixture.admin().sockets().stream().anyMatch(i -> i.id() == info.id()), "in the operator's list");

        s.close();
        assertTrue(s.isClosed(), "closed");
        assertThrows(SocketException.class, () -> s.getInputStream(), "streams after close");
        eventually("the closed socket leaves the list", PROMPT,
                () -> service.sockets().stream().noneMatch(i -> i.id() == info.id()));
    }

    /** soTimeout is read at every read: a timed-out read leaves the stream usable. */
    @Test
    void readTimeoutLeavesTheStreamUsable() throws Exception {
        JdkServer server = jdkServer();
        Socket s = connect(server.port());
        Socket peer = server.accept();
        s.setSoTimeout(300);
        InputStream in = s.getInputStream();
        long t0 = System.nanoTime();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> in.read(), "read with nothing sent");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 250 && ms < 10_000, "the read waited about soTimeout: " + ms + " ms");
        assertTrue(e.getMessage().contains("300"), "message names the timeout: " + e.getMessage());
        s.setSoTimeout(50);
        assertThrows(SocketTimeoutException.class, () -> in.read(new byte[10]), "a shorter timeout applies at once");
        peer.getOutputStream().write(ascii("late"));
        s.setSoTimeout((int) PROMPT.toMillis());
        assertEquals("late", ascii(in.readNBytes(4)), "the stream is still usable after timeouts");
        s.setSoTimeout(0);
        peer.getOutputStream().write(ascii("!"));
        assertEquals('!', in.read(), "no timeout");
    }

    /** Our FIN: the peer ({@code wc -c}) answers after it; writes after it fail. */
    @Test
    void shutdownOutputHalfClosesAndThePeerStillAnswers() throws Exception {
        int port = peer("socat", "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr", "SYSTEM:wc -c")
                .awaitSocatPort();
        Socket s = connect(port);
        OutputStream out = s.getOutputStream();
        out.write(Bytes.random(100_000, 1));
        s.shutdownOutput();
        assertTrue(s.isOutputShutdown(), "isOutputShutdown");
        SocketException e = assertThrows(SocketException.class, () -> out.write(1), "write after shutdownOutput");
        assertTrue(e.getMessage().contains("shutdown"), e.getMessage());
        s.setSoTimeout((int) PROMPT.toMillis());
        assertEquals("100000", ascii(s.getInputStream().readAllBytes()).trim(), "peer's byte count after our FIN");
        assertEquals(-1, s.getInputStream().read(), "end of stream stays");
    }

    /** The peer's FIN: reads end with -1, and we can still send (a Socket is always half-open capable). */
    @Test
    void peerFinEndsReadsButWritesGoOn() throws Exception {
        PeerProcess peer = socatTcpStdio();
        int port = peer.awaitSocatPort();
        Socket s = connect(port);
        s.setSoTimeout((int) PROMPT.toMillis());
        peer.stdin().write(ascii("bye from peer"));
        peer.stdin().close(); // FIN
        assertEquals("bye from peer", ascii(s.getInputStream().readAllBytes()));
        assertEquals(-1, s.getInputStream().read(), "-1 after the peer's FIN");
        s.getOutputStream().write(ascii("still writing after your FIN"));
        s.shutdownOutput();
        assertEquals("still writing after your FIN", ascii(peer.stdout().readNBytes(16 * MIB)));
    }

    @Test
    void shutdownInputMakesReadsReturnEndOfStream() throws Exception {
        JdkServer server = jdkServer();
        Socket s = connect(server.port());
        Socket peer = server.accept();
        InputStream in = s.getInputStream();
        peer.getOutputStream().write(ascii("dropped"));
        s.shutdownInput();
        assertTrue(s.isInputShutdown(), "isInputShutdown");
        assertEquals(-1, in.read(), "read after shutdownInput, even with data sent before it");
        assertThrows(SocketException.class, s::getInputStream, "getInputStream after shutdownInput (as the JDK's)");
        assertThrows(SocketException.class, s::shutdownInput, "shutdownInput twice");
        s.getOutputStream().write(ascii("out still works"));
        assertEquals("out still works", ascii(peer.getInputStream().readNBytes(15)));
    }

    /** JDK peer resets (SO_LINGER 0): our blocked read throws a SocketException, not a timeout. */
    @Test
    void peerResetFailsTheRead() throws Exception {
        JdkServer server = jdkServer();
        Socket s = connect(server.port());
        Socket peer = server.accept();
        s.setSoTimeout((int) PROMPT.toMillis());
        CompletableFuture<Throwable> read = CompletableFuture.supplyAsync(() -> {
            try {
                return new AssertionError("read returned " + s.getInputStream().read());
            } catch (Throwable t) {
                return t;
            }
        });
        peer.setSoLinger(true, 0);
        peer.close();
        Throwable t = read.get(PROMPT.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(SocketException.class, t, "read after the peer's reset");
        assertFalse(t instanceof SocketTimeoutException, "a reset is not a timeout: " + t);
    }

    /** setSoLinger(true, 0) then close(): the JDK peer sees a reset. */
    @Test
    void soLingerZeroCloseResets() throws Exception {
        JdkServer server = jdkServer();
        Socket s = connect(server.port());
        Socket peer = server.accept();
        s.setSoLinger(true, 0);
        assertEquals(0, s.getSoLinger());
        s.close();
        SocketException e = assertThrows(SocketException.class, () -> peer.getInputStream().read(),
                "the peer's read after our reset");
        assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("reset"), "a reset: " + e.getMessage());
    }

    /** close() from another thread ends a read blocked without a timeout, promptly. */
    @Test
    void closeWhileAReadIsBlockedInAnotherThread() throws Exception {
        JdkServer server = jdkServer();
        Socket s = connect(server.port());
        server.accept();
        s.setSoTimeout(0);
        CompletableFuture<Throwable> read = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                read.complete(new AssertionError("read returned " + s.getInputStream().read()));
            } catch (Throwable t) {
                read.complete(t);
            }
        }, "blocked-reader");
        reader.start();
        eventually("the reader blocks in read", PROMPT, () -> reader.getState() == Thread.State.TIMED_WAITING
                || reader.getState() == Thread.State.WAITING);
        long t0 = System.nanoTime();
        s.close();
        Throwable t = read.get(PROMPT.toSeconds(), TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertInstanceOf(SocketException.class, t, "the blocked read after close()");
        assertEquals("Socket closed", t.getMessage(), "the JDK's message, which libraries test for");
        assertTrue(ms < 2000, "the read ended promptly: " + ms + " ms");
    }

    /** 64 MiB through the OutputStream to {@code sha256sum}: the peer's checksum matches ours. */
    @Test
    void upload64MiBMatchesThePeersChecksum() throws Exception {
        int port = peer("socat", "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr",
                "SYSTEM:sha256sum").awaitSocatPort();
        Socket s = connect(port);
        MessageDigest sent = Bytes.sha256();
        byte[] block = Bytes.random(200_000, 64); // not a multiple of the view's chunk size
        OutputStream out = s.getOutputStream();
        long total = 0;
        for (int i = 0; total < 64L * MIB; i++) {
            block[0] = (byte) i;
            int n = (int) Math.min(block.length, 64L * MIB - total);
            sent.update(block, 0, n);
            out.write(block, 0, n);
            total += n;
        }
        s.shutdownOutput();
        s.setSoTimeout(60_000);
        String reply = ascii(s.getInputStream().readAllBytes()).trim();
        assertEquals(Bytes.hex(sent.digest()), reply.split("\\s+")[0], "sha256sum of what the peer received");
    }

    /** 64 MiB from a file socat sends, read through the InputStream: the checksum matches the file's. */
    @Test
    void download64MiBMatchesTheFilesChecksum(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("payload.bin");
        MessageDigest expected = Bytes.sha256();
        try (OutputStream f = Files.newOutputStream(file)) {
            for (int i = 0; i < 64; i++) {
                byte[] mib = Bytes.random(MIB, 2000 + i);
                expected.update(mib);
                f.write(mib);
            }
        }
        int port = peer("socat", "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr",
                "OPEN:" + file + ",rdonly").awaitSocatPort();
        Socket s = connect(port);
        s.setSoTimeout((int) PROMPT.toMillis());
        InputStream in = s.getInputStream();
        MessageDigest received = Bytes.sha256();
        byte[] buf = new byte[12_345];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            received.update(buf, 0, n);
            total += n;
        }
        assertEquals(64L * MIB, total, "bytes received");
        assertEquals(Bytes.hex(expected.digest()), Bytes.hex(received.digest()), "sha-256 of the received bytes");
    }

    @Test
    void connectionRefusedIsAConnectException() throws IOException {
        int port;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = ss.getLocalPort();
        }
        Socket s = closeAfter(factory().createSocket());
        ConnectException e = assertThrows(ConnectException.class,
                () -> s.connect(new InetSocketAddress("127.0.0.1", port), 5000), "connect to a closed port");
        assertTrue(e.getMessage().contains(String.valueOf(port)), "names the destination: " + e.getMessage());
        assertTrue(s.isClosed(), "a failed connect closes the socket, as the JDK's does");
    }

    @Test
    void connectTimeoutIsASocketTimeoutException() throws IOException {
        FullBacklogListener listener = fullBacklogListener();
        Socket s = closeAfter(factory().createSocket());
        long t0 = System.nanoTime();
        assertThrows(SocketTimeoutException.class,
                () -> s.connect(new InetSocketAddress("127.0.0.1", listener.port()), 500), "connect to a full backlog");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 400 && ms < 10_000, "waited about the connect timeout: " + ms + " ms");
    }

    /** The policy's refusal reaches the library as the policy's own exception, before any packet. */
    @Test
    void refusedByThePolicyThrowsNotAllowedException() throws Exception {
        JdkServer server = jdkServer();
        SocketService refused = fixture.openRefused("org.rawsockets.contract.refused");
        IOException e = assertThrows(IOException.class,
                () -> refused.socketFactory().createSocket("127.0.0.1", server.port()), "connect without a grant");
        NotAllowedException n = assertInstanceOf(NotAllowedException.class, e, "the policy's exception");
        assertTrue(n.getMessage().contains("org.rawsockets.contract.refused"), "names the bundle: " + n.getMessage());
        Socket s = refused.socketFactory().createSocket();
        assertThrows(NotAllowedException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", server.port())));
        assertTrue(s.isClosed(), "closed after the refusal");
    }

    @Test
    void optionsBeforeAndAfterConnect() throws Exception {
        JdkServer server = jdkServer();
        Socket s = closeAfter(service.socketFactory().createSocket());
        assertFalse(s.isConnected(), "unconnected");
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        s.setReceiveBufferSize(128 * 1024);
        s.setSendBufferSize(96 * 1024);
        assertTrue(s.getTcpNoDelay(), "kept before connect");
        int localPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            localPort = probe.getLocalPort(); // free, and free again once closed (nothing connected to it)
        }
        assertThrows(SocketException.class, () -> s.bind(InetSocketAddress.createUnresolved("localhost", localPort)),
                "a local address is an IP address");
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort)); // the local end (API 1.4)
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
        Socket peer = server.accept();
        assertEquals(localPort, s.getLocalPort(), "bound before connect");
        assertEquals(localPort, peer.getPort(), "the peer sees the bound port");
        assertThrows(SocketException.class, () -> s.bind(null), "bind after connect");
        assertTrue(s.getTcpNoDelay(), "TCP_NODELAY applied at connect");
        assertTrue(s.getKeepAlive(), "SO_KEEPALIVE applied after connect");
        assertTrue(s.getReceiveBufferSize() >= 128 * 1024, "SO_RCVBUF (a hint) " + s.getReceiveBufferSize());
        s.setTcpNoDelay(false);
        assertFalse(s.getTcpNoDelay(), "TCP_NODELAY changed on the open connection");
        s.setKeepAlive(false);
        assertFalse(s.getKeepAlive(), "SO_KEEPALIVE changed on the open connection");
        assertThrows(SocketException.class, () -> s.setOOBInline(true), "urgent data");
        assertThrows(SocketException.class, () -> s.sendUrgentData(1), "urgent data");
        assertThrows(SocketException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", server.port())),
                "connect twice");
        s.close();
        assertThrows(SocketException.class, () -> s.setSoTimeout(1), "options after close");
    }

    /** Blocking calls on an I/O thread (a continuation of one of the service's stages) are refused. */
    @Test
    void blockingOnAnIoThreadIsRefused() throws Exception {
        int echo = socatTcpEcho();
        JdkServer server = jdkServer();
        Socket s = connect(server.port());
        server.accept();
        TcpSocket other = service.openTcp("127.0.0.1", echo);
        await(other.opened(), "open");
        CompletableFuture<Throwable> onIoThread = new CompletableFuture<>();
        other.readable().read().thenRun(() -> {
            try {
                s.getInputStream().read();
                onIoThread.complete(new AssertionError("read on an I/O thread returned"));
            } catch (Throwable t) {
                onIoThread.complete(t);
            }
        });
        await(other.writable().write(ascii("x")), "write"); // the echo completes the pending read on an I/O thread
        Throwable t = onIoThread.get(PROMPT.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(IllegalStateException.class, t, "a blocking read on an I/O thread");
    }

    /** Closing the service (the bundle stops) closes the library's sockets: a blocked read ends. */
    @Test
    void releasingTheServiceClosesItsSockets() throws Exception {
        JdkServer server = jdkServer();
        SocketService own = fixture.open("org.rawsockets.contract.library");
        Socket s = closeAfter(own.socketFactory().createSocket("127.0.0.1", server.port()));
        Socket peer = server.accept();
        CompletableFuture<Throwable> read = CompletableFuture.supplyAsync(() -> {
            try {
                return new AssertionError("read returned " + s.getInputStream().read());
            } catch (Throwable t) {
                return t;
            }
        });
        fixture.release(own);
        assertInstanceOf(SocketException.class, read.get(PROMPT.toSeconds(), TimeUnit.SECONDS),
                "the library's read after the release");
        assertEquals(-1, peer.getInputStream().read(), "the peer sees the connection go");
        eventually("the released service owns no socket", PROMPT, () -> own.sockets().isEmpty());
    }
}
