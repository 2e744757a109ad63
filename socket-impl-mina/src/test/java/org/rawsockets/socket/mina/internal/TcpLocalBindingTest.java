package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;

/**
 * Binding the local end of an outgoing TCP connection (TcpSocketOptions.localAddress/localPorts,
 * API 1.4): the peer sees the port, a busy port of the range is skipped, a range with no free port
 * fails with LOCAL_ADDRESS, and the policy decides as {@code tcp-bind} — a privileged port (LPD's
 * 721..731, RFC 1179) only with a grant naming every port.
 */
class TcpLocalBindingTest {

    private static final String BUNDLE = "org.example.lpr";
    private static final String DECLARES = "TCP;host=\"*\";ports=\"*\",TCP_BIND;host=\"*\";ports=\"*\"";

    private ServerSocket server;
    private MinaSocketEngine engine;
    private OwnedSocketService service;
    private final List<ServerSocket> held = new ArrayList<>();

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    }

    private void policy(String declarations, String... grants) {
        Map<String, Object> cfg = new HashMap<>(Map.of("defaultGrants", false, "grant.peer",
                BUNDLE + " tcp 127.0.0.1 " + server.getLocalPort()));
        for (int i = 0; i < grants.length; i++) {
            cfg.put("grant.bind" + i, BUNDLE + " " + grants[i]);
        }
        PolicyEngine policy = new PolicyEngine(PolicySettings.from(cfg), o -> declarations);
        engine = new MinaSocketEngine(EngineConfig.defaults(), policy, AuditLog.NONE, HostResolver.JDK);
        service = engine.serviceFor(Owner.of(7, BUNDLE));
    }

    @AfterEach
    void stop() throws IOException {
        if (service != null) {
            service.close();
            engine.close();
        }
        for (ServerSocket s : held) {
            s.close();
        }
        server.close();
    }

    /** Opens with {@code options}; the accepted peer socket's remote port, or the open's failure. */
    private int open(TcpSocketOptions options) throws Throwable {
        TcpSocket s = service.openTcp("127.0.0.1", server.getLocalPort(), options);
        TcpOpenInfo info;
        try {
            info = s.opened().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
        server.setSoTimeout(10_000);
        try (Socket accepted = server.accept()) {
            assertEquals(info.localAddress().getPort(), accepted.getPort(), "the peer sees the bound port: " + info);
            s.close();
            return accepted.getPort();
        }
    }

    /** {@code n} consecutive free loopback ports (bound and released here), the first returned. */
    private static int freeRun(int n) throws IOException {
        for (int base = 40_000 + (int) (ProcessHandle.current().pid() % 5_000) * 3; base < 60_000; base += n) {
            List<ServerSocket> probe = new ArrayList<>();
            try {
                for (int p = base; p < base + n; p++) {
                    probe.add(new ServerSocket(p, 1, InetAddress.getByName("127.0.0.1")));
                }
                return base;
            } catch (IOException busy) {
                // try the next run
            } finally {
                for (ServerSocket s : probe) {
                    s.close();
                }
            }
        }
        throw new AssertionError("no " + n + " consecutive free ports in 40000..60000");
    }

    private void hold(int port) throws IOException {
        held.add(new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void theConnectionLeavesFromTheGivenLocalAddressAndPort() throws Throwable {
        policy(DECLARES, "tcp-bind 127.0.0.1 *");
        int p = freeRun(1);
        assertEquals(p, open(TcpSocketOptions.builder().localAddress("127.0.0.1").localPort(p).build()));
        assertTrue(TcpSocketOptions.builder().localPorts(p, p + 2).build().toString().contains("local=*:" + p + "-" + (p + 2)));
    }

    @Test
    void aBusyPortOfTheRangeIsSkippedAndARangeWithoutAFreePortFailsWithLocalAddress() throws Throwable {
        policy(DECLARES, "tcp-bind 0.0.0.0 *");
        int p = freeRun(3);
        hold(p);
        hold(p + 1);
        assertEquals(p + 2, open(TcpSocketOptions.builder().localPorts(p, p + 2).build()));
        NetworkException e = assertThrows(NetworkException.class, () -> open(TcpSocketOptions.builder().localPorts(p, p + 1).build()));
        assertEquals(NetworkException.Reason.LOCAL_ADDRESS, e.reason(), e.getMessage());
        assertTrue(e.getMessage().endsWith("cannot bind the local end to a port of " + p + "-" + (p + 1)
                + ": Address already in use (every port of the range tried)"), e.getMessage());
        awaitNoSockets();
        System.out.println("range without a free port: " + e.getMessage());
    }

    /** The service's socket list empties (a failed open leaves it right after failing). */
    private void awaitNoSockets() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!service.sockets().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling for a condition, bounded by the deadline
        }
        assertTrue(service.sockets().isEmpty(), "nothing left open: " + service.sockets());
    }

    @Test
    void aLocalAddressOfAnotherFamilyThanTheDestinationFails() throws Throwable {
        policy(DECLARES, "tcp-bind * *");
        NetworkException e = assertThrows(NetworkException.class,
                () -> open(TcpSocketOptions.builder().localAddress("::1").build()));
        assertEquals(NetworkException.Reason.LOCAL_ADDRESS, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("has no IPv6 address"), e.getMessage());
        NetworkException name = assertThrows(NetworkException.class,
                () -> open(TcpSocketOptions.builder().localAddress("localhost").build()));
        assertTrue(name.getMessage().contains("is not an IP address"), name.getMessage());
    }

    @Test
    void bindingMustBeDeclaredAndGranted() throws Throwable {
        int p = freeRun(1);
        policy("TCP;host=\"*\";ports=\"*\"", "tcp-bind * *");
        NotAllowedException undeclared = assertThrows(NotAllowedException.class,
                () -> open(TcpSocketOptions.builder().localPort(p).build()));
        assertTrue(undeclared.getMessage().contains("RequireSocket.Kind.TCP_BIND"), undeclared.getMessage());
        stop();
        listen();
        policy(DECLARES);
        NotAllowedException ungranted = assertThrows(NotAllowedException.class,
                () -> open(TcpSocketOptions.builder().localPort(p).build()));
        assertTrue(ungranted.getMessage().contains(BUNDLE + " tcp-bind 0.0.0.0 " + p), ungranted.getMessage());
        awaitNoSockets();
    }

    @Test
    void lpdsReservedSourcePortsNeedAGrantNamingEachPort() throws Throwable {
        // a broad grant does not lift the privileged-port denial, a range neither
        policy(DECLARES, "tcp-bind * *", "tcp-bind 0.0.0.0 721-731");
        NotAllowedException broad = assertThrows(NotAllowedException.class,
                () -> open(TcpSocketOptions.builder().localPorts(721, 731).build()));
        assertTrue(broad.getMessage().contains("privileged-port") || broad.getMessage().contains("1..1023"), broad.getMessage());
        assertTrue(broad.getMessage().contains("721,722,723,724,725,726,727,728,729,730,731"), broad.getMessage());
        stop();
        listen();
        policy(DECLARES, "tcp-bind 0.0.0.0 721,722,723,724,725,726,727,728,729,730,731");
        int port = open(TcpSocketOptions.builder().localPorts(721, 731).build());
        assertTrue(port >= 721 && port <= 731, "a reserved port (needs root or CAP_NET_BIND_SERVICE, as the"
                + " gateway does for LPD): " + port);
    }
}
