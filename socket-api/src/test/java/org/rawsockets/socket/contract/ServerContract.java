package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.socket.contract.Bytes.ascii;
import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;
import static org.rawsockets.socket.contract.Stages.awaitFailure;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.TcpServerOpenInfo;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;

/** TCP server sockets: listening, accepting (pull and publisher), many clients, close. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ServerContract extends ContractSupport {

    private TcpServerSocket listen() {
        TcpServerSocket server = service.listenTcp(TcpServerSocketOptions.of("127.0.0.1", 0));
        TcpServerOpenInfo info = await(server.opened(), "listen on 127.0.0.1:0");
        assertTrue(info.localAddress().getPort() > 0, "an ephemeral port is reported");
        assertEquals(InetAddress.getLoopbackAddress(), info.localAddress().getAddress());
        return server;
    }

    private static int port(TcpServerSocket server) {
        return await(server.opened(), "opened").localAddress().getPort();
    }

    /** socat connects as the client; we talk both ways over the accepted socket. */
    @Test
    void acceptsAnIndependentClient() throws Exception {
        TcpServerSocket server = listen();
        assertEquals(SocketKind.TCP_LISTEN, server.info().kind());
        PeerProcess client = dataPeer("socat", "-t", "30", "STDIO", "TCP:127.0.0.1:" + port(server));
        ReadResult<TcpSocket> r = await(server.readable().read(), "accept");
        TcpSocket accepted = r.value();
        await(accepted.opened(), "accepted socket is open");
        assertEquals(SocketKind.TCP_ACCEPTED, accepted.info().kind());
        assertTrue(accepted.info().owner().contains(OWNER), "accepted socket belongs to the listener's owner");

        client.stdin().write(ascii("ping"));
        client.stdin().flush();
        assertEquals("ping", ascii(Bytes.readExactly(accepted.readable(), 4)));
        await(accepted.writable().write(ascii("pong")), "write to the client");
        await(accepted.writable().close(), "FIN to the client");
        client.stdin().close();
        assertEquals("pong", ascii(client.stdout().readAllBytes()));
        await(accepted.closed(), "accepted socket closed");
        await(server.close(), "close server");
    }

    /** 200 plain JDK clients, 16 at a time, each gets its own answer. */
    @Test
    void accepts200Clients() throws Exception {
        TcpServerSocket server = listen();
        int port = port(server);
        int clients = 200;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        closeAfter(pool::shutdownNow);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int id = i;
            results.add(pool.submit(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 20_000);
                    s.setSoTimeout(60_000);
                    new DataOutputStream(s.getOutputStream()).writeInt(id);
                    int answer = new DataInputStream(s.getInputStream()).readInt();
                    assertEquals(-1, s.getInputStream().read(), "EOF after the answer");
                    return answer;
                }
            }));
        }
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < clients; i++) {
            TcpSocket accepted = await(server.readable().read(), "accept #" + i).value();
            int id = ByteBuffer.wrap(Bytes.readExactly(accepted.readable(), 4)).getInt();
            assertTrue(seen.add(id), "client " + id + " accepted once");
            accepted.writable().write(ByteBuffer.allocate(4).putInt(0, id * 2));
            accepted.writable().close();
        }
        for (int i = 0; i < clients; i++) {
            assertEquals(i * 2, results.get(i).get(60, TimeUnit.SECONDS), "answer to client " + i);
        }
        assertEquals(clients, seen.size());
    }

    @Test
    void acceptedConnectionsThroughThePublisher() throws Exception {
        TcpServerSocket server = listen();
        int port = port(server);
        LinkedBlockingQueue<TcpSocket> accepted = new LinkedBlockingQueue<>();
        server.readable().publisher().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(2);
            }

            @Override
            public void onNext(TcpSocket item) {
                accepted.add(item);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        try (Socket a = new Socket(InetAddress.getLoopbackAddress(), port);
                Socket b = new Socket(InetAddress.getLoopbackAddress(), port)) {
            TcpSocket first = accepted.poll(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
            TcpSocket second = accepted.poll(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(first != null && second != null, "two accepted sockets delivered for request(2)");
            int ports = a.getLocalPort() + b.getLocalPort();
            assertEquals(ports, await(first.opened(), "first").remoteAddress().getPort()
                    + await(second.opened(), "second").remoteAddress().getPort(), "remote ports of the clients");
        }
    }

    @Test
    void closeStopsListeningButKeepsAcceptedConnections() throws Exception {
        TcpServerSocket server = listen();
        int port = port(server);
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout((int) PROMPT.toMillis());
            TcpSocket accepted = await(server.readable().read(), "accept").value();
            var first = server.close();
            var second = server.close();
            await(first, "close");
            await(second, "second close");
            await(server.closed(), "closed");
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                    "connecting after close is refused");
            await(accepted.writable().write(ascii("still here")), "write on the accepted socket");
            assertEquals("still here", ascii(client.getInputStream().readNBytes(10)));
            assertTrue(await(server.readable().read(), "read after close").done(), "accept stream ended");
        }
    }

    /** acceptedOptions apply to accepted sockets: with allowHalfOpen the client's FIN still lets us answer. */
    @Test
    void acceptedOptionsApply() throws Exception {
        TcpServerSocket server = service.listenTcp(TcpServerSocketOptions.builder().local("127.0.0.1", 0)
                .acceptedOptions(TcpSocketOptions.builder().allowHalfOpen(true).noDelay(true).build()).build());
        PeerProcess client = dataPeer("socat", "-t", "30", "STDIO", "TCP:127.0.0.1:" + port(server));
        client.stdin().write(ascii("question"));
        client.stdin().close(); // FIN from the client
        TcpSocket accepted = await(server.readable().read(), "accept").value();
        assertEquals("question", ascii(Bytes.readToEnd(accepted.readable(), 100)));
        await(accepted.writable().write(ascii("answer after your FIN")), "write after the client's FIN");
        await(accepted.writable().close(), "our FIN");
        assertEquals("answer after your FIN", ascii(client.stdout().readAllBytes()));
    }

    /**
     * While nobody reads the accept stream, accepting pauses: clients connecting one after the other
     * are admitted until the implementation's accept queue and then the kernel backlog are full; the
     * next connect times out. Reading an accepted socket resumes accepting, and a client gets in again.
     *
     * <p>Clients connect one at a time on purpose: a burst of connects to a small backlog makes the
     * kernel answer with SYN cookies and drop final ACKs on the full queue, leaving clients that
     * believe they are connected but that no server can ever accept.
     */
    @Test
    void acceptingPausesWhileNobodyReads() throws Exception {
        TcpServerSocket server = service.listenTcp(TcpServerSocketOptions.builder().local("127.0.0.1", 0).backlog(4)
                .build());
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port(server));
        List<Socket> clients = new ArrayList<>();
        closeAfter(() -> {
            for (Socket c : clients) {
                c.close();
            }
        });
        int admitted = 0;
        while (admitted < 300 && connectWithin(address, Duration.ofSeconds(2), clients)) {
            admitted++;
        }
        System.out.printf("[contract] accept paused: %d clients admitted while nobody read%n", admitted);
        assertTrue(admitted < 300, "accepting must pause while nobody reads the accept stream: 300 clients got in");
        long listed = fixture.admin().sockets().stream()
                .filter(i -> i.kind() == org.rawsockets.socket.SocketKind.TCP_ACCEPTED).count();
        assertTrue(listed <= admitted, "accepted sockets listed (" + listed + ") <= clients admitted (" + admitted + ")");
        // Take one accepted socket: its slot frees, the implementation takes one off the kernel backlog,
        // and the backlog has room for a new client again.
        await(server.readable().read(), "accept").value().close();
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        while (!connectWithin(address, Duration.ofSeconds(2), clients)) {
            assertTrue(System.nanoTime() < deadline, "no client got in within 45 s after an accepted socket was read");
        }
    }

    /** A blocking JDK connect; {@code false} when it did not complete within {@code limit}. */
    private static boolean connectWithin(InetSocketAddress address, Duration limit, List<Socket> keep)
            throws IOException {
        Socket s = new Socket();
        try {
            s.connect(address, (int) limit.toMillis());
            keep.add(s);
            return true;
        } catch (java.net.SocketTimeoutException e) {
            s.close();
            return false;
        }
    }

    @Test
    void listeningOnAPortInUseIsANetworkError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpServerSocket server = service.listenTcp(TcpServerSocketOptions.of("127.0.0.1", taken.getLocalPort()));
            NetworkException e = awaitFailure(server.opened(), NetworkException.class, "listen on a taken port");
            assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())),
                    "message names the port: " + e.getMessage());
            assertEquals(NetworkException.Reason.LOCAL_ADDRESS, e.reason(), "reason of " + e);
        }
    }
}
